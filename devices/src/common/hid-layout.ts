// Where the hook switch and the keys sit in a device's input reports. Built from the report descriptor
// for standard devices (Telephony page handsets, Keyboard page keypads), so common USB handsets work
// without per-model code; built from a small configuration for vendor-defined reports.
import type { KeypadKey } from './events.ts';
import { isKeypadKey } from './events.ts';
import type { HidDescriptor, HidField } from './hid-descriptor.ts';
import { FIELD_FLAG, indexOfUsage, usageAt } from './hid-descriptor.ts';
import {
  HOOK_SWITCH,
  INDICATOR_LEDS,
  INDICATORS,
  PHONE_MUTE,
  type Indicator,
  KEYBOARD_KEYS,
  KEYBOARD_KEYS_SHIFTED,
  KEYBOARD_ROLLOVER,
  KEYBOARD_SHIFT,
  TELEPHONY_KEYS,
} from './hid-usages.ts';

/** A bit range in a report as delivered by the OS: offset 0 is the first byte (the report ID if numbered). */
export interface BitField {
  reportId: number;
  bitOffset: number;
  bitSize: number;
}

export interface HookLocator extends BitField {
  /** Off-hook when the value equals this; any non-zero value when undefined. */
  offHookValue?: number;
  /** Relative hook switches report a pulse per press: each pulse toggles the state. */
  toggle: boolean;
}

export interface KeyArrayLocator extends BitField {
  count: number;
  values: ReadonlyMap<number, KeypadKey>;
  /** Values that apply while a Shift bit of the same report is set (keyboard page only). */
  shiftedValues?: ReadonlyMap<number, KeypadKey>;
  rolloverValue?: number;
  /** Values of the array that select Hook Switch and Phone Mute: momentary presses, each a toggle. */
  hookValue?: number;
  muteValue?: number;
  /**
   * True when 0 is the value of a key (Logical Minimum 0 over a key usage). Such devices often send 0
   * at rest: when the first report shows 0 here, 0 is taken as "no key" from then on.
   */
  zeroIsKey: boolean;
}

/** Phone Mute as a bit: absolute (1 = muted) or relative (a pulse per press). */
export interface MuteLocator extends BitField {
  toggle: boolean;
}

/**
 * Where the indicator LEDs sit in the device's output reports, found from the descriptor. Offsets
 * count from the first data byte (the report ID, always written as byte 0, is not counted).
 */
export interface HidOutputLayout {
  leds: Partial<Record<Indicator, BitField>>;
  /** Data bytes of each output report that holds an LED, keyed by report ID (0 when not numbered). */
  reportBytes: Map<number, number>;
}

export interface HidLayout {
  origin: 'telephony' | 'keyboard' | 'vendor';
  numbered: boolean;
  hook?: HookLocator;
  keyBits: (BitField & { key: KeypadKey; shifted?: boolean })[];
  keyArrays: KeyArrayLocator[];
  shiftBits: BitField[];
  mute?: MuteLocator;
  /** Present when the device has at least one of the Off-Hook, Ring and Mute LEDs. */
  outputs?: HidOutputLayout;
}

