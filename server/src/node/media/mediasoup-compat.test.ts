// The version-dependent shapes of mediasoup, read in one place (mediasoup-compat.ts): producer
// scores, transport stats and the selected ICE tuple, as 3.8 (Debian's worker) and newer versions
// give them, then against the real worker: Opus packets sent into a plain transport raise the
// producer's score from 0 and the bytes received, and a WebRTC transport has no selected tuple yet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { types } from 'mediasoup';
import {
  bestScore,
  bytesReceivedOf,
  onProducerScore,
  selectedRemoteIp,
  transportBytesReceived,
  webRtcTransportOptions,
} from './mediasoup-compat.ts';
import { startTestRouter } from '../testing/test-worker.ts';
import { readFixture } from '../testing/rtp-replay.ts';

test('producer scores: the best stream counts; none, or fields left out, count as 0', () => {
  assert.equal(bestScore([{ score: 3 }, { score: 9 }]), 9);
  assert.equal(bestScore([{ score: 0 }]), 0);
  assert.equal(bestScore([]), 0);
  assert.equal(bestScore(undefined), 0);
  assert.equal(bestScore([{}, { score: 4 }]), 4, 'a newer entry without the field');
});

test('transport stats: bytesReceived summed over the entries; other shapes count as nothing', () => {
  assert.equal(bytesReceivedOf([{ bytesReceived: 100 }, { bytesReceived: 20, bytesSent: 5 }]), 120);
  assert.equal(bytesReceivedOf([{ type: 'webrtc-transport' }, null, { bytesReceived: Number.NaN }]), 0);
  assert.equal(bytesReceivedOf(undefined), 0);
  assert.equal(bytesReceivedOf({ bytesReceived: 7 }), 0, 'not an array: not a shape any version gives');
});

test('the selected tuple: remoteIp (3.8) or remoteAddress (newer); none yet is empty', () => {
  assert.equal(
    selectedRemoteIp({ iceSelectedTuple: { remoteIp: '10.0.0.2', localIp: '10.0.0.1' } }),
    '10.0.0.2',
  );
  assert.equal(
    selectedRemoteIp({ iceSelectedTuple: { remoteAddress: '10.0.0.3', remoteIp: '10.0.0.3' } }),
    '10.0.0.3',
  );
  assert.equal(selectedRemoteIp({}), '');
});

let worker: types.Worker;
let router: types.Router;
before(async () => {
  ({ worker, router } = await startTestRouter());
});
after(() => worker?.close());

test(
  'the real worker: a producer’s score rises from 0 as Opus arrives, bytes received grow, no ICE tuple before ICE',
  { timeout: 120_000 },
  async () => {
    const webrtc = await router.createWebRtcTransport(webRtcTransportOptions('127.0.0.1'));
    assert.equal(selectedRemoteIp(webrtc), '', 'no pair selected before ICE');
    assert.equal(await transportBytesReceived(webrtc), 0);
    webrtc.close();
    assert.equal(await transportBytesReceived(webrtc), 0, 'a closed transport reads as nothing');

    const inbound = await router.createPlainTransport({
      listenIp: '127.0.0.1',
      rtcpMux: true,
      comedia: true,
    });
    const ssrc = 4242;
    const producer = await inbound.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48_000, channels: 2 }],
        encodings: [{ ssrc }],
      },
    });
    const scored = new Promise<number>((resolve) =>
      onProducerScore(producer, (best) => best > 0 && resolve(best)),
    );
    const audio = readFixture().filter((p) => p.kind === 'audio');
    const out = createSocket('udp4');
    let i = 0;
    // Sends the fixture's Opus at its own pace (20 ms a packet) until the score comes.
    const pacer = setInterval(() => {
      const pkt = Buffer.from(audio[i % audio.length]!.data);
      pkt.writeUInt16BE(i & 0xffff, 2);
      pkt.writeUInt32BE((i * 960) >>> 0, 4);
      pkt.writeUInt32BE(ssrc, 8);
      pkt[1] = (pkt[1]! & 0x80) | 111;
      out.send(pkt, inbound.tuple.localPort, inbound.tuple.localIp);
      i += 1;
    }, 20);
    try {
      const best = await scored;
      assert.ok(best > 0 && best <= 10, `score ${best}`);
      assert.ok((await transportBytesReceived(inbound)) > 0, 'bytes received counted from the stats');
    } finally {
      clearInterval(pacer);
      out.close();
      inbound.close();
    }
  },
);
