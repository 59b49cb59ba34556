import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { KEYBOARD_KEYPAD, TELEPHONY_HANDSET, VENDOR_DEFINED } from './fixtures/hid-descriptors.ts';
import { FIELD_FLAG, parseReportDescriptor, usage, usageAt } from './hid-descriptor.ts';
import { layoutFromConfig, layoutFromDescriptor } from './hid-layout.ts';
import { HOOK_SWITCH } from './hid-usages.ts';

test('telephony handset descriptor: collections, report IDs, hook switch and key pad array', () => {
  const d = parseReportDescriptor(TELEPHONY_HANDSET);
  assert.deepEqual(d.problems, []);
  assert.equal(d.numbered, true);
  assert.deepEqual(d.applications, [usage(0x0b, 0x04), usage(0x0c, 0x01)]);
  assert.equal(d.reportBytes.get('input:2'), 2);
  assert.equal(d.reportBytes.get('output:3'), 1);
  assert.equal(d.reportBytes.get('input:1'), 1);
  const hook = d.fields.find((f) => f.kind === 'input' && f.usages.some((u) => u.min === HOOK_SWITCH));
  assert.ok(hook);
  assert.equal(hook.reportId, 2);
  assert.equal(hook.bitOffset, 0);
  assert.equal(hook.flags & FIELD_FLAG.RELATIVE, 0);
  const keys = d.fields.find(
    (f) => f.kind === 'input' && !(f.flags & FIELD_FLAG.VARIABLE) && f.usages.length > 0,
  );
  assert.ok(keys);
  assert.deepEqual(keys.usages, [{ min: usage(0x0b, 0xb0), max: usage(0x0b, 0xbb) }]);
  assert.deepEqual([keys.bitOffset, keys.reportSize, keys.logicalMin, keys.logicalMax], [8, 4, 1, 12]);
  assert.deepEqual(keys.collections, [usage(0x0b, 0x04), usage(0x0b, 0x06)]);

  const layout = layoutFromDescriptor(d);
  assert.ok(layout);
  assert.equal(layout.origin, 'telephony');
  // Offsets count from the report ID byte as delivered by the OS.
  assert.deepEqual(layout.hook, { reportId: 2, bitOffset: 8, bitSize: 1, toggle: false });
  assert.equal(layout.keyArrays.length, 1);
  assert.equal(layout.keyArrays[0]!.values.get(1), '0');
  assert.equal(layout.keyArrays[0]!.values.get(11), '*');
  assert.equal(layout.keyArrays[0]!.values.get(12), '#');
  assert.equal(layout.keyArrays[0]!.values.has(0), false);
});

test('keyboard keypad descriptor (HID 1.11 boot keyboard): modifiers, reserved byte, six-key array', () => {
  const d = parseReportDescriptor(KEYBOARD_KEYPAD);
  assert.deepEqual(d.problems, []);
  assert.equal(d.numbered, false);
  assert.deepEqual(d.applications, [usage(0x01, 0x06)]);
  assert.equal(d.reportBytes.get('input:0'), 8);
  assert.equal(d.reportBytes.get('output:0'), 1);
  const modifiers = d.fields[0]!;
  assert.equal(usageAt(modifiers, 1), usage(0x07, 0xe1));
  const layout = layoutFromDescriptor(d);
  assert.ok(layout);
  assert.equal(layout.origin, 'keyboard');
  assert.equal(layout.hook, undefined);
  assert.deepEqual(layout.shiftBits, [
    { reportId: 0, bitOffset: 1, bitSize: 1 },
    { reportId: 0, bitOffset: 5, bitSize: 1 },
  ]);
  const keys = layout.keyArrays[0]!;
  assert.deepEqual([keys.bitOffset, keys.bitSize, keys.count, keys.rolloverValue], [16, 8, 6, 1]);
  assert.equal(keys.values.get(0x59), '1');
  assert.equal(keys.values.get(0x62), '0');
  assert.equal(keys.values.get(0x55), '*');
  assert.equal(keys.values.get(0x58), 'Enter');
  assert.equal(keys.values.get(0x2a), 'Backspace');
  assert.equal(keys.values.get(0x1e), '1');
  assert.equal(keys.shiftedValues?.get(0x20), '#');
  assert.equal(keys.shiftedValues?.get(0x1e), undefined);
});

