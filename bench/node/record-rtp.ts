// Records the RTP fixture the load benchmark and the L-1 test replay into the SFU's plain
// transports (server/src/node/testing/fixtures/call-media.rtp): ffmpeg (Debian package ffmpeg) encodes a synthetic
// test picture (VP8, 640×360, 25 fps, 400 kbit/s) and a tone (Opus, 48 kHz, 32 kbit/s) as RTP to
// two loopback UDP ports, and this script stores each packet. Run once, only to remake the file:
//   node --import tsx bench/node/record-rtp.ts [seconds]
// File format (big-endian): per packet, u8 kind (0 audio, 1 video), u16 length, the RTP packet.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURE = fileURLToPath(
  new URL('../../server/src/node/testing/fixtures/call-media.rtp', import.meta.url),
);

async function listen(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port };
}

async function record(seconds: number): Promise<void> {
  const audio = await listen();
  const video = await listen();
  const chunks: Buffer[] = [];
  const keep = (kind: number) => (msg: Buffer) => {
    // RTCP (packet types 192–223 in the second byte) is not part of the fixture.
    const pt = msg[1]! & 0x7f;
    if (msg[1]! >= 200 && msg[1]! <= 204) return;
    if (pt !== 96 && pt !== 111) return;
    const head = Buffer.alloc(3);
    head.writeUInt8(kind, 0);
    head.writeUInt16BE(msg.length, 1);
    chunks.push(head, msg);
  };
  audio.socket.on('message', keep(0));
  video.socket.on('message', keep(1));
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-re'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=25:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '400k', '-g', '50'],
    ...['-payload_type', '96', '-ssrc', '1111', '-f', 'rtp', `rtp://127.0.0.1:${video.port}?pkt_size=1200`],
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '32k', '-ac', '2'],
    ...['-payload_type', '111', '-ssrc', '2222', '-f', 'rtp', `rtp://127.0.0.1:${audio.port}`],
  ];
  const ffmpeg = spawn('ffmpeg', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number | null>((resolve) => ffmpeg.on('exit', resolve));
  if (code !== 0) throw new Error(`ffmpeg exited with ${code}: is the Debian package ffmpeg installed?`);
  // The last packets are in flight on loopback for a moment after ffmpeg exits.
  await new Promise((resolve) => setTimeout(resolve, 200));
  audio.socket.close();
  video.socket.close();
  writeFileSync(FIXTURE, Buffer.concat(chunks));
  console.log(`wrote ${FIXTURE}: ${chunks.length / 2} packets`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await record(Number(process.argv[2] ?? 4));
}
