// Decodes HID input reports with a layout and turns them into transitions: a hook change, or a key that
// went down. Keys are edge-triggered, so a held or stuck key counts once (H-6); several keys going down
// in the same report are an ambiguous chord (or matrix ghosting) and are ignored.
import type { KeypadKey } from './events.ts';
import type { BitField, HidLayout } from './hid-layout.ts';

export type HidTransition = { kind: 'hook'; offHook: boolean } | { kind: 'key'; key: KeypadKey };

export interface HidDecoderStats {
  reports: number;
  /** Reports of another report ID, or too short for the layout. */
  ignored: number;
  chords: number;
  rollovers: number;
}

/** Reads `bitSize` bits (HID order: least significant bit first) or undefined when out of range. */
export function readBits(data: Uint8Array, field: BitField): number | undefined {
  const { bitOffset, bitSize } = field;
  if (bitSize < 1 || bitSize > 32 || bitOffset < 0 || bitOffset + bitSize > data.length * 8) return undefined;
  let value = 0;
  for (let b = 0; b < bitSize; b++) {
    const bit = bitOffset + b;
    if ((data[bit >> 3]! >> (bit & 7)) & 1) value += 2 ** b;
  }
  return value;
}

export class HidReportDecoder {
  readonly #layout: HidLayout;
  readonly #keysDown = new Map<number, Set<KeypadKey>>();
  #offHook: boolean | undefined;
  #lastHookValue = 0;
  readonly stats: HidDecoderStats = { reports: 0, ignored: 0, chords: 0, rollovers: 0 };

  constructor(layout: HidLayout) {
    this.#layout = layout;
  }

  /** Never throws, whatever the bytes. */
  push(data: Uint8Array): HidTransition[] {
    this.stats.reports++;
    const reportId = this.#layout.numbered ? (data[0] ?? -1) : 0;
    const out: HidTransition[] = [];
    let used = false;
    const hook = this.#layout.hook;
    if (hook && hook.reportId === reportId) {
      const value = readBits(data, hook);
      if (value !== undefined) {
        used = true;
        let offHook: boolean;
        if (hook.toggle) {
          // A relative switch pulses once per press: flip on each rising edge.
          offHook = value !== 0 && this.#lastHookValue === 0 ? !this.#offHook : (this.#offHook ?? false);
          this.#lastHookValue = value;
        } else offHook = hook.offHookValue === undefined ? value !== 0 : value === hook.offHookValue;
        if (offHook !== this.#offHook) {
          this.#offHook = offHook;
          out.push({ kind: 'hook', offHook });
        }
      }
    }
    const keys = this.#keysIn(data, reportId);
    if (keys) {
      used = true;
      const before = this.#keysDown.get(reportId) ?? new Set<KeypadKey>();
      const pressed = [...keys].filter((k) => !before.has(k));
      this.#keysDown.set(reportId, keys);
      if (pressed.length > 1) this.stats.chords++;
      else if (pressed.length === 1) out.push({ kind: 'key', key: pressed[0]! });
    }
    if (!used) this.stats.ignored++;
    return out;
  }

  // The set of keys down according to this report, or undefined when it carries no key fields.
  #keysIn(data: Uint8Array, reportId: number): Set<KeypadKey> | undefined {
    const { keyBits, keyArrays, shiftBits } = this.#layout;
    let carries = false;
    let shift = false;
    for (const s of shiftBits) if (s.reportId === reportId && readBits(data, s)) shift = true;
    const keys = new Set<KeypadKey>();
    for (const k of keyBits) {
      if (k.reportId !== reportId) continue;
      const value = readBits(data, k);
      if (value === undefined) continue;
      carries = true;
      if (value !== 0 && (k.shifted === undefined || k.shifted === shift)) keys.add(k.key);
    }
    for (const a of keyArrays) {
      if (a.reportId !== reportId) continue;
      const table = shift && a.shiftedValues ? a.shiftedValues : a.values;
      for (let i = 0; i < a.count; i++) {
        const value = readBits(data, { ...a, bitOffset: a.bitOffset + i * a.bitSize });
        if (value === undefined) break;
        carries = true;
        if (value === a.rolloverValue) {
          // The keyboard cannot tell which keys are down: keep the previous state.
          this.stats.rollovers++;
          return undefined;
        }
        const key = table.get(value);
        if (key) keys.add(key);
      }
    }
    return carries ? keys : undefined;
  }
}