test('vendor-defined descriptor parses but has nothing we recognise; a vendor layout fills the gap', () => {
  const d = parseReportDescriptor(VENDOR_DEFINED);
  assert.deepEqual(d.problems, []);
  assert.deepEqual(d.applications, [usage(0xff00, 0x01)]);
  assert.equal(d.reportBytes.get('input:1'), 7);
  assert.equal(layoutFromDescriptor(d), undefined);
});

test('vendor layout configuration errors name the bad field', () => {
  assert.deepEqual(layoutFromConfig({ reportId: 1, hook: { byte: 0, bit: 1 } }, 'hid.layout'), {
    ok: false,
    error: 'hid.layout.hook.byte must be an integer 1-63',
  });
  assert.equal(layoutFromConfig({ hook: { byte: 1, bit: 9 } }).ok, false);
  assert.equal(layoutFromConfig({ keys: { byte: 1, codes: { '0x31': 'x' } } }).ok, false);
  assert.equal(layoutFromConfig({ keys: { byte: 1, codes: { zero: '0' } } }).ok, false);
  assert.equal(layoutFromConfig({}).ok, false);
  assert.equal(layoutFromConfig(null).ok, false);
  assert.equal(layoutFromConfig({ hook: { byte: 0, bit: 0 } }).ok, true);
});

test('long items, push/pop and 4-byte extended usages are understood', () => {
  const d = parseReportDescriptor(
    Uint8Array.of(
      0xfe,
      0x02,
      0x10,
      0xaa,
      0xbb, // A long item, skipped.
      0x05,
      0x01,
      0xa4,
      0x05,
      0x07,
      0xb4, // Push, change page, pop: back to page 1.
      0x0b,
      0x20,
      0x00,
      0x0b,
      0x00, // Usage (Telephony:Hook Switch) as an extended usage.
      0x15,
      0x00,
      0x25,
      0x01,
      0x75,
      0x01,
      0x95,
      0x01,
      0x81,
      0x02,
      0x09,
      0x30,
      0x75,
      0x07,
      0x81,
      0x02, // Generic Desktop X: the pop restored page 1.
    ),
  );
  assert.deepEqual(d.problems, []);
  assert.equal(d.fields[0]!.usages[0]!.min, HOOK_SWITCH);
  assert.equal(d.fields[1]!.usages[0]!.min, usage(0x01, 0x30));
});

test('H-3 random and truncated descriptors never throw and stay bounded', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
      const d = parseReportDescriptor(bytes);
      assert.ok(d.fields.length <= 1024);
      layoutFromDescriptor(d);
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.nat(), (n) => {
      for (const fixture of [TELEPHONY_HANDSET, KEYBOARD_KEYPAD, VENDOR_DEFINED]) {
        layoutFromDescriptor(parseReportDescriptor(fixture.subarray(0, n % (fixture.length + 1))));
      }
    }),
    { numRuns: 200 },
  );
});

test('H-3 a hostile descriptor (huge counts, deep nesting) is capped with problems reported', () => {
  const deep = new Uint8Array(200).map((_, i) => (i % 2 === 0 ? 0xa1 : 0x01));
  assert.ok(parseReportDescriptor(deep).problems.some((p) => p.includes('deep')));
  const huge = Uint8Array.of(0x75, 0x20, 0x97, 0xff, 0xff, 0xff, 0x7f, 0x81, 0x02);
  const d = parseReportDescriptor(huge);
  assert.equal(d.fields.length, 0);
  assert.ok(d.problems.length > 0);
});