/** Finds the hook switch and keys in a parsed descriptor; undefined when there is nothing we know. */
export function layoutFromDescriptor(descriptor: HidDescriptor): HidLayout | undefined {
  const layout: HidLayout = {
    origin: 'keyboard',
    numbered: descriptor.numbered,
    keyBits: [],
    keyArrays: [],
    shiftBits: [],
  };
  let telephony = false;
  const idBits = descriptor.numbered ? 8 : 0;
  for (const field of descriptor.fields) {
    if (
      field.kind !== 'input' ||
      field.usages.length === 0 ||
      field.reportSize === 0 ||
      field.reportSize > 32
    )
      continue;
    const at = (index: number): BitField => ({
      reportId: field.reportId,
      bitOffset: idBits + field.bitOffset + index * field.reportSize,
      bitSize: field.reportSize,
    });
    // Some devices mark real inputs Constant; a field with usages is read whatever its flags say.
    if (field.flags & FIELD_FLAG.VARIABLE) {
      for (let i = 0; i < Math.min(field.reportCount, 1024); i++) {
        const u = usageAt(field, i);
        if (u === undefined) continue;
        if (u === HOOK_SWITCH && !layout.hook) {
          layout.hook = { ...at(i), toggle: (field.flags & FIELD_FLAG.RELATIVE) !== 0 };
          telephony = true;
        } else if (u === PHONE_MUTE && !layout.mute) {
          layout.mute = { ...at(i), toggle: (field.flags & FIELD_FLAG.RELATIVE) !== 0 };
        } else if (TELEPHONY_KEYS.has(u)) {
          layout.keyBits.push({ ...at(i), key: TELEPHONY_KEYS.get(u)! });
          telephony = true;
        } else if (KEYBOARD_SHIFT.has(u)) layout.shiftBits.push(at(i));
        else if (KEYBOARD_KEYS.has(u) || KEYBOARD_KEYS_SHIFTED.has(u)) pushKeyboardBits(layout, at(i), u);
      }
    } else {
      const telephonyValues = valueMap(field, TELEPHONY_KEYS);
      const keyboardValues = valueMap(field, KEYBOARD_KEYS);
      const hookIndex = indexOfUsage(field, HOOK_SWITCH);
      const muteIndex = indexOfUsage(field, PHONE_MUTE);
      if (telephonyValues.size > 0 || hookIndex >= 0) {
        layout.keyArrays.push({
          ...at(0),
          count: Math.min(field.reportCount, 64),
          values: telephonyValues,
          zeroIsKey: telephonyValues.has(0),
          ...(hookIndex >= 0 ? { hookValue: hookIndex + field.logicalMin } : {}),
          ...(muteIndex >= 0 ? { muteValue: muteIndex + field.logicalMin } : {}),
        });
        telephony = true;
      } else if (keyboardValues.size > 0) {
        const rollover = indexOfUsage(field, KEYBOARD_ROLLOVER);
        layout.keyArrays.push({
          ...at(0),
          count: Math.min(field.reportCount, 64),
          values: keyboardValues,
          shiftedValues: valueMap(field, KEYBOARD_KEYS_SHIFTED),
          zeroIsKey: keyboardValues.has(0),
          ...(rollover >= 0 ? { rolloverValue: rollover + field.logicalMin } : {}),
        });
      }
    }
  }
  if (!layout.hook && layout.keyBits.length === 0 && layout.keyArrays.length === 0) return undefined;
  if (telephony) layout.origin = 'telephony';
  const outputs = outputsFromDescriptor(descriptor);
  if (outputs) layout.outputs = outputs;
  return layout;
}

/** The Off-Hook, Ring and Mute LEDs among the output fields (variable items of the LED page). */
export function outputsFromDescriptor(descriptor: HidDescriptor): HidOutputLayout | undefined {
  const leds: Partial<Record<Indicator, BitField>> = {};
  const reportBytes = new Map<number, number>();
  for (const field of descriptor.fields) {
    if (field.kind !== 'output' || !(field.flags & FIELD_FLAG.VARIABLE) || field.reportSize === 0) continue;
    for (let i = 0; i < Math.min(field.reportCount, 256); i++) {
      const u = usageAt(field, i);
      const name = INDICATORS.find((n) => INDICATOR_LEDS[n] === u);
      if (!name || leds[name]) continue;
      leds[name] = {
        reportId: field.reportId,
        bitOffset: field.bitOffset + i * field.reportSize,
        bitSize: field.reportSize,
      };
      reportBytes.set(field.reportId, descriptor.reportBytes.get(`output:${field.reportId}`) ?? 0);
    }
  }
  return reportBytes.size > 0 ? { leds, reportBytes } : undefined;
}

// A keyboard that reports keys as a bitmap (N-key rollover) instead of an array.
function pushKeyboardBits(layout: HidLayout, bits: BitField, u: number): void {
  const plain = KEYBOARD_KEYS.get(u);
  const shifted = KEYBOARD_KEYS_SHIFTED.get(u);
  if (plain && plain === shifted) layout.keyBits.push({ ...bits, key: plain });
  else {
    if (plain) layout.keyBits.push({ ...bits, key: plain, shifted: false });
    if (shifted) layout.keyBits.push({ ...bits, key: shifted, shifted: true });
  }
}

