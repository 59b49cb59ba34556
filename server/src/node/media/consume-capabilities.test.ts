// W-1: the SFU runs no bandwidth estimate of its own towards a page (consume-capabilities.ts), on the
// real worker: a video consumer made with the page's capabilities as the room passes them has no
// transport-cc or REMB feedback and no header extension for them, and its transport then has no
// estimate; made with the capabilities left whole, the same consumer has one. Audio is untouched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { types } from 'mediasoup';
import { webRtcTransportOptions } from './mediasoup-compat.ts';
import { startTestRouter } from '../testing/test-worker.ts';
import { consumeCapabilities } from './consume-capabilities.ts';

let worker: types.Worker;
let router: types.Router;
before(async () => {
  ({ worker, router } = await startTestRouter());
});
after(() => worker?.close());

const BWE_EXT = /transport-wide-cc|abs-send-time/;

/** A VP8 video producer (simulcast, two layers) and an Opus one, on a plain transport. */
async function producers(): Promise<{ video: types.Producer; audio: types.Producer }> {
  const inbound = await router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: true, comedia: true });
  const video = await inbound.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90_000 }],
      encodings: [{ ssrc: 1111 }, { ssrc: 2222 }],
    },
  });
  const audio = await inbound.produce({
    kind: 'audio',
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48_000, channels: 2 }],
      encodings: [{ ssrc: 3333 }],
      headerExtensions: [],
    },
  });
  return { video, audio };
}

async function estimateOf(transport: types.WebRtcTransport): Promise<number | undefined> {
  const [stats] = (await transport.getStats()) as { availableOutgoingBitrate?: number }[];
  return stats?.availableOutgoingBitrate;
}

test('W-1 the SFU estimates no bandwidth towards a page: no video layer is dropped behind its back', async () => {
  const { video, audio } = await producers();
  const caps = router.rtpCapabilities;
  assert.ok(
    caps.codecs?.some((c) => c.kind === 'video' && c.rtcpFeedback?.some((fb) => fb.type === 'transport-cc')),
    'the router offers transport-cc: the capabilities a page sends back have it',
  );

  const whole = await router.createWebRtcTransport(webRtcTransportOptions('127.0.0.1'));
  await whole.consume({ producerId: video.id, rtpCapabilities: caps, paused: true });
  assert.equal(typeof (await estimateOf(whole)), 'number', 'with the feedback, the SFU estimates');

  const page = await router.createWebRtcTransport(webRtcTransportOptions('127.0.0.1'));
  const consumeCaps = consumeCapabilities(caps);
  const v = await page.consume({ producerId: video.id, rtpCapabilities: consumeCaps, paused: true });
  for (const codec of v.rtpParameters.codecs) {
    const types = (codec.rtcpFeedback ?? []).map((fb) => fb.type);
    assert.ok(!types.includes('transport-cc') && !types.includes('goog-remb'), `${codec.mimeType}: ${types}`);
  }
  assert.ok(
    v.rtpParameters.codecs.some((c) => c.rtcpFeedback?.some((fb) => fb.type === 'nack')),
    'the rest of the feedback stays (NACK, PLI)',
  );
  assert.ok(
    !(v.rtpParameters.headerExtensions ?? []).some((e) => BWE_EXT.test(e.uri)),
    JSON.stringify(v.rtpParameters.headerExtensions),
  );
  assert.equal(v.type, 'simulcast');
  assert.equal(await estimateOf(page), undefined, 'no estimate towards the page');

  const a = await page.consume({ producerId: audio.id, rtpCapabilities: consumeCaps, paused: true });
  assert.equal(a.kind, 'audio');
  const audioCodec = caps.codecs!.find((c) => c.kind === 'audio')!;
  assert.deepEqual(
    consumeCaps.codecs!.find((c) => c.kind === 'audio'),
    audioCodec,
    'audio capabilities are passed as they are',
  );
  whole.close();
  page.close();
});

test('capabilities not shaped as mediasoup expects are passed as they came, for mediasoup to refuse', async () => {
  const odd = { codecs: 'vp8', headerExtensions: null } as unknown as types.RtpCapabilities;
  assert.deepEqual(consumeCapabilities(odd), odd);
  assert.equal(consumeCapabilities(null as unknown as types.RtpCapabilities), null);
  const { video } = await producers();
  assert.equal(router.canConsume({ producerId: video.id, rtpCapabilities: consumeCapabilities(odd) }), false);
});
