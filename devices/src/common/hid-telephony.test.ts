// Telephony handsets and headsets as they exist: phone-key arrays that send 0 at rest, Phone Mute,
// and the Off-Hook, Ring and Mute LEDs written as output reports found from the descriptor.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { advance, until } from '../node/testing.ts';
import { FakeClock } from './clock.ts';
import { indicatorReports } from './device-link.ts';
import { DeviceManager } from './device-manager.ts';
import type { HandsetEvent } from './events.ts';
import { isDeviceError } from './events.ts';
import {
  CARPLAY_REPORTS,
  CARPLAY_TELEPHONY_KEYPAD,
  CIRCUITPYTHON_HEADSET,
  HANDSET_ZERO_AT_REST,
  headsetReport,
  KEYBOARD_KEYPAD,
  TELEPHONY_HANDSET,
  zeroAtRestReport,
} from './fixtures/hid-descriptors.ts';
import { parseReportDescriptor } from './hid-descriptor.ts';
import { layoutFromDescriptor } from './hid-layout.ts';
import { MockHidBinding } from './hid-mock.ts';
import { HidReportDecoder, type HidTransition } from './hid-report.ts';

function decoder(descriptor: Uint8Array) {
  const parsed = parseReportDescriptor(descriptor);
  assert.deepEqual(parsed.problems, []);
  const layout = layoutFromDescriptor(parsed);
  assert.ok(layout);
  return { layout, d: new HidReportDecoder(layout) };
}

const show = (ts: HidTransition[]) =>
  ts.map((t) => (t.kind === 'key' ? t.key : t.kind === 'hook' ? (t.offHook ? 'lift' : 'hang') : 'mute'));

function run(d: HidReportDecoder, reports: number[][]): string[] {
  return reports.flatMap((r) => show(d.push(Uint8Array.from(r))));
}

test('H-6 a handset whose phone-key array sends 0 at rest types nothing on a hook press', () => {
  const { d } = decoder(HANDSET_ZERO_AT_REST);
  const out = run(d, [
    zeroAtRestReport(false), // the baseline: 0 in the key array is "no key" from now on
    zeroAtRestReport(true),
    zeroAtRestReport(false),
    zeroAtRestReport(true),
    zeroAtRestReport(true, 5), // Phone Key 5
    zeroAtRestReport(true), // released: back to 0, which is not a '0'
    zeroAtRestReport(true, 11), // Pound
    zeroAtRestReport(true),
    zeroAtRestReport(false),
  ]);
  // The baseline tells the hook state (on the hook) and nothing else: no '0' anywhere.
  assert.deepEqual(out, ['hang', 'lift', 'hang', 'lift', '5', '#', 'hang']);
});

test('H-6 the first report is the baseline even when it comes with the lift', () => {
  // Many devices report nothing until something changes: the first report is the lift itself.
  const { d } = decoder(HANDSET_ZERO_AT_REST);
  assert.deepEqual(run(d, [zeroAtRestReport(true), zeroAtRestReport(true, 3), zeroAtRestReport(true)]), [
    'lift',
    '3',
  ]);
});

test('H-6 a key array whose 0 is Usage 0 (Apple CarPlay telephony keypad): hook, mute and keys as selectors', () => {
  const { layout, d } = decoder(CARPLAY_TELEPHONY_KEYPAD);
  assert.equal(layout.origin, 'telephony');
  const out = run(d, [
    CARPLAY_REPORTS.none,
    CARPLAY_REPORTS.hook, // a press of the hook button: off hook
    CARPLAY_REPORTS.none,
    CARPLAY_REPORTS.key(0), // the real '0' key
    CARPLAY_REPORTS.none,
    CARPLAY_REPORTS.key(7),
    CARPLAY_REPORTS.none,
    CARPLAY_REPORTS.mute,
    CARPLAY_REPORTS.none,
    CARPLAY_REPORTS.star,
    CARPLAY_REPORTS.none,
    CARPLAY_REPORTS.hook, // pressed again: on hook
    CARPLAY_REPORTS.none,
  ]);
  assert.deepEqual(out, ['lift', '0', '7', 'mute', '*', 'hang']);
});

test('a phone-key array with Logical Minimum 0 that rests outside its range keeps 0 as the 0 key', () => {
  const { d } = decoder(HANDSET_ZERO_AT_REST);
  const out = run(d, [
    zeroAtRestReport(true, 0x0f), // at rest: 15, beyond Logical Maximum 11, is no key
    zeroAtRestReport(true, 0), // Phone Key 0
    zeroAtRestReport(true, 0x0f),
    zeroAtRestReport(true, 9),
  ]);
  assert.deepEqual(out, ['lift', '0', '9']);
});

test('a keyboard keypad (0 is Usage 0, no event) still types its keypad 0', () => {
  const { d } = decoder(KEYBOARD_KEYPAD);
  const keypad0 = 0x62;
  const out = run(d, [
    [0, 0, 0, 0, 0, 0, 0, 0],
    [0, 0, keypad0, 0, 0, 0, 0, 0],
    [0, 0, 0, 0, 0, 0, 0, 0],
  ]);
  assert.deepEqual(out, ['0']);
});

