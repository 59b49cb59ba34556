// What a call's transports are doing, from WebRTC's own statistics: the path in use (candidate
// type and protocol, TURN relay protocol) and what is received. Read by the end-to-end tests
// (W-5, W-6) and useful to a technician in the browser's console.
import type { types } from 'mediasoup-client';
import { selectedPair } from '../common/link-sample.ts';

export interface PathInfo {
  /** 'host', 'srflx', 'prflx' or 'relay'. */
  localType: string;
  /** 'udp' or 'tcp', of the local candidate. */
  protocol: string;
  /** For a relay candidate: how the page reaches the TURN server ('udp', 'tcp' or 'tls'). */
  relayProtocol: string | null;
  /** The SFU's (or the relay's peer) candidate protocol and port. */
  remoteProtocol: string;
  remotePort: number;
}

export interface Received {
  videoFramesDecoded: number;
  audioSamplesReceived: number;
  audioBytesReceived: number;
}

type Entry = {
  type: string;
  id: string;
  kind?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
  protocol?: string;
  relayProtocol?: string;
  port?: number;
  framesDecoded?: number;
  totalSamplesReceived?: number;
  bytesReceived?: number;
};

export function pathOf(report: RTCStatsReport): PathInfo | null {
  const pair = selectedPair(report) as Entry | undefined;
  if (!pair) return null;
  const local = report.get(pair.localCandidateId ?? '') as Entry | undefined;
  const remote = report.get(pair.remoteCandidateId ?? '') as Entry | undefined;
  if (!local || !remote) return null;
  return {
    localType: local.candidateType ?? '',
    protocol: local.protocol ?? '',
    relayProtocol: local.relayProtocol ?? null,
    remoteProtocol: remote.protocol ?? '',
    remotePort: remote.port ?? 0,
  };
}

export function receivedOf(report: RTCStatsReport): Received {
  const out: Received = { videoFramesDecoded: 0, audioSamplesReceived: 0, audioBytesReceived: 0 };
  report.forEach((s: Entry) => {
    if (s.type !== 'inbound-rtp') return;
    if (s.kind === 'video') out.videoFramesDecoded += s.framesDecoded ?? 0;
    if (s.kind === 'audio') {
      out.audioSamplesReceived += s.totalSamplesReceived ?? 0;
      out.audioBytesReceived += s.bytesReceived ?? 0;
    }
  });
  return out;
}

export async function transportPaths(
  send: types.Transport | undefined,
  recv: types.Transport | undefined,
): Promise<{ send: PathInfo | null; recv: PathInfo | null; received: Received }> {
  const [s, r] = await Promise.all([send?.getStats(), recv?.getStats()]);
  return {
    send: s ? pathOf(s) : null,
    recv: r ? pathOf(r) : null,
    received: r ? receivedOf(r) : { videoFramesDecoded: 0, audioSamplesReceived: 0, audioBytesReceived: 0 },
  };
}
