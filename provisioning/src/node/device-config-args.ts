// The device to open, from the command line or from a JSON file: the same DeviceConfig the kiosk is
// given. Every mistake becomes a UsageError naming the option or the field.
import { readFileSync } from 'node:fs';
import type { DeviceConfig } from '@sportello/devices';
import { UsageError } from './command.ts';

export interface DeviceArgs {
  serial?: string | undefined;
  hid?: string | undefined;
  match?: string | undefined;
  kind?: string | undefined;
  baud?: string | undefined;
  config?: string | undefined;
}

export const DEVICE_OPTIONS = {
  serial: { type: 'string' },
  hid: { type: 'string' },
  match: { type: 'string' },
  kind: { type: 'string' },
  baud: { type: 'string' },
  config: { type: 'string' },
} as const;

export const DEVICE_HELP = `device (one of):
  --serial PATH               a controller board on this serial port (e.g. /dev/ttyACM0, a simulator link)
  --hid PATH                  a USB HID handset or keypad (e.g. /dev/hidraw0)
  --match VID:PID[:SERIAL]    find it by USB identity (hex ids), with --kind serial|hid (default serial);
                              --serial/--hid PATH then only breaks ties
  --config FILE               a JSON file with the kiosk's DeviceConfig, or an object with a "device" field
  --baud N                    serial speed (default 115200)`;

export function hasDeviceArgs(a: DeviceArgs): boolean {
  return [a.serial, a.hid, a.match, a.kind, a.baud, a.config].some((v) => v !== undefined);
}

/** The DeviceConfig described by the options; undefined when none was given. */
export function deviceConfigFrom(
  a: DeviceArgs,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): DeviceConfig | undefined {
  if (!hasDeviceArgs(a)) return undefined;
  if (a.config !== undefined) {
    if (a.serial ?? a.hid ?? a.match ?? a.kind ?? a.baud)
      throw new UsageError('--config cannot be combined with other device options');
    return fromFile(a.config, readFile);
  }
  if (a.serial !== undefined && a.hid !== undefined) throw new UsageError('give --serial or --hid, not both');
  const kind = a.kind ?? (a.hid !== undefined ? 'hid' : 'serial');
  if (kind !== 'serial' && kind !== 'hid')
    throw new UsageError(`--kind must be serial or hid, not "${kind}"`);
  if ((kind === 'serial' && a.hid !== undefined) || (kind === 'hid' && a.serial !== undefined))
    throw new UsageError(`--kind ${kind} does not go with --${kind === 'serial' ? 'hid' : 'serial'}`);
  const path = a.serial ?? a.hid;
  const match = a.match === undefined ? undefined : parseMatch(a.match);
  if (path === undefined && match === undefined)
    throw new UsageError('give --serial PATH, --hid PATH or --match');
  if (kind === 'hid') {
    if (a.baud !== undefined) throw new UsageError('--baud applies to serial devices only');
    return { kind, ...(path !== undefined ? { path } : {}), ...(match ? { match } : {}) };
  }
  const baudRate = a.baud === undefined ? undefined : parseBaud(a.baud, '--baud');
  return {
    kind,
    ...(path !== undefined ? { path } : {}),
    ...(match ? { match } : {}),
    ...(baudRate !== undefined ? { baudRate } : {}),
  };
}

function parseMatch(text: string): { vendorId: number; productId: number; serialNumber?: string } {
  const m = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})(?::(.+))?$/.exec(text);
  if (!m) throw new UsageError(`--match must look like 1209:5e11 or 1209:5e11:SERIAL, not "${text}"`);
  return {
    vendorId: parseInt(m[1]!, 16),
    productId: parseInt(m[2]!, 16),
    ...(m[3] !== undefined ? { serialNumber: m[3] } : {}),
  };
}

function parseBaud(text: string, where: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`${where} must be a positive integer, not "${text}"`);
  return n;
}

function fromFile(file: string, readFile: (path: string) => string): DeviceConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFile(file));
  } catch (error) {
    throw new UsageError(`--config: cannot read ${file}: ${(error as Error).message}`);
  }
  const where = (field: string) => `--config ${file}: ${field}`;
  const root = isObject(parsed) && isObject(parsed.device) ? parsed.device : parsed;
  const prefix = root === parsed ? '' : 'device.';
  if (!isObject(root)) throw new UsageError(where('must hold a JSON object'));
  const { kind, path, match, baudRate, layout } = root;
  if (kind !== 'serial' && kind !== 'hid')
    throw new UsageError(where(`${prefix}kind must be "serial" or "hid"`));
  if (path !== undefined && typeof path !== 'string')
    throw new UsageError(where(`${prefix}path must be a string`));
  if (match !== undefined) {
    const ok =
      isObject(match) &&
      isId(match.vendorId) &&
      isId(match.productId) &&
      (match.serialNumber === undefined || typeof match.serialNumber === 'string') &&
      (match.usagePage === undefined || isId(match.usagePage));
    if (!ok) throw new UsageError(where(`${prefix}match needs numeric vendorId and productId`));
  }
  if (path === undefined && match === undefined)
    throw new UsageError(where(`${prefix}path or ${prefix}match is required`));
  if (kind === 'serial' && baudRate !== undefined) parseBaud(String(baudRate), where(`${prefix}baudRate`));
  if (kind === 'serial' && layout !== undefined)
    throw new UsageError(where(`${prefix}layout is for HID devices`));
  // The layout's own fields are checked by the device manager, whose message names them.
  return root as unknown as DeviceConfig;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffff;
}