test('Phone Mute: relative presses, and absolute changes after the baseline, are mute events', () => {
  const rel = decoder(HANDSET_ZERO_AT_REST).d;
  assert.deepEqual(
    run(rel, [
      zeroAtRestReport(true),
      zeroAtRestReport(true, 0, true),
      zeroAtRestReport(true),
      zeroAtRestReport(true, 0, true),
      zeroAtRestReport(true, 0, true), // held: one press
      zeroAtRestReport(true),
    ]),
    ['lift', 'mute', 'mute'],
  );
  const abs = decoder(CIRCUITPYTHON_HEADSET).d;
  assert.deepEqual(
    run(abs, [
      headsetReport(true, true), // already muted when first heard: the device's state, no press
      headsetReport(true, false),
      headsetReport(true, true),
      headsetReport(true, true),
      headsetReport(false, true),
    ]),
    ['lift', 'mute', 'mute', 'hang'],
  );
});

test('the Off-Hook, Ring and Mute LEDs are found in the output reports of each fixture', () => {
  const leds = (descriptor: Uint8Array) => layoutFromDescriptor(parseReportDescriptor(descriptor))!.outputs;
  const headset = leds(CIRCUITPYTHON_HEADSET)!;
  assert.deepEqual(headset.leds, {
    mute: { reportId: 2, bitOffset: 0, bitSize: 1 },
    'off-hook': { reportId: 2, bitOffset: 1, bitSize: 1 },
    ring: { reportId: 2, bitOffset: 2, bitSize: 1 },
  });
  const state = (offHook: boolean, ring: boolean, mute: boolean) => ({ 'off-hook': offHook, ring, mute });
  assert.deepEqual(indicatorReports(headset, state(true, false, true)), [Uint8Array.from([2, 0b011])]);
  assert.deepEqual(indicatorReports(leds(TELEPHONY_HANDSET)!, state(true, true, false)), [
    Uint8Array.from([3, 0b011]),
  ]);
  assert.deepEqual(indicatorReports(leds(HANDSET_ZERO_AT_REST)!, state(false, false, true)), [
    Uint8Array.from([2, 0b100]),
  ]);
  assert.equal(leds(CARPLAY_TELEPHONY_KEYPAD), undefined, 'a keypad without LEDs has no outputs');
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function headset(descriptor = CIRCUITPYTHON_HEADSET) {
  const clock = new FakeClock();
  const binding = new MockHidBinding();
  const hid = binding.addDevice('/dev/hidraw1', { vendorId: 0x239a, productId: 0x8029, descriptor });
  const manager = new DeviceManager({ config: { kind: 'hid', path: '/dev/hidraw1' }, clock, hid: binding });
  const events: HandsetEvent[] = [];
  manager.on('event', (e) => events.push(e));
  cleanups.push(() => manager.close());
  return { clock, binding, hid, manager, events };
}

test('output reports: all off when opened, then the call state; kept across an unplug', async () => {
  const s = headset();
  s.manager.start();
  await until(s.clock, () => s.hid.lastWrite !== undefined);
  assert.deepEqual(s.hid.lastWrite, Uint8Array.from([2, 0]), 'no LED left on from before');
  await s.manager.setIndicator('off-hook', true);
  assert.deepEqual(s.hid.lastWrite, Uint8Array.from([2, 0b010]));
  await s.manager.setIndicator('ring', true);
  assert.deepEqual(s.hid.lastWrite, Uint8Array.from([2, 0b110]));
  await s.manager.setIndicator('mute', true);
  await s.manager.setIndicator('ring', false);
  assert.deepEqual(s.hid.lastWrite, Uint8Array.from([2, 0b011]));
  s.hid.unplug();
  await until(s.clock, () => s.manager.status.reason === 'unplugged');
  await assert.rejects(s.manager.setIndicator('ring', true), (e) => isDeviceError(e, 'not-ready'));
  const before = s.hid.writes.length;
  s.hid.replug();
  await until(s.clock, () => s.hid.writes.length > before);
  assert.deepEqual(s.hid.lastWrite, Uint8Array.from([2, 0b111]), 'the wish made while away is shown');
});

test('mute events reach the event stream; a device without LEDs says unsupported', async () => {
  const s = headset(CARPLAY_TELEPHONY_KEYPAD);
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  for (const r of [CARPLAY_REPORTS.none, CARPLAY_REPORTS.hook, CARPLAY_REPORTS.none, CARPLAY_REPORTS.mute])
    s.hid.pushReport(r);
  await advance(s.clock, 100);
  assert.deepEqual(
    s.events.map((e) => e.type),
    ['offhook', 'mute'],
  );
  await assert.rejects(s.manager.setIndicator('off-hook', true), (e) => isDeviceError(e, 'unsupported'));
  assert.equal(s.hid.writes.length, 0);
});

test('a headset that refuses output reports still works for hook and mute', async () => {
  const s = headset();
  s.hid.failWrites = new Error('EPIPE');
  s.manager.start();
  await until(s.clock, () => s.manager.status.state === 'ok');
  await assert.rejects(s.manager.setIndicator('off-hook', true), (e) => isDeviceError(e, 'write-failed'));
  s.hid.pushReport(headsetReport(false));
  s.hid.pushReport(headsetReport(true));
  s.hid.pushReport(headsetReport(true, true));
  await advance(s.clock, 100);
  assert.deepEqual(
    s.events.map((e) => e.type),
    ['offhook', 'mute'],
  );
  assert.equal(s.manager.status.state, 'ok');
});
