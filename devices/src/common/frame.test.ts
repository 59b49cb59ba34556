import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc16 } from './crc16.ts';
import type { Frame } from './frame.ts';
import { encodeFrame, FRAME_MAX_BYTES, FRAME_MAX_PAYLOAD, FRAME_SOF } from './frame.ts';
import { FrameDecoder } from './frame-decoder.ts';

const RUNS = { numRuns: 200 };

// fc.record builds null-prototype objects; plain ones compare equal to what the decoder returns.
const frameArb: fc.Arbitrary<Frame> = fc
  .tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.integer({ min: 0, max: 255 }),
    fc.uint8Array({ maxLength: FRAME_MAX_PAYLOAD }),
  )
  .map(([type, seq, payload]) => ({ type, seq, payload }));

/** Splits `bytes` at the given cut points (taken modulo the length). */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => (bytes.length ? c % (bytes.length + 1) : 0)))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when `needle` occurs in `haystack` at a place that starts before `offset` and ends after it. */
function spansOffset(haystack: Uint8Array, needle: Uint8Array, offset: number): boolean {
  const at = Buffer.from(haystack).indexOf(needle, Math.max(0, offset - needle.length + 1));
  return at >= 0 && at < offset;
}

// Pushes every chunk, then flushes as the board session does once the line has gone quiet.
function decodeAll(chunks: Uint8Array[]): { frames: Frame[]; maxBuffered: number } {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  let maxBuffered = 0;
  for (const chunk of chunks) {
    frames.push(...decoder.push(chunk));
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
  }
  frames.push(...decoder.flush());
  assert.equal(decoder.bufferedBytes, 0);
  return { frames, maxBuffered };
}

test('crc16 is CRC-16/CCITT-FALSE (check value of "123456789" is 0x29B1)', () => {
  assert.equal(crc16(Uint8Array.from('123456789', (c) => c.charCodeAt(0))), 0x29b1);
});

test('H-3 encode then decode gives the frame back, many frames in one chunk', () => {
  fc.assert(
    fc.property(fc.array(frameArb, { maxLength: 20 }), (frames) => {
      const { frames: decoded } = decodeAll([concat(frames.map(encodeFrame))]);
      assert.deepEqual(decoded, frames);
    }),
    RUNS,
  );
});

