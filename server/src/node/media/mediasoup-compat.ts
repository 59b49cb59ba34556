// Everything that depends on the mediasoup version lives here. Debian ships worker 3.8.4, which
// takes `listenIps` and names a candidate's address `ip`; newer mediasoup takes `listenInfos` and
// says `address`. To move to a newer mediasoup where its prebuilt worker can be installed, change
// this file only (see the README).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { types } from 'mediasoup';

/** Where the worker binary is: MEDIASOUP_WORKER_BIN, else Debian's package path for this machine. */
export function resolveWorkerBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MEDIASOUP_WORKER_BIN) return env.MEDIASOUP_WORKER_BIN;
  const libDir = '/usr/lib';
  if (!existsSync(libDir)) return undefined;
  for (const triplet of readdirSync(libDir)) {
    const candidate = join(libDir, triplet, 'mediasoup', 'mediasoup-worker');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/**
 * mediasoup reads MEDIASOUP_WORKER_BIN when a worker is created; this sets it once, before the
 * first worker, with a clear error when no worker binary can be found.
 */
export function prepareWorkerBinary(): string {
  const bin = resolveWorkerBin();
  if (!bin || !existsSync(bin)) {
    throw new Error(
      'mediasoup worker binary not found: install Debian package mediasoup-worker ' +
        '(apt-get install -t experimental mediasoup-worker) or set MEDIASOUP_WORKER_BIN',
    );
  }
  process.env.MEDIASOUP_WORKER_BIN = bin;
  return bin;
}

export const MEDIA_CODECS: types.RtpCodecCapability[] = [
  {
    kind: 'audio',
    mimeType: 'audio/opus',
    clockRate: 48000,
    channels: 2,
    // In-band FEC and DTX: speech survives loss on a thin link (W-5) and silence costs nothing.
    parameters: { useinbandfec: 1, usedtx: 1 },
  },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 600 } },
];

export function webRtcTransportOptions(listenIp: string, announcedIp?: string): types.WebRtcTransportOptions {
  return {
    listenIps: [announcedIp ? { ip: listenIp, announcedIp } : { ip: listenIp }],
    enableUdp: true,
    // ICE over TCP to the SFU for networks that block UDP.
    enableTcp: true,
    preferUdp: true,
    initialAvailableOutgoingBitrate: 600_000,
  };
}

export function workerSettings(rtcMinPort: number, rtcMaxPort: number): types.WorkerSettings {
  return { logLevel: 'warn', rtcMinPort, rtcMaxPort };
}

/** A candidate's address under either field name. */
export function candidateAddress(candidate: { ip?: string; address?: string }): string | undefined {
  return candidate.address ?? candidate.ip;
}

/**
 * The best score of a producer's streams (0 = nothing arrives, 10 = perfect). mediasoup 3.8 emits
 * `score` with an array of `{ ssrc, rid?, score }`; newer versions add fields, and a producer with
 * no stream yet sends an empty array, which counts as 0.
 */
export function bestScore(scores: readonly { score?: number }[] | undefined): number {
  return Math.max(0, ...(scores ?? []).map((s) => (typeof s.score === 'number' ? s.score : 0)));
}

/** Calls `fn` with the producer's best score each time mediasoup reports its scores. */
export function onProducerScore(producer: types.Producer, fn: (best: number) => void): void {
  producer.on('score', (scores: types.ProducerScore[]) => fn(bestScore(scores)));
}

/**
 * Bytes received in a transport's stats. mediasoup 3.8's `getStats()` resolves with an array of
 * entries each carrying `bytesReceived`; later versions keep the array but may leave fields out.
 */
export function bytesReceivedOf(stats: unknown): number {
  if (!Array.isArray(stats)) return 0;
  let total = 0;
  for (const s of stats) {
    const b = (s as { bytesReceived?: unknown } | null)?.bytesReceived;
    if (typeof b === 'number' && Number.isFinite(b)) total += b;
  }
  return total;
}

/** Bytes a transport has received (RTP, RTCP, STUN); 0 if its stats cannot be read (closing). */
export async function transportBytesReceived(transport: types.Transport): Promise<number> {
  if (transport.closed) return 0;
  return bytesReceivedOf(await transport.getStats().catch(() => []));
}

/**
 * The remote address of a WebRTC transport's selected ICE pair, or '' before one is selected. 3.8
 * names it `remoteIp`; newer versions say `remoteAddress` (and keep `remoteIp` for a while).
 */
export function selectedRemoteIp(transport: { iceSelectedTuple?: unknown }): string {
  const tuple = transport.iceSelectedTuple as { remoteIp?: string; remoteAddress?: string } | undefined;
  return tuple?.remoteAddress ?? tuple?.remoteIp ?? '';
}
