import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { advance, settle, until } from '../node/testing.ts';
import { attachBoardToMockPort } from './board-emulator.ts';
import type { BoardEmulatorOptions } from './board-emulator.ts';
import { FakeClock } from './clock.ts';
import type { SerialDeviceConfig } from './device-config.ts';
import type { DeviceManagerOptions } from './device-manager.ts';
import { DeviceManager } from './device-manager.ts';
import type { DeviceStatus, HandsetEvent } from './events.ts';
import { DeviceError, isDeviceError } from './events.ts';
import { MockSerialBinding } from './serial-mock.ts';

const IDENTITY = { vendorId: 0x1209, productId: 0x5e11, serialNumber: 'TOTEM-042' };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(
  config: Partial<SerialDeviceConfig> = { path: '/dev/ttyACM0' },
  board: BoardEmulatorOptions = {},
  options: Partial<DeviceManagerOptions> = {},
) {
  const clock = new FakeClock();
  const binding = new MockSerialBinding();
  const port = binding.createPort('/dev/ttyACM0', IDENTITY);
  const { board: emulator } = attachBoardToMockPort(port, board);
  const manager = new DeviceManager({
    config: { kind: 'serial', ...config },
    clock,
    serial: binding,
    ...options,
  });
  const events: HandsetEvent[] = [];
  const statuses: DeviceStatus[] = [];
  manager.on('event', (e) => events.push(e));
  manager.on('status', (s) => statuses.push(s));
  cleanups.push(() => manager.close());
  const summary = () => events.map((e) => (e.type === 'key' ? e.key : e.type)).join(' ');
  return { clock, binding, port, board: emulator, manager, events, statuses, summary };
}

test('opens the board, reports ok with its firmware, and turns frames into domain events', async () => {
  const s = setup();
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  assert.deepEqual(s.manager.status, {
    state: 'ok',
    reason: 'ok',
    message: 'the device answers',
    path: '/dev/ttyACM0',
    firmware: 'sportello-sim/1.0',
  });
  s.board.lift();
  s.board.type('1234#');
  await advance(s.clock, 100);
  s.board.hangup();
  await advance(s.clock, 700);
  assert.equal(s.summary(), 'offhook 1 2 3 4 # onhook');
  assert.ok(s.events.every((e) => e.source === 'serial'));
});

for (const moment of ['at idle', 'while typing', 'mid-call'] as const) {
  test(`H-1 unplugged ${moment}: detected within 3 s, reopened within 5 s of replug, no leaked handle`, async () => {
    const s = setup();
    s.manager.start();
    await until(s.clock, () => s.manager.status.state === 'ok');
    if (moment !== 'at idle') s.board.lift();
    if (moment === 'while typing') s.board.type('12');
    await advance(s.clock, 1000);
    s.port.unplug();
    const detected = await until(s.clock, () => s.manager.status.state === 'missing');
    assert.ok(detected <= 3000, `detected after ${detected} ms`);
    assert.equal(s.manager.status.reason, 'unplugged');
    assert.equal(s.binding.openHandles, 0);
    await advance(s.clock, 7000); // Unplugged for a while: backoff reaches its cap.
    assert.equal(s.manager.status.reason, 'unplugged');
    s.port.replug();
    const reopened = await until(s.clock, () => s.manager.status.state === 'ok');
    assert.ok(reopened <= 5000, `reopened after ${reopened} ms`);
    assert.equal(s.binding.openHandles, 1);
    // The handset stayed off-hook across the unplug: no spurious on-hook or second off-hook.
    if (moment !== 'at idle') assert.equal(s.events.filter((e) => e.type === 'offhook').length, 1);
    assert.equal(
      s.events.some((e) => e.type === 'onhook'),
      false,
    );
  });
}

test('H-1 a board that stops answering while its port stays open is reported within 3 s and recovered', async () => {
  const s = setup();
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  s.board.silent = true;
  const detected = await until(s.clock, () => s.manager.status.state === 'error');
  assert.ok(detected <= 3000, `detected after ${detected} ms`);
  assert.equal(s.manager.status.reason, 'silent');
  s.board.silent = false;
  const back = await until(s.clock, () => s.manager.status.state === 'ok');
  assert.ok(back <= 5000);
  assert.ok(s.binding.openHandles <= 1);
});

test('H-2 a board bound by VID/PID/serial is found again under another tty name', async () => {
  const s = setup({ match: IDENTITY });
  const other = s.binding.createPort('/dev/ttyACM1', {
    vendorId: 0x1209,
    productId: 0x5e11,
    serialNumber: 'OTHER',
  });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  assert.equal(s.manager.status.path, '/dev/ttyACM0');
  s.port.unplug();
  await until(s.clock, () => s.manager.status.state === 'missing');
  s.port.replug('/dev/ttyACM3');
  await until(s.clock, () => s.manager.status.state === 'ok');
  assert.equal(s.manager.status.path, '/dev/ttyACM3');
  assert.equal(other.isOpen, false); // Same model, different serial number: never taken.
  s.board.lift();
  await advance(s.clock, 100);
  assert.equal(s.summary(), 'offhook');
});

