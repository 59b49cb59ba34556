import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BoardEmulatorOptions } from './board-emulator.ts';
import { BoardEmulator } from './board-emulator.ts';
import type { SessionHealth } from './board-session.ts';
import { BoardSession } from './board-session.ts';
import { FakeClock } from './clock.ts';
import { isDeviceError } from './events.ts';
import { FRAME_SOF } from './frame.ts';
import { encodeBoardMessage, MSG, NACK_CODE } from './messages.ts';

// Session and emulator joined by two queues, drained explicitly so nothing re-enters mid-call.
function setup(options: BoardEmulatorOptions = {}) {
  const clock = new FakeClock();
  const toBoard: Uint8Array[] = [];
  const toKiosk: Uint8Array[] = [];
  const session = new BoardSession({ clock, write: (b) => toBoard.push(b) });
  const board = new BoardEmulator((b) => toKiosk.push(b), options);
  const health: SessionHealth[] = [];
  const hooks: boolean[] = [];
  const keys: string[] = [];
  session.on('health', (h) => health.push(h));
  session.on('hook', (h) => hooks.push(h));
  session.on('key', (k) => keys.push(k));
  const pump = () => {
    while (toBoard.length || toKiosk.length) {
      if (toBoard.length) board.feed(toBoard.shift()!);
      if (toKiosk.length) session.feed(toKiosk.shift()!);
    }
  };
  const advance = (ms: number, step = 50) => {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      pump();
    }
  };
  return { clock, session, board, health, hooks, keys, pump, advance, toBoard, toKiosk };
}

test('hello makes the session ok and reports firmware and the initial hook state', () => {
  const s = setup();
  s.board.offHook = true;
  s.session.start();
  s.pump();
  assert.equal(s.session.health.state, 'ok');
  assert.equal(s.session.health.state === 'ok' && s.session.health.board.firmware, 'sportello-sim/1.0');
  assert.deepEqual(s.hooks, [true]);
  s.session.close();
});

test('hook and key events flow; heartbeats keep a quiet board alive', () => {
  const s = setup();
  s.session.start();
  s.pump();
  s.board.lift();
  s.board.type('12*#');
  s.pump();
  s.advance(10_000);
  assert.equal(s.session.health.state, 'ok');
  assert.deepEqual(s.keys, ['1', '2', '*', '#']);
  assert.equal(s.hooks.at(-1), true);
  s.session.close();
});

test('H-7 a board speaking another protocol version is reported with reason version-mismatch', () => {
  const s = setup({ protocolVersion: 2 });
  s.session.start();
  s.pump();
  s.board.lift();
  s.board.type('5');
  s.pump();
  assert.deepEqual(
    s.health.map((h) => (h.state === 'error' ? h.reason : h.state)),
    ['version-mismatch'],
  );
  assert.deepEqual(s.keys, []); // Nothing from a foreign dialect is trusted.
  s.session.close();
});

test('H-7 a silent board is reported within 2.5 s; it recovers when it talks again', () => {
  const s = setup();
  s.session.start();
  s.pump();
  s.board.silent = true;
  const silentFrom = s.clock.now();
  let reportedAt = 0;
  s.session.on('health', (h) => {
    if (h.state === 'error' && h.reason === 'silent' && !reportedAt) reportedAt = s.clock.now();
  });
  s.advance(3000);
  assert.ok(
    reportedAt > 0 && reportedAt - silentFrom <= 2500,
    `reported after ${reportedAt - silentFrom} ms`,
  );
  s.board.silent = false;
  s.advance(600);
  assert.equal(s.session.health.state, 'ok');
  s.session.close();
});

test('H-7 a board that never answers is silent; one that sends noise is garbled', () => {
  const silent = setup();
  silent.board.silent = true;
  silent.session.start();
  silent.advance(2600);
  assert.deepEqual(silent.health.at(-1), {
    state: 'error',
    reason: 'silent',
    message: 'no answer from the board for 2000 ms',
  });
  silent.session.close();

  const noisy = setup();
  noisy.board.silent = true;
  noisy.session.start();
  for (let i = 0; i < 30; i++) {
    noisy.session.feed(Uint8Array.of(0x55, FRAME_SOF, 0x13, 0x00)); // Wrong baud rate looks like this.
    noisy.advance(100);
  }
  const last = noisy.session.health;
  assert.equal(last.state === 'error' && last.reason, 'garbled');
  noisy.session.close();
});

test('commands are acknowledged by sequence number', async () => {
  const s = setup();
  s.session.start();
  s.pump();
  const ring = s.session.command({ kind: 'ring', on: true });
  s.pump();
  await ring;
  assert.equal(s.board.ringing, true);
  const led = s.session.command({ kind: 'led', led: 1, on: true });
  s.pump();
  await led;
  assert.equal(s.board.leds.get(1), true);
  s.session.close();
});

test('a lost acknowledgement is retried with the same sequence number and applied once', async () => {
  const s = setup();
  s.session.start();
  s.pump();
  s.board.dropAcks = 2;
  let rings = 0;
  s.board.on('ring', () => rings++);
  const done = s.session.command({ kind: 'ring', on: true });
  s.pump();
  s.advance(1000);
  await done;
  assert.equal(rings, 1);
  s.session.close();
});

test('commands fail with no-ack, nack, unsupported or not-ready as the board behaves', async () => {
  const s = setup();
  s.session.start();
  s.pump();
  s.board.dropAcks = 100;
  const done = s.session.command({ kind: 'ring', on: true });
  s.advance(2000);
  await assert.rejects(done, (e) => isDeviceError(e, 'no-ack'));

  s.board.silent = true; // The refusal below comes from a hand-made NACK instead.
  const refused = s.session.command({ kind: 'led', led: 0, on: true });
  const seq = s.toBoard.at(-1)![2]!;
  s.session.feed(encodeBoardMessage({ kind: 'nack', seq, ackedType: MSG.LED, code: NACK_CODE.BUSY }));
  await assert.rejects(refused, (e) => isDeviceError(e, 'nack'));

  const noRinger = setup({ capabilities: { ringer: false } });
  noRinger.session.start();
  noRinger.pump();
  await assert.rejects(noRinger.session.command({ kind: 'ring', on: true }), (e) =>
    isDeviceError(e, 'unsupported'),
  );
  noRinger.session.close();

  const fresh = setup();
  await assert.rejects(fresh.session.command({ kind: 'ring', on: true }), (e) =>
    isDeviceError(e, 'not-ready'),
  );
  fresh.session.close();
  s.session.close();
});

test('close() rejects pending commands, leaves no timers and no listeners; twice is safe', async () => {
  const s = setup();
  s.session.start();
  s.pump();
  s.board.dropAcks = 100;
  const pending = s.session.command({ kind: 'led', led: 0, on: true });
  s.session.close();
  s.session.close();
  await assert.rejects(pending, (e) => isDeviceError(e, 'closed'));
  assert.equal(s.clock.pendingTimers, 0);
  assert.equal(s.session.listenerCount(), 0);
});
