// The HID usages Sportello understands, from the HID Usage Tables (HUT 1.5): the Telephony page for
// USB handsets, the LED page for their indicators, and the Keyboard/Keypad page for keyboard keypads.
// Values are extended usages.
import type { KeypadKey } from './events.ts';
import { usage } from './hid-descriptor.ts';

export const USAGE_PAGE = { KEYBOARD: 0x07, LED: 0x08, TELEPHONY: 0x0b, VENDOR_MIN: 0xff00 } as const;

/** Telephony page: Hook Switch (OOC, 1 = off hook). */
export const HOOK_SWITCH = usage(0x0b, 0x20);
/** Telephony page: Phone Mute (OOC; headsets mostly send it as a relative press that toggles). */
export const PHONE_MUTE = usage(0x0b, 0x2f);

/** The LEDs a telephony device shows (LED page, HUT §11): the host drives them with output reports. */
export const INDICATOR_LEDS = {
  /** Off-Hook (0x17, OOC): the call is up. Headsets that get no acknowledgement drop the hook. */
  'off-hook': usage(0x08, 0x17),
  /** Ring (0x18, OOC): an incoming or waiting call. */
  ring: usage(0x08, 0x18),
  /** Mute (0x09, OOC): the microphone is muted. */
  mute: usage(0x08, 0x09),
} as const;
export type Indicator = keyof typeof INDICATOR_LEDS;
export const INDICATORS = Object.keys(INDICATOR_LEDS) as Indicator[];

/** Telephony page phone keys: 0xB0..0xB9 are digits 0-9, 0xBA is '*', 0xBB is '#'. */
export const TELEPHONY_KEYS: ReadonlyMap<number, KeypadKey> = new Map<number, KeypadKey>([
  ...[...'0123456789'].map((d, i) => [usage(0x0b, 0xb0 + i), d as KeypadKey] as const),
  [usage(0x0b, 0xba), '*'],
  [usage(0x0b, 0xbb), '#'],
]);

const keyboard = (id: number) => usage(0x07, id);

/** Keypad keys that mean the same with or without Shift (the host applies Num Lock, we read the usage). */
const KEYPAD_KEYS: [number, KeypadKey][] = [
  ...[...'123456789'].map((d, i) => [keyboard(0x59 + i), d as KeypadKey] as [number, KeypadKey]),
  [keyboard(0x62), '0'],
  [keyboard(0x55), '*'], // Keypad *
  [keyboard(0xcc), '#'], // Keypad # (rare, but it is the HUT usage for '#')
  [keyboard(0x58), 'Enter'], // Keypad Enter
  [keyboard(0x28), 'Enter'], // Keyboard Return
  [keyboard(0x2a), 'Backspace'], // Keyboard Delete (Backspace)
  [keyboard(0xbb), 'Backspace'], // Keypad Backspace
];

/** Top-row digits: '1'..'9' are 0x1E..0x26, '0' is 0x27. They are digits only without Shift. */
const TOP_ROW_DIGITS: [number, KeypadKey][] = [
  ...[...'123456789'].map((d, i) => [keyboard(0x1e + i), d as KeypadKey] as [number, KeypadKey]),
  [keyboard(0x27), '0'],
];

/** With Shift held, '3 #' gives '#' and '8 *' gives '*' on US-style layouts; other top-row keys give symbols. */
const SHIFTED_SYMBOLS: [number, KeypadKey][] = [
  [keyboard(0x20), '#'],
  [keyboard(0x25), '*'],
];

export const KEYBOARD_KEYS: ReadonlyMap<number, KeypadKey> = new Map([...KEYPAD_KEYS, ...TOP_ROW_DIGITS]);
export const KEYBOARD_KEYS_SHIFTED: ReadonlyMap<number, KeypadKey> = new Map([
  ...KEYPAD_KEYS,
  ...SHIFTED_SYMBOLS,
]);

export const KEYBOARD_SHIFT = new Set([keyboard(0xe1), keyboard(0xe5)]);
/** Keyboard ErrorRollOver: the keyboard cannot tell which keys are down; the report is ignored. */
export const KEYBOARD_ROLLOVER = keyboard(0x01);
