// Real call media without browsers, for the load test and benchmark (L-1): a pre-recorded RTP
// fixture (VP8 640×360 400 kbit/s + Opus 32 kbit/s, made by bench/node/record-rtp.ts with ffmpeg)
// replayed in real time into plain transports of a call's router, and consumed by plain transports
// that send it to a UDP sink here — so the SFU worker receives, routes and sends every packet, as in
// a call, and its CPU per call can be measured.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { types } from 'mediasoup';

export const RTP_FIXTURE = fileURLToPath(new URL('./fixtures/call-media.rtp', import.meta.url));

interface Packet {
  kind: 'audio' | 'video';
  data: Buffer;
}

/** The fixture's packets in order (file format in bench/node/record-rtp.ts). */
export function readFixture(file = RTP_FIXTURE): Packet[] {
  const buf = readFileSync(file);
  const out: Packet[] = [];
  for (let at = 0; at + 3 <= buf.length;) {
    const kind = buf.readUInt8(at) === 0 ? 'audio' : 'video';
    const len = buf.readUInt16BE(at + 1);
    out.push({ kind, data: buf.subarray(at + 3, at + 3 + len) });
    at += 3 + len;
  }
  return out;
}

const CLOCK = { audio: 48_000, video: 90_000 } as const;
const PT = { audio: 111, video: 96 } as const;

/** One direction of a call: what one side sends, through the SFU, to the other side. */
export interface MediaLeg {
  /** Packets that came out of the SFU at the sink. */
  received(): number;
  close(): void;
}

/**
 * Opens one leg on a router: a plain transport the replay sends into (one producer per kind, with
 * `ssrcBase` and `ssrcBase + 1`), and a plain transport that consumes both and sends to a sink.
 */
export async function openLeg(router: types.Router, ssrcBase: number): Promise<MediaLeg & { send: Sender }> {
  const ip = '127.0.0.1';
  const inbound = await router.createPlainTransport({ listenIp: ip, rtcpMux: true, comedia: true });
  const producers = await Promise.all(
    (['audio', 'video'] as const).map((kind, i) =>
      inbound.produce({
        kind,
        rtpParameters: {
          codecs:
            kind === 'audio'
              ? [{ mimeType: 'audio/opus', payloadType: PT.audio, clockRate: 48_000, channels: 2 }]
              : [{ mimeType: 'video/VP8', payloadType: PT.video, clockRate: 90_000 }],
          encodings: [{ ssrc: ssrcBase + i }],
        },
      }),
    ),
  );
  const sink = createSocket('udp4');
  await new Promise<void>((resolve) => sink.bind(0, ip, resolve));
  let received = 0;
  // The consumers' own streams only: the transport also sends RTCP and may send probation padding.
  const ssrcs = new Set<number>();
  sink.on('message', (msg: Buffer) => {
    if (msg.length >= 12 && ssrcs.has(msg.readUInt32BE(8))) received += 1;
  });
  const outbound = await router.createPlainTransport({ listenIp: ip, rtcpMux: true, comedia: false });
  await outbound.connect({ ip, port: sink.address().port });
  const consumers = await Promise.all(
    producers.map((p) =>
      outbound.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities, paused: false }),
    ),
  );
  for (const c of consumers) for (const e of c.rtpParameters.encodings ?? []) if (e.ssrc) ssrcs.add(e.ssrc);
  // VP8 from a plain transport: ask for a key frame, as a browser would on its first frame.
  for (const c of consumers) if (c.kind === 'video') await c.requestKeyFrame().catch(() => undefined);
  const out = createSocket('udp4');
  const target = { ip: inbound.tuple.localIp, port: inbound.tuple.localPort };
  const send: Sender = (pkt) => out.send(pkt, target.port, target.ip);
  let closed = false;
  return {
    send,
    received: () => received,
    close() {
      if (closed) return;
      closed = true;
      inbound.close();
      outbound.close();
      sink.close();
      out.close();
    },
  };
}

export type Sender = (packet: Buffer) => void;

/**
 * Replays the fixture on every leg for `seconds`, paced by the packets' RTP timestamps (looping
 * with sequence numbers and timestamps carried on), each leg with its own SSRCs. Resolves with the
 * number of packets sent per leg.
 */
export async function replay(
  legs: { send: Sender; ssrcBase: number }[],
  seconds: number,
  packets: Packet[] = readFixture(),
): Promise<number> {
  const first = { audio: undefined as number | undefined, video: undefined as number | undefined };
  const span = { audio: 0, video: 0 };
  for (const p of packets) {
    const ts = p.data.readUInt32BE(4);
    first[p.kind] ??= ts;
    span[p.kind] = Math.max(span[p.kind], (ts - first[p.kind]!) >>> 0);
  }
  const loopSeconds = Math.max(span.audio / CLOCK.audio, span.video / CLOCK.video) + 0.04;
  const schedule = packets.map((p) => ({
    ...p,
    at: ((p.data.readUInt32BE(4) - first[p.kind]!) >>> 0) / CLOCK[p.kind],
  }));
  const start = performance.now();
  const seq = legs.map(() => ({ audio: 0, video: 0 }));
  let sent = 0;
  for (let loop = 0; loop * loopSeconds < seconds; loop++) {
    for (const p of schedule) {
      const at = loop * loopSeconds + p.at;
      if (at >= seconds) break;
      const wait = start + at * 1000 - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      const ts = (first[p.kind]! + Math.round(at * CLOCK[p.kind])) >>> 0;
      legs.forEach((leg, i) => {
        const pkt = Buffer.from(p.data);
        pkt.writeUInt16BE(seq[i]![p.kind]++ & 0xffff, 2);
        pkt.writeUInt32BE(ts, 4);
        pkt.writeUInt32BE(leg.ssrcBase + (p.kind === 'audio' ? 0 : 1), 8);
        pkt[1] = (pkt[1]! & 0x80) | PT[p.kind];
        leg.send(pkt);
      });
      sent += 1;
    }
  }
  return sent;
}

/** CPU time (user + system) of a process so far, in milliseconds, from /proc (Linux). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS;
}

/** USER_HZ on Linux is 100 on every architecture Node runs on. */
const CLOCK_TICKS = 100;