// Array fields report usage indexes: value - logicalMin indexes the usage list.
function valueMap(field: HidField, table: ReadonlyMap<number, KeypadKey>): Map<number, KeypadKey> {
  const values = new Map<number, KeypadKey>();
  for (const [u, key] of table) {
    const index = indexOfUsage(field, u);
    const value = index + field.logicalMin;
    if (index >= 0 && value <= field.logicalMax) values.set(value, key);
  }
  return values;
}

/**
 * Configuration for devices with vendor-defined reports (usage page 0xFF00+), written by the
 * technician from a hex dump of the reports. Byte offsets count from the first byte of the report as
 * the OS delivers it: byte 0 is the report ID when the device uses report IDs.
 */
export interface HidVendorLayoutConfig {
  /** Report ID in byte 0 of the reports that carry hook and keys; omit for devices without report IDs. */
  reportId?: number;
  /** Hook switch bit; `offHookValue` is the bit value meaning off-hook (default 1). */
  hook?: { byte: number; bit: number; offHookValue?: 0 | 1 };
  /** A byte holding the code of the key currently down (0 or any unlisted code = none), and code → key. */
  keys?: { byte: number; codes: Record<string, string> };
}

export type LayoutResult = { ok: true; layout: HidLayout } | { ok: false; error: string };

/** Validates a vendor layout (e.g. from a JSON config file) with messages naming the bad field. */
export function layoutFromConfig(config: unknown, name = 'layout'): LayoutResult {
  const fail = (field: string, why: string): LayoutResult => ({
    ok: false,
    error: `${name}.${field} ${why}`,
  });
  if (typeof config !== 'object' || config === null) return { ok: false, error: `${name} must be an object` };
  const c = config as Record<string, unknown>;
  const numbered = c.reportId !== undefined;
  if (numbered && !isInt(c.reportId, 1, 255)) return fail('reportId', 'must be an integer 1-255');
  const reportId = numbered ? (c.reportId as number) : 0;
  const minByte = numbered ? 1 : 0;
  const layout: HidLayout = { origin: 'vendor', numbered, keyBits: [], keyArrays: [], shiftBits: [] };
  if (c.hook !== undefined) {
    const h = c.hook as Record<string, unknown>;
    if (typeof h !== 'object' || h === null) return fail('hook', 'must be an object');
    if (!isInt(h.byte, minByte, 63)) return fail('hook.byte', `must be an integer ${minByte}-63`);
    if (!isInt(h.bit, 0, 7)) return fail('hook.bit', 'must be an integer 0-7');
    if (h.offHookValue !== undefined && h.offHookValue !== 0 && h.offHookValue !== 1) {
      return fail('hook.offHookValue', 'must be 0 or 1');
    }
    layout.hook = {
      reportId,
      bitOffset: (h.byte as number) * 8 + (h.bit as number),
      bitSize: 1,
      offHookValue: (h.offHookValue as 0 | 1 | undefined) ?? 1,
      toggle: false,
    };
  }
  if (c.keys !== undefined) {
    const k = c.keys as Record<string, unknown>;
    if (typeof k !== 'object' || k === null) return fail('keys', 'must be an object');
    if (!isInt(k.byte, minByte, 63)) return fail('keys.byte', `must be an integer ${minByte}-63`);
    if (typeof k.codes !== 'object' || k.codes === null) return fail('keys.codes', 'must map codes to keys');
    const values = new Map<number, KeypadKey>();
    for (const [code, key] of Object.entries(k.codes as Record<string, unknown>)) {
      const value = Number(code);
      if (!isInt(value, 1, 255)) return fail(`keys.codes["${code}"]`, 'code must be 1-255 (decimal or 0x..)');
      if (!isKeypadKey(key)) return fail(`keys.codes["${code}"]`, 'must be one of 0-9 * # Backspace Enter');
      values.set(value, key);
    }
    layout.keyArrays.push({
      reportId,
      bitOffset: (k.byte as number) * 8,
      bitSize: 8,
      count: 1,
      values,
      zeroIsKey: false,
    });
  }
  if (!layout.hook && layout.keyArrays.length === 0)
    return { ok: false, error: `${name} needs hook or keys` };
  return { ok: true, layout };
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
