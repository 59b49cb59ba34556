// Binding interfaces: the only surface through which Sportello touches serial ports and HID devices
// (STYLE habit 4, after @serialport/bindings-interface). Real implementations live in node/, mocks with
// the same shape in common/ so that tests, the simulator and the demo all drive the same code.
import type { Emitter } from './emitter.ts';

/** USB identity used to find a device again when it comes back under another path (H-2). */
export interface UsbIdentity {
  vendorId: number;
  productId: number;
  /** Recommended when several identical devices may be connected. */
  serialNumber?: string;
}

export interface SerialPortInfo {
  path: string;
  vendorId?: number;
  productId?: number;
  serialNumber?: string;
  manufacturer?: string;
}

export type SerialHandleEvents = {
  data: [Uint8Array];
  /** The port closed; `error` is set when it was not asked to (unplugged, I/O error). */
  close: [error: Error | undefined];
  error: [Error];
};

export interface SerialHandle extends Pick<Emitter<SerialHandleEvents>, 'on' | 'off' | 'listenerCount'> {
  readonly path: string;
  readonly isOpen: boolean;
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the port; safe to call twice. */
  close(): Promise<void>;
}

export interface SerialBinding {
  list(): Promise<SerialPortInfo[]>;
  /** Rejects with DeviceError 'not-found' when the path does not exist, 'open-failed' otherwise. */
  open(path: string, options: { baudRate: number }): Promise<SerialHandle>;
}

export interface HidDeviceInfo {
  path: string;
  vendorId: number;
  productId: number;
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
  /** Usage page and usage of the interface's first application collection, when the OS tells. */
  usagePage?: number;
  usage?: number;
  interface?: number;
}

export type HidHandleEvents = {
  /** One input report; byte 0 is the report ID when the device uses report IDs. */
  data: [Uint8Array];
  error: [Error];
  close: [error: Error | undefined];
};

export interface HidHandle extends Pick<Emitter<HidHandleEvents>, 'on' | 'off' | 'listenerCount'> {
  readonly path: string;
  /** Rejects with DeviceError 'descriptor-unavailable' when the platform cannot read it. */
  getReportDescriptor(): Promise<Uint8Array>;
  /** Sends one output report; byte 0 is the report ID (0 for devices that number none). */
  write(report: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface HidBinding {
  /** Rejects with DeviceError 'hid-unavailable' when the native library cannot be loaded. */
  devices(): Promise<HidDeviceInfo[]>;
  open(path: string): Promise<HidHandle>;
}

export function matchesIdentity(
  info: { vendorId?: number; productId?: number; serialNumber?: string },
  id: UsbIdentity,
): boolean {
  return (
    info.vendorId === id.vendorId &&
    info.productId === id.productId &&
    (id.serialNumber === undefined || info.serialNumber === id.serialNumber)
  );
}
