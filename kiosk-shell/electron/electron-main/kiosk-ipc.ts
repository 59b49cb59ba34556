// The one IPC entry point of main: payloads from the renderer are checked here before the kiosk
// core sees them (RELIABILITY E-5). A bad payload is refused with an error Result and logged; it
// never throws into Electron, so main survives whatever the page sends.
import {
  MAX_KIOSK_MESSAGE_BYTES,
  kioskRequestSchema,
  type KioskRequest,
  type KioskState,
  type Result,
} from '@sportello/protocol';
import { isTrustedSender } from './security-policy.ts';

/** No kiosk request has more than two fields; anything wider is refused before the schema runs. */
const MAX_KEYS = 4;
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export type PayloadCheck = { ok: true; request: KioskRequest } | { ok: false; reason: string };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Checks one renderer payload: a plain object of at most a few primitive fields, no prototype
 * keys, no larger than the transport limit, and a request the protocol schema accepts.
 */
export function checkKioskPayload(payload: unknown): PayloadCheck {
  if (!isPlainObject(payload)) return { ok: false, reason: 'not a plain object' };
  // Own keys, symbols included, so that an own "__proto__" from JSON.parse or structured clone is seen.
  const keys = Reflect.ownKeys(payload);
  if (keys.length > MAX_KEYS) return { ok: false, reason: 'too many fields' };
  for (const key of keys) {
    if (typeof key !== 'string') return { ok: false, reason: 'symbol key' };
    if (FORBIDDEN_KEYS.has(key)) return { ok: false, reason: `forbidden key ${key}` };
    const value = payload[key];
    if (value !== null && typeof value === 'object') return { ok: false, reason: `nested value in ${key}` };
    if (typeof value === 'string' && value.length > MAX_KIOSK_MESSAGE_BYTES) {
      return { ok: false, reason: `oversized string in ${key}` };
    }
  }
  if (JSON.stringify(payload).length > MAX_KIOSK_MESSAGE_BYTES)
    return { ok: false, reason: 'oversized payload' };
  const parsed = kioskRequestSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `wrong shape at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  return { ok: true, request: parsed.data };
}

/** The part of the kiosk core the IPC handler needs. */
export interface KioskRequestTarget {
  handle(request: KioskRequest): Promise<KioskState>;
}

export interface KioskIpcHandlerOptions {
  core: KioskRequestTarget;
  log: (msg: string, detail?: unknown) => void;
}

/** Serves one `KIOSK_CHANNELS.request` invocation: the sender's frame URL and its payload. */
export type KioskIpcHandler = (
  senderUrl: string | undefined,
  payload: unknown,
) => Promise<Result<KioskState>>;

export function createKioskIpcHandler(o: KioskIpcHandlerOptions): KioskIpcHandler {
  return async (senderUrl, payload) => {
    if (!isTrustedSender(senderUrl)) {
      o.log('refused kiosk IPC from an untrusted frame', { senderUrl });
      return { ok: false, error: { code: 'forbidden', message: 'request refused: unknown sender' } };
    }
    const check = checkKioskPayload(payload);
    if (!check.ok) {
      o.log('refused a malformed kiosk IPC request', { reason: check.reason });
      return { ok: false, error: { code: 'invalid-request', message: `request refused: ${check.reason}` } };
    }
    try {
      return { ok: true, value: await o.core.handle(check.request) };
    } catch (err) {
      o.log('kiosk request failed', err);
      return { ok: false, error: { code: 'internal', message: 'the kiosk could not do that' } };
    }
  };
}