test('H-2 no matching device means missing, with the identity in the message', async () => {
  const s = setup({ match: { vendorId: 0x0403, productId: 0x6001 } });
  s.manager.start();
  await until(s.clock, () => s.statuses.length > 0);
  assert.equal(s.manager.status.state, 'missing');
  assert.match(s.manager.status.message, /0403:6001/);
});

test('H-2 without udev the identity cannot be listed: the configured path is used instead', async () => {
  const s = setup({ match: IDENTITY, path: '/dev/ttyACM0' });
  s.binding.list = async () => {
    throw new DeviceError('list-failed', 'cannot list serial ports (udevadm not found)');
  };
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  assert.equal(s.manager.status.path, '/dev/ttyACM0');
});

test('H-7 a board with a wrong protocol version is reported as version-mismatch, and its keys ignored', async () => {
  const s = setup({ path: '/dev/ttyACM0' }, { protocolVersion: 7 });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'error');
  assert.equal(s.manager.status.reason, 'version-mismatch');
  assert.match(s.manager.status.message, /version 7.*speaks 1/);
  s.board.lift();
  s.board.type('99');
  await advance(s.clock, 5000);
  assert.deepEqual(s.events, []);
  assert.equal(s.manager.status.reason, 'version-mismatch'); // Stable: no flapping.
});

test('H-7 a silent device is reported with reason silent within 3 s of opening', async () => {
  const s = setup();
  s.board.silent = true;
  s.manager.start();
  const t = await until(s.clock, () => s.manager.status.state === 'error');
  assert.ok(t <= 3000);
  assert.equal(s.manager.status.reason, 'silent');
  await advance(s.clock, 10_000);
  assert.equal(s.statuses.filter((x) => x.reason === 'silent').length, 1); // Reopen cycles do not flap.
});

test('a port that cannot be opened reports open-failed and keeps retrying', async () => {
  const s = setup();
  s.port.openError = new DeviceError('open-failed', 'cannot open /dev/ttyACM0: Permission denied');
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'error');
  assert.equal(s.manager.status.reason, 'open-failed');
  s.port.openError = undefined;
  await until(s.clock, () => s.manager.status.state === 'ok', 5000);
});

test('ringer and LED commands are acknowledged, refused while missing, and re-applied after a board reboot', async () => {
  const s = setup();
  s.manager.start();
  await assert.rejects(s.manager.setRinging(true), (e) => isDeviceError(e, 'not-ready'));
  await until(s.clock, () => s.manager.status.state === 'ok');
  const ring = s.manager.setRinging(true);
  await advance(s.clock, 50);
  await ring;
  assert.equal(s.board.ringing, true);
  const led = s.manager.setLed(true);
  await advance(s.clock, 50);
  await led;
  // The board reboots: its outputs are off until the kiosk applies them again.
  s.board.ringing = false;
  s.board.leds.clear();
  s.board.hello();
  await advance(s.clock, 100);
  assert.equal(s.board.ringing, true);
  assert.equal(s.board.leds.get(0), true);
});

test('H-6 a flood of key frames is bounded by the key guard', async () => {
  const s = setup();
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  s.board.type('5'.repeat(2000));
  await advance(s.clock, 100);
  const keys = s.events.filter((e) => e.type === 'key').length;
  assert.ok(keys <= 14, `${keys} keys passed`);
});

test('H-1 close() releases handles, listeners and timers; a second close() is safe', async () => {
  const s = setup();
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  s.board.lift();
  s.board.hangup(); // Leaves debounce timers pending.
  await settle();
  await s.manager.close();
  await s.manager.close();
  assert.equal(s.binding.openHandles, 0);
  assert.equal(s.binding.handleListeners, 0);
  assert.equal(s.manager.listenerCount(), 0);
  assert.equal(s.clock.pendingTimers, 0);
  assert.equal(s.manager.status.reason, 'closed');
  await assert.rejects(s.manager.setRinging(true), (e) => isDeviceError(e, 'closed'));
  s.manager.start(); // Ignored after close.
  await advance(s.clock, 1000);
  assert.equal(s.binding.openHandles, 0);
});

test('H-1 close() during an open in flight, or while retrying, leaks nothing', async () => {
  const opening = setup();
  opening.manager.start();
  opening.clock.advance(0); // The open starts; its promise is not settled yet.
  await opening.manager.close();
  await settle();
  assert.equal(opening.binding.openHandles, 0);
  assert.equal(opening.clock.pendingTimers, 0);

  const retrying = setup({ path: '/dev/nothing' });
  retrying.manager.start();
  await advance(retrying.clock, 3000);
  await retrying.manager.close();
  assert.equal(retrying.clock.pendingTimers, 0);
});

test('an invalid configuration fails loudly at construction', () => {
  const clock = new FakeClock();
  assert.throws(
    () => new DeviceManager({ config: { kind: 'serial' }, clock, serial: new MockSerialBinding() }),
    (e) => isDeviceError(e, 'invalid-config'),
  );
  assert.throws(
    () => new DeviceManager({ config: { kind: 'serial', path: '/dev/x' }, clock }),
    (e) => isDeviceError(e, 'invalid-config'),
  );
});
