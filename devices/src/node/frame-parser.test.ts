import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Frame } from '../common/frame.ts';
import { encodeFrame, FRAME_MAX_BYTES } from '../common/frame.ts';
import { FrameParser } from './frame-parser.ts';

async function parse(chunks: Uint8Array[]): Promise<{ frames: Frame[]; maxBuffered: number }> {
  const parser = new FrameParser();
  const frames: Frame[] = [];
  let maxBuffered = 0;
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    parser,
    async (source: AsyncIterable<Frame>) => {
      for await (const frame of source) {
        frames.push(frame);
        maxBuffered = Math.max(maxBuffered, parser.bufferedBytes);
      }
    },
  );
  return { frames, maxBuffered: Math.max(maxBuffered, parser.bufferedBytes) };
}

const frameArb = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }))
  .map(([type, seq, payload]): Frame => ({ type, seq, payload }));

test('H-3 the Transform parser gives the same frames for any chunking, with noise in between', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.uint8Array({ maxLength: 30 }), frameArb), { maxLength: 8 }),
      fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 10 }),
      async (pairs, sizes) => {
        // Noise never contains the start byte here, so the expected frames are exactly the good ones.
        const bytes = Buffer.concat(
          pairs.flatMap(([noise, f]) => [noise.map((b) => (b === 0xa5 ? 0 : b)), encodeFrame(f)]),
        );
        const chunks: Uint8Array[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length]!;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const { frames, maxBuffered } = await parse(chunks);
        assert.deepEqual(
          frames.map((f) => ({ ...f, payload: [...f.payload] })),
          pairs.map(([, f]) => ({ ...f, payload: [...f.payload] })),
        );
        assert.ok(maxBuffered <= FRAME_MAX_BYTES);
      },
    ),
    { numRuns: 100 },
  );
});

test('H-3 the Transform parser survives random bytes and ends with an empty buffer', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 10 }), async (chunks) => {
      const { maxBuffered } = await parse(chunks);
      assert.ok(maxBuffered <= FRAME_MAX_BYTES);
    }),
    { numRuns: 100 },
  );
});
