// Helpers for the provisioning CLI: list what could be the handset, and watch a configured device live.
// Listing tolerates a machine without udev or libusb: each missing piece becomes a problem entry with a
// clear message instead of an exception.
import type { HidBinding, HidDeviceInfo, SerialBinding, SerialPortInfo } from '../common/bindings.ts';
import type { TraceEntry } from '../common/board-session.ts';
import type { DeviceConfig } from '../common/device-config.ts';
import type { DeviceErrorCode, DeviceStatus, HandsetEvent } from '../common/events.ts';
import { isDeviceError } from '../common/events.ts';
import type { NodeDeviceManagerOptions } from './create-device-manager.ts';
import { createDeviceManager } from './create-device-manager.ts';
import { nodeHidBinding } from './hid-node.ts';
import { nodeSerialBinding } from './serial-port.ts';

export type HidKindGuess = 'telephony' | 'keyboard' | 'vendor' | 'other';

export interface CandidateList {
  serial: SerialPortInfo[];
  hid: (HidDeviceInfo & { guess: HidKindGuess })[];
  problems: { source: 'serial' | 'hid'; code: DeviceErrorCode; message: string }[];
}

/** Lists serial ports and HID devices that could be the handset or keypad. */
export async function listCandidates(
  bindings: { serial?: SerialBinding; hid?: HidBinding } = {},
): Promise<CandidateList> {
  const serial = bindings.serial ?? nodeSerialBinding;
  const hid = bindings.hid ?? nodeHidBinding;
  const out: CandidateList = { serial: [], hid: [], problems: [] };
  const problem = (source: 'serial' | 'hid', error: unknown, fallback: DeviceErrorCode) =>
    out.problems.push({
      source,
      code: isDeviceError(error) ? error.code : fallback,
      message: error instanceof Error ? error.message : String(error),
    });
  const [ports, devices] = await Promise.allSettled([serial.list(), hid.devices()]);
  if (ports.status === 'fulfilled') out.serial = ports.value;
  else problem('serial', ports.reason, 'list-failed');
  if (devices.status === 'fulfilled') out.hid = devices.value.map((d) => ({ ...d, guess: guessHid(d) }));
  else problem('hid', devices.reason, 'hid-unavailable');
  return out;
}

/** A first guess from the interface's top-level usage; the descriptor decides when the device is opened. */
export function guessHid(info: Pick<HidDeviceInfo, 'usagePage' | 'usage'>): HidKindGuess {
  if (info.usagePage === 0x0b) return 'telephony';
  if (info.usagePage === 0x01 && (info.usage === 0x06 || info.usage === 0x07)) return 'keyboard';
  if (info.usagePage !== undefined && info.usagePage >= 0xff00) return 'vendor';
  return 'other';
}

export type WatchEvent =
  | { kind: 'event'; event: HandsetEvent }
  | { kind: 'status'; status: DeviceStatus }
  | { kind: 'trace'; trace: TraceEntry };

export interface DeviceWatch {
  /** Status at the time of the call, then each change arrives as a 'status' watch event. */
  readonly status: DeviceStatus;
  /** Sends ring/LED commands, for the technician to test outputs. */
  setRinging(on: boolean): Promise<void>;
  setLed(on: boolean, led?: number): Promise<void>;
  /** Stops watching and releases the device; safe to call twice. */
  close(): Promise<void>;
}

/** Opens a configured device and reports its events, status changes and raw traffic until closed. */
export function watchDevice(
  config: DeviceConfig,
  onEvent: (event: WatchEvent) => void,
  options: NodeDeviceManagerOptions & { trace?: boolean } = {},
): DeviceWatch {
  const { trace = true, ...managerOptions } = options;
  const manager = createDeviceManager(config, managerOptions);
  manager.on('event', (event) => onEvent({ kind: 'event', event }));
  manager.on('status', (status) => onEvent({ kind: 'status', status }));
  if (trace) manager.on('trace', (entry) => onEvent({ kind: 'trace', trace: entry }));
  manager.start();
  return {
    get status() {
      return manager.status;
    },
    setRinging: (on) => manager.setRinging(on),
    setLed: (on, led) => manager.setLed(on, led),
    close: () => manager.close(),
  };
}