test('H-3 any split of the byte stream (down to one byte at a time) gives the same frames', () => {
  fc.assert(
    fc.property(
      fc.array(frameArb, { maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (frames, cuts) => {
        const stream = concat(frames.map(encodeFrame));
        assert.deepEqual(decodeAll(split(stream, cuts)).frames, frames);
        assert.deepEqual(decodeAll(Array.from(stream, (b) => Uint8Array.of(b))).frames, frames);
      },
    ),
    RUNS,
  );
});

test('H-3 random bytes never throw and never grow the buffer beyond one frame', () => {
  fc.assert(
    fc.property(
      // Noise up to its whole bound ('max'): fast-check's default size keeps arrays to about ten
      // elements, which never comes near the one-frame buffer these properties are about.
      fc.uint8Array({ maxLength: 2000, size: 'max' }),
      fc.array(fc.nat(), { maxLength: 20 }),
      (bytes, cuts) => {
        const { maxBuffered } = decodeAll(split(bytes, cuts));
        assert.ok(maxBuffered <= FRAME_MAX_BYTES);
      },
    ),
    RUNS,
  );
});

test('H-3 start-byte-heavy noise stays bounded too', () => {
  const noisy = fc
    .uint8Array({ maxLength: 1000, size: 'max' })
    .map((b) => b.map((x) => (x % 3 === 0 ? FRAME_SOF : x)));
  fc.assert(
    fc.property(noisy, (bytes) => {
      assert.ok(decodeAll([bytes]).maxBuffered <= FRAME_MAX_BYTES);
    }),
    RUNS,
  );
});

test('H-3 valid frames after garbage, truncated frames, oversized lengths and bad checksums are still decoded', () => {
  const damaged = frameArb.chain((f) =>
    fc.oneof(
      // Truncated: a frame cut short.
      fc.nat().map((n) => {
        const bytes = encodeFrame(f);
        return bytes.subarray(0, n % bytes.length);
      }),
      // Bad checksum: one bit flipped after the start byte.
      fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })).map(([n, bit]) => {
        const bytes = encodeFrame(f).slice();
        const i = 1 + (n % (bytes.length - 1));
        bytes[i] = bytes[i]! ^ (1 << bit);
        return bytes;
      }),
      // Oversized: a start byte and a declared length over the cap.
      fc
        .integer({ min: FRAME_MAX_PAYLOAD + 1, max: 255 })
        .map((len) => Uint8Array.of(FRAME_SOF, f.type, f.seq, len)),
      fc.uint8Array({ maxLength: 100, size: 'max' }),
    ),
  );
  fc.assert(
    fc.property(
      fc.array(damaged, { maxLength: 6, size: 'max' }),
      fc.array(frameArb, { minLength: 1, maxLength: 5 }),
      (junk, good) => {
        const noise = concat(junk);
        const stream = concat([noise, ...good.map(encodeFrame)]);
        const { frames, maxBuffered } = decodeAll([stream]);
        assert.ok(maxBuffered <= FRAME_MAX_BYTES);
        // Noise may contain a valid frame of its own. A candidate that starts in the noise and ends in the
        // good frames passes its CRC once in 65,536 and then swallows a real start byte: no decoder can
        // tell that from a real frame, so such an input proves nothing and is skipped.
        fc.pre(!frames.some((f) => spansOffset(stream, encodeFrame(f), noise.length)));
        // Otherwise the good frames must be the last ones decoded.
        assert.deepEqual(frames.slice(-good.length), good);
      },
    ),
    {
      ...RUNS,
      // Found by CI: SOF, a header of length 10, ten bytes and one CRC byte; the good frame's start byte
      // completes a CRC that matches.
      examples: [
        [
          [Uint8Array.from([0xa5, 174, 89, 10, 236, 147, 30, 155, 43, 206, 136, 8, 154, 148, 246])],
          [{ type: 0, seq: 0, payload: new Uint8Array() }],
        ],
      ],
    },
  );
});

test('H-3 a valid frame swallowed by a truncated one is delivered by more traffic or by a quiet-line flush', () => {
  const good = { type: 0x02, seq: 9, payload: Uint8Array.of(1) };
  const truncated = Uint8Array.of(FRAME_SOF, 0x38, 0x03, 0x0a, 0x9b);
  const byTraffic = new FrameDecoder();
  assert.deepEqual(byTraffic.push(concat([truncated, encodeFrame(good)])), []);
  assert.deepEqual(byTraffic.push(new Uint8Array(FRAME_MAX_BYTES)), [good]);
  const byFlush = new FrameDecoder();
  assert.deepEqual(byFlush.push(concat([truncated, encodeFrame(good)])), []);
  assert.deepEqual(byFlush.flush(), [good]);
});

test('H-3 a frame hidden inside a rejected candidate is found by rescanning', () => {
  const good = encodeFrame({ type: 0x02, seq: 7, payload: Uint8Array.of(1) });
  // A start byte with a plausible length swallows the real frame's first bytes; the CRC then fails.
  const stream = concat([Uint8Array.of(FRAME_SOF, 0x03, 0x00, 0x05), good]);
  const decoder = new FrameDecoder();
  const frames = [...decoder.push(stream), ...decoder.push(new Uint8Array(8))];
  assert.deepEqual(frames, [{ type: 0x02, seq: 7, payload: Uint8Array.of(1) }]);
  assert.equal(decoder.stats.crcErrors + decoder.stats.oversize >= 1, true);
});

test('encodeFrame refuses a caller bug instead of writing a bad frame', () => {
  assert.throws(() => encodeFrame({ type: 256, seq: 0, payload: new Uint8Array() }), RangeError);
  assert.throws(
    () => encodeFrame({ type: 1, seq: 0, payload: new Uint8Array(FRAME_MAX_PAYLOAD + 1) }),
    RangeError,
  );
});
