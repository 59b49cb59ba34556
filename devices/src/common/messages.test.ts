import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import type { BoardMessage } from './messages.ts';
import { toHex } from './frame.ts';
import { FrameDecoder } from './frame-decoder.ts';
import {
  decodeBoardMessage,
  decodeKioskMessage,
  encodeBoardMessage,
  encodeKioskMessage,
  MSG,
  PROTOCOL_VERSION,
} from './messages.ts';

const decodeOne = (bytes: Uint8Array) => {
  const frames = new FrameDecoder().push(bytes);
  assert.equal(frames.length, 1);
  return frames[0]!;
};

test('board messages survive encode and decode', () => {
  const all = { hook: true, keypad: true, ringer: true, led: false };
  const messages: BoardMessage[] = [
    {
      kind: 'hello',
      seq: 1,
      protocolVersion: PROTOCOL_VERSION,
      capabilities: all,
      offHook: true,
      firmware: 'acme-2.3',
    },
    { kind: 'hook', seq: 2, offHook: false },
    { kind: 'key', seq: 3, key: '#' },
    { kind: 'pong', seq: 0, offHook: true },
    { kind: 'ack', seq: 9, ackedType: MSG.RING },
    { kind: 'nack', seq: 9, ackedType: MSG.LED, code: 3 },
  ];
  for (const m of messages) assert.deepEqual(decodeBoardMessage(decodeOne(encodeBoardMessage(m))), m);
});

test('kiosk messages survive encode and decode', () => {
  for (const m of [
    { kind: 'hello-request', protocolVersion: PROTOCOL_VERSION },
    { kind: 'ping' },
    { kind: 'ring', on: true },
    { kind: 'led', led: 2, on: false },
  ] as const) {
    assert.deepEqual(decodeKioskMessage(decodeOne(encodeKioskMessage(m, 5))), m);
  }
});

test('H-7 a hello of another protocol version is reported with its version, not misread', () => {
  const frame = { type: MSG.HELLO, seq: 1, payload: Uint8Array.of(2, 0xff, 7, 1, 2, 3) };
  const msg = decodeBoardMessage(frame);
  assert.equal(msg.kind, 'hello');
  assert.equal(msg.kind === 'hello' && msg.protocolVersion, 2);
});

test('H-3 message decoders never throw on any frame', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.uint8Array({ maxLength: 64 }),
      (type, seq, payload) => {
        const board = decodeBoardMessage({ type, seq, payload });
        const kiosk = decodeKioskMessage({ type, seq, payload });
        assert.ok(typeof board.kind === 'string' && typeof kiosk.kind === 'string');
        if (board.kind === 'hello')
          assert.ok(board.firmware.length <= 32 && /^[\x20-\x7e]*$/.test(board.firmware));
      },
    ),
    { numRuns: 500 },
  );
});

test('H-3 out-of-range payloads are invalid, not guessed', () => {
  assert.equal(decodeBoardMessage({ type: MSG.HOOK, seq: 0, payload: Uint8Array.of(2) }).kind, 'invalid');
  assert.equal(decodeBoardMessage({ type: MSG.KEY, seq: 0, payload: Uint8Array.of(0x41) }).kind, 'invalid');
  assert.equal(
    decodeBoardMessage({ type: MSG.KEY, seq: 0, payload: Uint8Array.of(0x31, 0x32) }).kind,
    'invalid',
  );
  assert.equal(decodeBoardMessage({ type: 0x7f, seq: 0, payload: new Uint8Array() }).kind, 'invalid');
});

test('the worked examples of PROTOCOL.md are exactly what the encoders produce', async () => {
  const caps = { hook: true, keypad: true, ringer: true, led: true };
  const examples: [Uint8Array, string][] = [
    [encodeKioskMessage({ kind: 'hello-request', protocolVersion: 1 }, 0), 'a5 81 00 01 01 0c 5c'],
    [
      encodeBoardMessage({
        kind: 'hello',
        seq: 1,
        protocolVersion: 1,
        capabilities: caps,
        offHook: false,
        firmware: 'acme-1.2',
      }),
      'a5 01 01 0b 01 0f 00 61 63 6d 65 2d 31 2e 32 42 21',
    ],
    [encodeKioskMessage({ kind: 'ping' }, 0), 'a5 84 00 00 2b 06'],
    [encodeBoardMessage({ kind: 'pong', seq: 0, offHook: false }), 'a5 04 00 01 00 7d 00'],
    [encodeBoardMessage({ kind: 'hook', seq: 2, offHook: true }), 'a5 02 02 01 01 24 d8'],
    [encodeBoardMessage({ kind: 'key', seq: 3, key: '5' }), 'a5 03 03 01 35 13 8b'],
    [encodeKioskMessage({ kind: 'ring', on: true }, 7), 'a5 82 07 01 01 12 10'],
    [encodeBoardMessage({ kind: 'ack', seq: 7, ackedType: MSG.RING }), 'a5 05 07 01 82 3f ee'],
    [encodeKioskMessage({ kind: 'led', led: 0, on: true }, 8), 'a5 83 08 02 00 01 26 8c'],
    [encodeBoardMessage({ kind: 'nack', seq: 8, ackedType: MSG.LED, code: 3 }), 'a5 06 08 02 83 03 49 82'],
  ];
  const doc = await readFile(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
  for (const [bytes, hex] of examples) {
    assert.equal(toHex(bytes), hex);
    assert.ok(doc.includes(hex), `PROTOCOL.md shows ${hex}`);
  }
});
