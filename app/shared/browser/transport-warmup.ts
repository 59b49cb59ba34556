// Fast setup: a receive transport is connected before anything is received. mediasoup-
// client starts a transport's ICE and DTLS ('connect') only on its first consume, and the call's
// first real consumer exists only after the answer; so the page consumes once a local stand-in —
// an Opus stream the SFU never sends, with an SSRC of its own — and closes it at once. The SFU
// sees only the transport connecting (its DTLS parameters); it makes no consumer for it. Tied to
// mediasoup-client 3.7: ortc.canReceive matches the codec by the router's payload type, and a
// consume's local id is its rtpParameters.mid.
import type { types } from 'mediasoup-client';

/** Connects `transport` (a receive transport) now, through one consume of a stand-in. */
export async function connectReceiveTransport(
  transport: types.Transport,
  routerRtpCapabilities: types.RtpCapabilities,
): Promise<void> {
  const opus = routerRtpCapabilities.codecs?.find((c) => c.kind === 'audio');
  if (!opus || opus.preferredPayloadType === undefined) throw new Error('the router has no audio codec');
  const ssrc = 100_000_000 + Math.floor(Math.random() * 900_000_000);
  const standIn = await transport.consume({
    id: `warmup-${ssrc}`,
    producerId: `warmup-${ssrc}`,
    kind: 'audio',
    rtpParameters: {
      // A mid of its own: the page names a consume without one by its count of transceivers, and
      // the SFU numbers the call's consumers from "0"; the two must not meet.
      mid: `warmup-${ssrc}`,
      codecs: [
        {
          mimeType: opus.mimeType,
          payloadType: opus.preferredPayloadType,
          clockRate: opus.clockRate,
          ...(opus.channels !== undefined ? { channels: opus.channels } : {}),
          parameters: {},
          rtcpFeedback: [],
        },
      ],
      headerExtensions: [],
      encodings: [{ ssrc }],
      rtcp: { cname: `warmup-${ssrc}`, reducedSize: true },
    },
  });
  standIn.close();
}

/** Resolves once the transport's ICE and DTLS are connected; rejects if it fails or closes. */
export function whenConnected(transport: types.Transport): Promise<void> {
  if (transport.connectionState === 'connected') return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onState = (state: string) => {
      if (state === 'connected') done(resolve);
      else if (state === 'failed' || state === 'closed') done(() => reject(new Error(`transport ${state}`)));
    };
    const done = (fn: () => void) => {
      transport.off('connectionstatechange', onState);
      fn();
    };
    transport.on('connectionstatechange', onState);
  });
}
