// Configuration of the totem's kiosk (Electron main, and the Chromium variant's agent): where the central server is, how the totem proves who it is (the
// identity `provisioning enroll` left in the data folder, or a demo credential), where the agenda
// cache lives, and the handset device. Read from environment variables, or from a JSON file named by
// SPORTELLO_KIOSK_CONFIG (variables win over the file), and validated with a message naming the
// bad field and where it came from.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { kioskAudioSchema } from '@sportello/protocol';
import { z } from 'zod';
import { displayConfigSchema } from './kiosk-display-config.ts';

export const CONFIG_ENV = {
  serverUrl: 'SPORTELLO_SERVER_URL',
  credential: 'SPORTELLO_TOTEM_CREDENTIAL',
  dataDir: 'SPORTELLO_KIOSK_DATA_DIR',
  pagesDir: 'SPORTELLO_KIOSK_PAGES_DIR',
  file: 'SPORTELLO_KIOSK_CONFIG',
} as const;

/** Says "is required" instead of zod's type message when a field is missing. */
const required = {
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : undefined),
};
const absolutePath = z.string(required).min(1).refine(isAbsolute, 'must be an absolute path');

type Field = 'serverUrl' | 'credential' | 'dataDir' | 'pagesDir';
const FIELDS: readonly Field[] = ['serverUrl', 'credential', 'dataDir', 'pagesDir'];
const isField = (key: unknown): key is Field => FIELDS.includes(key as Field);

const usbId = z.number().int().min(0).max(0xffff);
/** The handset: a controller board on a serial port, or a USB HID handset or keypad. */
const deviceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('serial'),
    path: z.string().min(1).optional(),
    match: z
      .strictObject({ vendorId: usbId, productId: usbId, serialNumber: z.string().optional() })
      .optional(),
    baudRate: z.number().int().positive().optional(),
  }),
  z.strictObject({
    kind: z.literal('hid'),
    path: z.string().min(1).optional(),
    match: z
      .strictObject({
        vendorId: usbId,
        productId: usbId,
        serialNumber: z.string().optional(),
        usagePage: z.number().int().optional(),
      })
      .optional(),
  }),
]);

export const mainConfigSchema = z
  .strictObject({
    /** Base URL of the central server, http(s); default: the enrolled identity's. */
    serverUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Demo credential "<totem id>:<secret>"; default: the identity enrolled in dataDir. */
    credential: z
      .string()
      .regex(/^[^:\s]+:\S+$/, 'must look like "<totem id>:<secret>"')
      .optional(),
    /** The handset; default none (on-screen controls only). Only from the JSON file. */
    device: deviceSchema.optional(),
    /** Audio guidance and its outputs (handset, speaker); only from the JSON file. */
    audio: kioskAudioSchema.optional(),
    /** The page's layout, screen profile and municipality (kiosk-display-config.ts). Only from the file. */
    display: displayConfigSchema.optional(),
    /** Folder for the agenda cache and the enrolled identity; default: the app's user data folder. */
    dataDir: absolutePath,
    /** Folder with the built pages; default: app/dist next to the bundle. */
    pagesDir: absolutePath,
  })
  .refine((c) => c.credential === undefined || c.serverUrl !== undefined, {
    path: ['serverUrl'],
    message: 'is required with a demo credential',
  });
export type MainConfig = z.infer<typeof mainConfigSchema>;

export interface ConfigDefaults {
  dataDir: string;
  pagesDir: string;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Reads and validates the configuration; throws a ConfigError whose message names the bad field. */
export function loadMainConfig(
  env: NodeJS.ProcessEnv,
  defaults: ConfigDefaults,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): MainConfig {
  const fromFile: Record<string, unknown> = {};
  const file = env[CONFIG_ENV.file];
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFile(file));
    } catch (err) {
      throw new ConfigError(
        `kiosk configuration: cannot read ${file} (${CONFIG_ENV.file}): ${(err as Error).message}`,
      );
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigError(`kiosk configuration: ${file} (${CONFIG_ENV.file}) must hold a JSON object`);
    }
    Object.assign(fromFile, parsed);
  }
  const fromEnv: Partial<Record<Field, string>> = {};
  for (const key of FIELDS) {
    const value = env[CONFIG_ENV[key]];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const merged = { ...defaults, ...fromFile, ...fromEnv };
  const result = mainConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(root)';
    const extra = issue.code === 'unrecognized_keys' ? ` ${issue.keys.join(', ')}` : '';
    throw new ConfigError(
      `kiosk configuration: ${field}${extra}: ${issue.message} (${sourceOf(issue.path[0])})`,
    );
  }
  return result.data;

  function sourceOf(key: PropertyKey | undefined): string {
    if (isField(key) && key in fromEnv) return `from ${CONFIG_ENV[key]}`;
    if (typeof key === 'string' && key in fromFile) return `from ${file}`;
    if (key === 'serverUrl' || key === 'credential') return `set ${CONFIG_ENV[key]} or ${CONFIG_ENV.file}`;
    return file ? `from ${file}` : 'default';
  }
}
