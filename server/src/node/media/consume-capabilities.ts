// What the SFU is told a page can receive. Everything the page's device can, except the feedback
// that would let the SFU estimate the bandwidth towards it (transport-cc, REMB, and their header
// extensions).
//
// With that estimate, mediasoup picks the simulcast layer each consumer gets, and when the estimate
// is below the lowest layer it forwards no video at all, by design (versatica/mediasoup#299). The
// estimate falls hard in a blackout (no feedback, then a report of everything lost) and climbs back
// only as fast as the little that still flows lets it: after a 5 s outage, on a busy totem, video
// stayed away for 15-18 s with audio flowing, nobody told. Which video each side receives is
// already decided by the call's own policy, from what the page measures (W-5, video-level.ts:
// 'low' holds it to the lowest layer, 'paused' pauses it), and shown to both people; a second,
// silent policy in the SFU only froze the picture. Without it, the SFU forwards the preferred
// layer whenever the sender sends it.
import type { types } from 'mediasoup';

/** The receive-side bandwidth feedback, by RTCP feedback type and header extension URI. */
const BWE_FEEDBACK = new Set(['transport-cc', 'goog-remb']);
const BWE_EXTENSIONS = new Set([
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
]);

/**
 * The page's capabilities without that feedback. Anything else is passed as it came: capabilities
 * that are not what mediasoup expects are refused by mediasoup, with its own error.
 */
export function consumeCapabilities(caps: types.RtpCapabilities): types.RtpCapabilities {
  if (typeof caps !== 'object' || caps === null) return caps;
  const { codecs, headerExtensions } = caps;
  return {
    ...caps,
    ...(Array.isArray(codecs) && {
      codecs: codecs.map((codec) =>
        codec?.kind === 'video' && Array.isArray(codec.rtcpFeedback)
          ? { ...codec, rtcpFeedback: codec.rtcpFeedback.filter((fb) => !BWE_FEEDBACK.has(fb?.type)) }
          : codec,
      ),
    }),
    // Of every kind: mediasoup matches a consumer's header extensions by URI and id only, so the
    // audio entry of the same extension would bring it back to the video consumer.
    ...(Array.isArray(headerExtensions) && {
      headerExtensions: headerExtensions.filter((ext) => !BWE_EXTENSIONS.has(ext?.uri)),
    }),
  };
}
