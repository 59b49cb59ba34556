import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { advance, until } from '../node/testing.ts';
import { FakeClock } from './clock.ts';
import type { HidDeviceConfig } from './device-config.ts';
import { DeviceManager } from './device-manager.ts';
import type { HandsetEvent } from './events.ts';
import { DeviceError, isDeviceError } from './events.ts';
import {
  HANDSET_REPORTS,
  KEYBOARD_KEYPAD,
  keyboardReport,
  TELEPHONY_HANDSET,
  VENDOR_DEFINED,
  VENDOR_LAYOUT,
  vendorReport,
} from './fixtures/hid-descriptors.ts';
import type { MockHidDeviceOptions } from './hid-mock.ts';
import { MockHidBinding } from './hid-mock.ts';

const HANDSET_ID = { vendorId: 0x0b0e, productId: 0x0412, serialNumber: 'H1' };
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function setup(
  device: Partial<MockHidDeviceOptions>,
  config: Partial<HidDeviceConfig> = { path: '/dev/hidraw3' },
) {
  const clock = new FakeClock();
  const binding = new MockHidBinding();
  const hid = binding.addDevice('/dev/hidraw3', { ...HANDSET_ID, usagePage: 0x0b, usage: 0x04, ...device });
  const manager = new DeviceManager({ config: { kind: 'hid', ...config }, clock, hid: binding });
  const events: HandsetEvent[] = [];
  manager.on('event', (e) => events.push(e));
  cleanups.push(() => manager.close());
  const summary = () => events.map((e) => (e.type === 'key' ? e.key : e.type)).join(' ');
  return { clock, binding, hid, manager, events, summary };
}

test('a telephony-page USB handset works from its descriptor alone', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  s.hid.pushReport(HANDSET_REPORTS.offHook);
  await advance(s.clock, 100);
  for (const index of [2, 3, 11, 12]) {
    s.hid.pushReport(HANDSET_REPORTS.offHookKey(index));
    s.hid.pushReport(HANDSET_REPORTS.offHook);
  }
  s.hid.pushReport(HANDSET_REPORTS.onHook);
  await advance(s.clock, 700);
  assert.equal(s.summary(), 'offhook 1 2 * # onhook');
  assert.ok(s.events.every((e) => e.source === 'hid'));
});

test('H-4 hook chatter from a USB handset yields one transition', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  for (let i = 0; i < 5; i++) {
    s.hid.pushReport(HANDSET_REPORTS.offHook);
    await advance(s.clock, 5, 5);
    s.hid.pushReport(HANDSET_REPORTS.onHook);
    await advance(s.clock, 5, 5);
  }
  s.hid.pushReport(HANDSET_REPORTS.offHook);
  await advance(s.clock, 200);
  assert.equal(s.summary(), 'offhook');
});

test('a keyboard keypad works from its descriptor alone', async () => {
  const s = setup({ descriptor: KEYBOARD_KEYPAD, usagePage: 0x01, usage: 0x06 });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  for (const code of [0x59, 0x5a, 0x58]) {
    s.hid.pushReport(keyboardReport([code]));
    s.hid.pushReport(keyboardReport([]));
  }
  await advance(s.clock, 100);
  assert.equal(s.summary(), '1 2 Enter');
});

test('a vendor-defined device needs a layout: without one it says so, with one it works', async () => {
  const without = setup({ descriptor: VENDOR_DEFINED, usagePage: 0xff00 });
  without.manager.start();
  await until(without.clock, () => without.manager.status.state === 'error');
  assert.equal(without.manager.status.reason, 'no-usable-usages');
  assert.match(without.manager.status.message, /hid\.layout/);

  const withLayout = setup(
    { descriptor: VENDOR_DEFINED, usagePage: 0xff00 },
    { path: '/dev/hidraw3', layout: VENDOR_LAYOUT },
  );
  withLayout.manager.start();
  await until(withLayout.clock, () => withLayout.manager.status.state === 'ok');
  withLayout.hid.pushReport(vendorReport(false));
  withLayout.hid.pushReport(vendorReport(false, 0x37));
  withLayout.hid.pushReport(vendorReport(false));
  await advance(withLayout.clock, 100);
  assert.equal(withLayout.summary(), 'offhook 7');
});

