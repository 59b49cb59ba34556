// What the kiosk configures for its handset device, and how eagerly it looks for it again.
import type { UsbIdentity } from './bindings.ts';
import type { HidVendorLayoutConfig } from './hid-layout.ts';

export interface SerialDeviceConfig {
  kind: 'serial';
  /**
   * Port path, e.g. /dev/ttyUSB0 or a simulator link. With `match` it only breaks ties between identical
   * boards, and is used alone when the port list cannot be read (no udev).
   */
  path?: string;
  /** Bind by USB identity so the board is found again under another tty name (H-2). */
  match?: UsbIdentity;
  /** Default 115200. */
  baudRate?: number;
}

export interface HidDeviceConfig {
  kind: 'hid';
  path?: string;
  /** `usagePage` picks one interface of a composite device (0x0B telephony, 0x01 keyboards). */
  match?: UsbIdentity & { usagePage?: number };
  /** Report layout for vendor-defined devices; standard devices are read from their descriptor. */
  layout?: HidVendorLayoutConfig;
}

export type DeviceConfig = SerialDeviceConfig | HidDeviceConfig;

export interface ReopenOptions {
  /** First retry delay after a failure or loss. Default 250 ms. */
  reopenMinMs?: number;
  /** Retry delay cap (doubling from the minimum). Default 2000 ms, so a replug is seen within ~2 s. */
  reopenMaxMs?: number;
  /** How often an open HID device is checked against the device list. Default 1000 ms. */
  hidPollIntervalMs?: number;
}

export const REOPEN_DEFAULTS: Required<ReopenOptions> = {
  reopenMinMs: 250,
  reopenMaxMs: 2000,
  hidPollIntervalMs: 1000,
};

/** The configured identity or path, for messages. */
export function describeMatch(config: DeviceConfig): string {
  if (!config.match) return config.path ?? '?';
  const { vendorId, productId, serialNumber } = config.match;
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  return `${hex(vendorId)}:${hex(productId)}${serialNumber ? ` serial ${serialNumber}` : ''}`;
}
