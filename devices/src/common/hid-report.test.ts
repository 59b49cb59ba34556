import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { HidLayout } from './hid-layout.ts';
import {
  HANDSET_REPORTS,
  KEYBOARD_KEYPAD,
  keyboardReport,
  TELEPHONY_HANDSET,
  VENDOR_DEFINED,
  VENDOR_LAYOUT,
  vendorReport,
} from './fixtures/hid-descriptors.ts';
import { parseReportDescriptor } from './hid-descriptor.ts';
import { layoutFromConfig, layoutFromDescriptor } from './hid-layout.ts';
import type { HidTransition } from './hid-report.ts';
import { HidReportDecoder, readBits } from './hid-report.ts';

const fromDescriptor = (bytes: Uint8Array): HidLayout => {
  const layout = layoutFromDescriptor(parseReportDescriptor(bytes));
  assert.ok(layout);
  return layout;
};
const vendor = (): HidLayout => {
  const result = layoutFromConfig(VENDOR_LAYOUT);
  assert.ok(result.ok);
  return result.layout;
};

function run(layout: HidLayout, reports: number[][]): HidTransition[] {
  const decoder = new HidReportDecoder(layout);
  return reports.flatMap((r) => decoder.push(Uint8Array.from(r)));
}

const keysOf = (t: HidTransition[]) => t.flatMap((x) => (x.kind === 'key' ? [x.key] : [])).join('');

test('readBits reads HID bit order (least significant first) across byte boundaries', () => {
  const data = Uint8Array.of(0b1010_0000, 0b0000_0011);
  assert.equal(readBits(data, { reportId: 0, bitOffset: 5, bitSize: 5 }), 0b11101);
  assert.equal(readBits(data, { reportId: 0, bitOffset: 12, bitSize: 8 }), undefined);
});

test('telephony handset: hook transitions and phone keys from recorded-shape reports', () => {
  const layout = fromDescriptor(TELEPHONY_HANDSET);
  const out = run(layout, [
    HANDSET_REPORTS.onHook,
    HANDSET_REPORTS.offHook,
    HANDSET_REPORTS.offHookKey(2), // '1' down
    HANDSET_REPORTS.offHook, // released
    HANDSET_REPORTS.offHookKey(11), // '*'
    HANDSET_REPORTS.offHook,
    HANDSET_REPORTS.offHookKey(12), // '#'
    HANDSET_REPORTS.offHook,
    HANDSET_REPORTS.offHookKey(1), // '0'
    HANDSET_REPORTS.volumeUp, // Another report ID: ignored.
    HANDSET_REPORTS.onHook,
  ]);
  assert.deepEqual(out, [
    { kind: 'hook', offHook: false },
    { kind: 'hook', offHook: true },
    { kind: 'key', key: '1' },
    { kind: 'key', key: '*' },
    { kind: 'key', key: '#' },
    { kind: 'key', key: '0' },
    { kind: 'hook', offHook: false },
  ]);
});

test('keyboard keypad: keypad digits, Enter, Backspace, and Shift+3 as #', () => {
  const layout = fromDescriptor(KEYBOARD_KEYPAD);
  const press = (code: number, mods = 0) => [keyboardReport([code], mods), keyboardReport([])];
  const out = run(layout, [
    ...press(0x59), // Keypad 1
    ...press(0x62), // Keypad 0
    ...press(0x55), // Keypad *
    ...press(0x20, 0x02), // Left Shift + 3 → #
    ...press(0x1f, 0x02), // Left Shift + 2 → '@': not a keypad key
    ...press(0x1f), // 2
    ...press(0x2a), // Backspace
    ...press(0x58), // Keypad Enter
  ]);
  assert.equal(keysOf(out), '10*#2BackspaceEnter');
});

test('vendor-defined device with a vendor layout: inverted cradle contact and ASCII key byte', () => {
  assert.equal(layoutFromDescriptor(parseReportDescriptor(VENDOR_DEFINED)), undefined);
  const out = run(vendor(), [
    vendorReport(true),
    vendorReport(false),
    vendorReport(false, 0x35),
    vendorReport(false),
    vendorReport(false, 0x23),
    vendorReport(false, 0x23),
    vendorReport(true),
  ]);
  assert.deepEqual(out, [
    { kind: 'hook', offHook: false },
    { kind: 'hook', offHook: true },
    { kind: 'key', key: '5' },
    { kind: 'key', key: '#' },
    { kind: 'hook', offHook: false },
  ]);
});

test('H-6 a stuck key counts once however many reports repeat it', () => {
  const layout = fromDescriptor(KEYBOARD_KEYPAD);
  const reports = Array.from({ length: 500 }, () => keyboardReport([0x5d]));
  assert.equal(keysOf(run(layout, reports)), '5');
});

test('H-6 two keys going down in the same report are ignored; rolling presses are not', () => {
  const layout = fromDescriptor(KEYBOARD_KEYPAD);
  const decoder = new HidReportDecoder(layout);
  const chord = decoder.push(Uint8Array.from(keyboardReport([0x59, 0x5a])));
  assert.deepEqual(chord, []);
  assert.equal(decoder.stats.chords, 1);
  decoder.push(Uint8Array.from(keyboardReport([])));
  const rolled = [
    keyboardReport([0x59]),
    keyboardReport([0x59, 0x5a]),
    keyboardReport([0x5a]),
    keyboardReport([]),
  ].flatMap((r) => decoder.push(Uint8Array.from(r)));
  assert.equal(keysOf(rolled), '12');
  // ErrorRollOver (too many keys): the report says nothing reliable and is ignored.
  assert.deepEqual(decoder.push(Uint8Array.from(keyboardReport([1, 1, 1, 1, 1, 1]))), []);
  assert.equal(decoder.stats.rollovers, 1);
});

test('H-3 report decoders never throw on random, short or foreign reports', () => {
  const layouts = [fromDescriptor(TELEPHONY_HANDSET), fromDescriptor(KEYBOARD_KEYPAD), vendor()];
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 50 }), (reports) => {
      for (const layout of layouts) {
        const decoder = new HidReportDecoder(layout);
        let keys = 0;
        for (const r of reports) keys += decoder.push(r).filter((t) => t.kind === 'key').length;
        // At most one key per report: a burst of garbage cannot become a burst of keys.
        assert.ok(keys <= reports.length);
      }
    }),
    { numRuns: 200 },
  );
});