test('H-1 a USB handset unplugged mid-call is detected within 3 s and reopened within 5 s of replug', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  s.hid.pushReport(HANDSET_REPORTS.offHook);
  await advance(s.clock, 1000);
  s.hid.unplug();
  const detected = await until(s.clock, () => s.manager.status.state === 'missing');
  assert.ok(detected <= 3000);
  assert.equal(s.binding.openHandles, 0);
  await advance(s.clock, 6000);
  s.hid.replug();
  const reopened = await until(s.clock, () => s.manager.status.state === 'ok');
  assert.ok(reopened <= 5000, `reopened after ${reopened} ms`);
});

test('H-1 a HID device that vanishes from the list without a read error is caught by the presence poll', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  // Leave the list without the read error node-hid usually reports.
  const replug = s.hid.replug.bind(s.hid);
  s.hid.replug('/dev/hidraw9');
  const detected = await until(s.clock, () => s.manager.status.state !== 'ok');
  assert.ok(detected <= 3000, `detected after ${detected} ms`);
  assert.equal(s.manager.status.reason, 'unplugged');
  replug('/dev/hidraw3');
  await until(s.clock, () => s.manager.status.state === 'ok', 5000);
});

test('H-2 a USB handset bound by identity is found again under another hidraw path', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET }, { match: { ...HANDSET_ID, usagePage: 0x0b } });
  s.binding.addDevice('/dev/hidraw2', {
    ...HANDSET_ID,
    usagePage: 0x0c,
    usage: 0x01,
    descriptor: VENDOR_DEFINED,
  });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  assert.equal(s.manager.status.path, '/dev/hidraw3'); // The telephony interface, not the consumer one.
  s.hid.unplug();
  await until(s.clock, () => s.manager.status.state === 'missing');
  s.hid.replug('/dev/hidraw7');
  await until(s.clock, () => s.manager.status.state === 'ok');
  assert.equal(s.manager.status.path, '/dev/hidraw7');
});

test('missing HID library and unreadable descriptors are reported with their own reasons', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET }, { match: HANDSET_ID });
  s.binding.unavailable = new DeviceError('hid-unavailable', 'node-hid cannot load its native library');
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'error');
  assert.equal(s.manager.status.reason, 'hid-unavailable');
  assert.match(s.manager.status.message, /native library/);

  const pathOnly = setup({ descriptor: TELEPHONY_HANDSET });
  pathOnly.binding.unavailable = new DeviceError(
    'hid-unavailable',
    'node-hid cannot load its native library',
  );
  pathOnly.manager.start();
  await until(pathOnly.clock, () => pathOnly.manager.status.state === 'error');
  assert.equal(pathOnly.manager.status.reason, 'hid-unavailable');

  const noDescriptor = setup({});
  noDescriptor.manager.start();
  await until(noDescriptor.clock, () => noDescriptor.manager.status.state === 'error');
  assert.equal(noDescriptor.manager.status.reason, 'descriptor-unavailable');
  assert.equal(noDescriptor.binding.openHandles, 0);
});

test('H-1 ringer commands on HID are refused as unsupported; close() leaks nothing and is idempotent', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET });
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  await assert.rejects(s.manager.setRinging(true), (e) => isDeviceError(e, 'unsupported'));
  s.hid.pushReport(HANDSET_REPORTS.offHook);
  await advance(s.clock, 10);
  await s.manager.close();
  await s.manager.close();
  assert.equal(s.binding.openHandles, 0);
  assert.equal(s.binding.handleListeners, 0);
  assert.equal(s.clock.pendingTimers, 0);
  assert.equal(s.manager.listenerCount(), 0);
});

test('K-2 the open device answers polls: the time since the last one stays below the poll interval', async () => {
  const s = setup({ descriptor: TELEPHONY_HANDSET });
  assert.equal(s.manager.msSinceLastPoll(), undefined, 'nothing open yet');
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  for (let i = 0; i < 5; i++) {
    await advance(s.clock, 1_000);
    assert.ok(s.manager.msSinceLastPoll()! <= 1_000, `${s.manager.msSinceLastPoll()} ms after poll ${i}`);
  }
  // A report is an answer too.
  await advance(s.clock, 500);
  s.hid.pushReport(HANDSET_REPORTS.onHook);
  await advance(s.clock, 0);
  assert.equal(s.manager.msSinceLastPoll(), 0);
});
