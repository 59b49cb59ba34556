// The one domain-event vocabulary shared by every transport (serial board, USB HID, page keyboard):
// the kiosk core never needs to know which one the citizen used.
import type { Emitter } from './emitter.ts';

/** Keys a telephone keypad can produce. */
export const PHONE_KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'] as const;
export type PhoneKey = (typeof PHONE_KEYS)[number];

/** Keys the kiosk accepts from any keypad: phone keys plus the editing keys of keyboard keypads. */
export const KEYPAD_KEYS = [...PHONE_KEYS, 'Backspace', 'Enter'] as const;
export type KeypadKey = (typeof KEYPAD_KEYS)[number];

export function isPhoneKey(value: unknown): value is PhoneKey {
  return typeof value === 'string' && (PHONE_KEYS as readonly string[]).includes(value);
}

export function isKeypadKey(value: unknown): value is KeypadKey {
  return typeof value === 'string' && (KEYPAD_KEYS as readonly string[]).includes(value);
}

export type HandsetSource = 'serial' | 'hid' | 'keyboard';

/**
 * A debounced handset event. `at` is the clock time (ms) when the event was decided: for a hang-up
 * that is when the on-hook had lasted `hangupMinMs`.
 */
export type HandsetEvent =
  | { type: 'offhook'; source: HandsetSource; at: number }
  | { type: 'onhook'; source: HandsetSource; at: number }
  | { type: 'key'; key: KeypadKey; source: HandsetSource; at: number }
  /** The handset's or headset's Phone Mute button was pressed: toggle the microphone (HID only). */
  | { type: 'mute'; source: HandsetSource; at: number };

export type HandsetEventMap = { event: [HandsetEvent] };

/** Anything that produces handset events: the device manager and the keyboard keypad. */
export type HandsetEventSource = Pick<Emitter<HandsetEventMap>, 'on' | 'off'>;

export type DeviceState = 'ok' | 'missing' | 'error';

/**
 * Why the device is in its state. The kiosk page translates these codes; `message` is for technicians.
 * - ok: the device answers.
 * - starting: not opened yet.
 * - missing: no port or HID device matches the configuration.
 * - unplugged: it was open and went away (close/error event or vanished from the device list).
 * - open-failed: it exists but cannot be opened (permissions, busy).
 * - list-failed: the port or HID list could not be read.
 * - silent: the port is open but nothing answers.
 * - garbled: bytes arrive but no valid frame (wrong baud rate, wrong protocol).
 * - no-hello: frames arrive but the board never says hello.
 * - version-mismatch: the board speaks another protocol version.
 * - hid-unavailable: the HID native library (hidraw/libusb) cannot be loaded.
 * - descriptor-unavailable: the HID report descriptor cannot be read and no vendor layout is configured.
 * - no-usable-usages: the HID device has neither a hook switch nor phone keys that we recognise.
 * - closed: the manager was closed.
 */
export type DeviceStatusReason =
  | 'ok'
  | 'starting'
  | 'missing'
  | 'unplugged'
  | 'open-failed'
  | 'list-failed'
  | 'silent'
  | 'garbled'
  | 'no-hello'
  | 'version-mismatch'
  | 'hid-unavailable'
  | 'descriptor-unavailable'
  | 'no-usable-usages'
  | 'closed';

export interface DeviceStatus {
  state: DeviceState;
  reason: DeviceStatusReason;
  /** Technician-readable detail (English, not shown to citizens). */
  message: string;
  /** The port or HID path in use or last tried. */
  path?: string;
  /** Firmware string from the board's hello (serial only). */
  firmware?: string;
}

export type DeviceErrorCode =
  | 'not-found'
  | 'open-failed'
  | 'disconnected'
  | 'closed'
  | 'not-ready'
  | 'unsupported'
  | 'no-ack'
  | 'nack'
  | 'hid-unavailable'
  | 'descriptor-unavailable'
  | 'no-usable-usages'
  | 'list-failed'
  | 'write-failed'
  | 'invalid-config';

/** An error with a machine code the core can branch on, and a message for the technician. */
export class DeviceError extends Error {
  readonly code: DeviceErrorCode;
  constructor(code: DeviceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeviceError';
    this.code = code;
  }
}

export function isDeviceError(error: unknown, code?: DeviceErrorCode): error is DeviceError {
  return error instanceof DeviceError && (code === undefined || error.code === code);
}
