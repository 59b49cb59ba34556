// Decodes HID input reports with a layout and turns them into transitions: a hook change, a press of
// Phone Mute, or a key that went down. Keys are edge-triggered, so a held or stuck key counts once
// (H-6); several keys going down in the same report are an ambiguous chord (or matrix ghosting) and
// are ignored. The first report of each report ID is the baseline: it sets the hook state, and an
// array of phone keys that holds 0 in it (Logical Minimum 0, so 0 would read as the '0' key) is taken
// to send 0 at rest, so 0 there means no key from then on: such devices type nothing on a hook press.
import type { KeypadKey } from './events.ts';
import type { BitField, HidLayout } from './hid-layout.ts';

export type HidTransition =
  | { kind: 'hook'; offHook: boolean }
  | { kind: 'key'; key: KeypadKey }
  /** Phone Mute was pressed (relative, or an array selector) or changed (absolute): a toggle. */
  | { kind: 'mute' };

// Array selectors that are not keys, edge-triggered like keys.
type Selector = KeypadKey | 'hook-press' | 'mute-press';

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
  readonly #keysDown = new Map<number, Set<Selector>>();
  readonly #seen = new Set<number>();
  /** Indexes of key arrays that showed 0 in their baseline: 0 is "no key" there. */
  readonly #zeroAtRest = new Set<number>();
  #offHook: boolean | undefined;
  #lastHookValue = 0;
  #lastMuteValue: number | undefined;
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
    const baseline = !this.#seen.has(reportId);
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
    const mute = this.#layout.mute;
    if (mute && mute.reportId === reportId) {
      const value = readBits(data, mute);
      if (value !== undefined) {
        used = true;
        const last = this.#lastMuteValue;
        this.#lastMuteValue = value;
        // A relative bit pulses once per press; an absolute one is the device's own state, whose
        // first reading (the baseline) is no press.
        if (mute.toggle ? value !== 0 && (last ?? 0) === 0 : last !== undefined && value !== last) {
          out.push({ kind: 'mute' });
        }
      }
    }
    const keys = this.#keysIn(data, reportId, baseline);
    if (keys) {
      used = true;
      const before = this.#keysDown.get(reportId) ?? new Set<Selector>();
      const pressed = [...keys].filter((k) => !before.has(k));
      this.#keysDown.set(reportId, keys);
      // Hook and mute selectors of telephony keypads are presses of their own, never part of a chord.
      for (const p of pressed) {
        if (p === 'hook-press') {
          this.#offHook = !this.#offHook;
          out.push({ kind: 'hook', offHook: this.#offHook });
        } else if (p === 'mute-press') out.push({ kind: 'mute' });
      }
      const pressedKeys = pressed.filter((k): k is KeypadKey => k !== 'hook-press' && k !== 'mute-press');
      if (pressedKeys.length > 1) this.stats.chords++;
      else if (pressedKeys.length === 1) out.push({ kind: 'key', key: pressedKeys[0]! });
    }
    if (used) this.#seen.add(reportId);
    else this.stats.ignored++;
    return out;
  }

  // The set of keys down according to this report, or undefined when it carries no key fields.
  #keysIn(data: Uint8Array, reportId: number, baseline: boolean): Set<Selector> | undefined {
    const { keyBits, keyArrays, shiftBits } = this.#layout;
    let carries = false;
    let shift = false;
    for (const s of shiftBits) if (s.reportId === reportId && readBits(data, s)) shift = true;
    const keys = new Set<Selector>();
    for (const k of keyBits) {
      if (k.reportId !== reportId) continue;
      const value = readBits(data, k);
      if (value === undefined) continue;
      carries = true;
      if (value !== 0 && (k.shifted === undefined || k.shifted === shift)) keys.add(k.key);
    }
    for (const [index, a] of keyArrays.entries()) {
      if (a.reportId !== reportId) continue;
      const table = shift && a.shiftedValues ? a.shiftedValues : a.values;
      for (let i = 0; i < a.count; i++) {
        const value = readBits(data, { ...a, bitOffset: a.bitOffset + i * a.bitSize });
        if (value === undefined) break;
        carries = true;
        if (value === 0 && a.zeroIsKey) {
          if (baseline) this.#zeroAtRest.add(index);
          if (this.#zeroAtRest.has(index)) continue;
        }
        if (value === a.hookValue) {
          keys.add('hook-press');
          continue;
        }
        if (value === a.muteValue) {
          keys.add('mute-press');
          continue;
        }
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
