// How a page sends its microphone and camera. Audio: Opus with in-band FEC and DTX at 32 kbit/s,
// which with its packet overhead fits a 150 kbit/s link with room to spare (W-5). Video: two
// simulcast layers, so a thin link can drop the upper one before video pauses; a paused video
// producer sends nothing at all (zeroRtpOnPause), leaving the link to the audio.
import type { types } from 'mediasoup-client';

export const AUDIO_MAX_BITRATE = 32_000;

/** The simulcast layers, lowest first: a quarter-size picture, then the full one. */
export const VIDEO_ENCODINGS: RTCRtpEncodingParameters[] = [
  { scaleResolutionDownBy: 2, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 700_000 },
];

export function produceOptions(kind: string): Partial<types.ProducerOptions> {
  if (kind === 'audio') {
    return {
      codecOptions: {
        opusFec: true,
        opusDtx: true,
        opusMaxAverageBitrate: AUDIO_MAX_BITRATE,
        opusStereo: false,
      },
    };
  }
  return {
    encodings: VIDEO_ENCODINGS.map((e) => ({ ...e })),
    zeroRtpOnPause: true,
    codecOptions: { videoGoogleStartBitrate: 600 },
  };
}
