// How the handset device's vocabulary becomes the kiosk's: physical keys become the same keypad keys
// as the on-screen keypad, and the device's status becomes the short status the page shows. Type-only
// imports from the devices package keep this (and the core) free of native modules, so that the
// Electron bundle need not carry them.
import type { HandsetStatus, KioskState, KeypadKey as ScreenKey } from '@sportello/protocol';
import type { DeviceStatus, Indicator, KeypadKey as DeviceKey } from '@sportello/devices/common';

/**
 * A physical key as the on-screen keypad would send it. A telephone keypad has no Delete or Confirm
 * key, so '#' confirms (as on phone menus) and '*' deletes the last digit; keyboard keypads send
 * Enter and Backspace, which mean the same.
 */
export function screenKeyFor(key: DeviceKey): ScreenKey {
  switch (key) {
    case '#':
    case 'Enter':
      return 'enter';
    case '*':
    case 'Backspace':
      return 'back';
    default:
      return key;
  }
}

/** The page's view of a device status; `offHook` is kept by the core from the hook events. */
export function handsetStatusFor(status: DeviceStatus, offHook: boolean): HandsetStatus {
  const state = status.reason === 'starting' ? 'starting' : status.state;
  return { state, reason: status.reason, offHook };
}

/**
 * What a HID handset's or headset's LEDs show for a kiosk state: Off-Hook while the handset is lifted
 * or a call is asked for or up (headsets take it as the acknowledgement of their hook switch), Ring
 * while the citizen waits for an operator to answer, Mute while the call is muted.
 */
export function indicatorsFor(state: KioskState): Record<Indicator, boolean> {
  const s = state.screen.screen;
  const handset = state.devices?.handset;
  const inCall = s === 'waiting' || s === 'in-call';
  return {
    'off-hook': inCall || (handset?.offHook ?? false),
    ring: s === 'waiting',
    mute: inCall && (handset?.muted ?? false),
  };
}
