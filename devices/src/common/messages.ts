// Message layer of the board protocol: turns frames into typed messages and back. Frames from a device
// are untrusted: decoding returns an `invalid` result instead of throwing.
import type { Frame } from './frame.ts';
import { encodeFrame } from './frame.ts';
import type { PhoneKey } from './events.ts';
import { isPhoneKey } from './events.ts';

/** The protocol version this kiosk speaks; byte 0 of every HELLO payload, in every version. */
export const PROTOCOL_VERSION = 1;

export const MSG = {
  // board → kiosk
  HELLO: 0x01,
  HOOK: 0x02,
  KEY: 0x03,
  PONG: 0x04,
  ACK: 0x05,
  NACK: 0x06,
  // kiosk → board
  HELLO_REQUEST: 0x81,
  RING: 0x82,
  LED: 0x83,
  PING: 0x84,
} as const;

export const CAPABILITY = { HOOK: 0x01, KEYPAD: 0x02, RINGER: 0x04, LED: 0x08 } as const;

export const NACK_CODE = { UNKNOWN_TYPE: 0x01, BAD_PAYLOAD: 0x02, UNSUPPORTED: 0x03, BUSY: 0x04 } as const;

/** Longest firmware string a board may send in HELLO. */
export const FIRMWARE_MAX_CHARS = 32;

export interface Capabilities {
  hook: boolean;
  keypad: boolean;
  ringer: boolean;
  led: boolean;
}

export type BoardMessage =
  | {
      kind: 'hello';
      seq: number;
      protocolVersion: number;
      capabilities: Capabilities;
      offHook: boolean;
      firmware: string;
    }
  | { kind: 'hook'; seq: number; offHook: boolean }
  | { kind: 'key'; seq: number; key: PhoneKey }
  | { kind: 'pong'; seq: number; offHook: boolean }
  | { kind: 'ack'; seq: number; ackedType: number }
  | { kind: 'nack'; seq: number; ackedType: number; code: number };

export type KioskMessage =
  | { kind: 'hello-request'; protocolVersion: number }
  | { kind: 'ping' }
  | { kind: 'ring'; on: boolean }
  | { kind: 'led'; led: number; on: boolean };

export type Invalid = { kind: 'invalid'; type: number; reason: string };

export function decodeBoardMessage(frame: Frame): BoardMessage | Invalid {
  const { type, seq, payload: p } = frame;
  const invalid = (reason: string): Invalid => ({ kind: 'invalid', type, reason });
  switch (type) {
    case MSG.HELLO: {
      // Only byte 0 is guaranteed across versions; a foreign version is reported, not rejected here.
      if (p.length < 1) return invalid('hello without version');
      const protocolVersion = p[0]!;
      if (protocolVersion !== PROTOCOL_VERSION) {
        return { kind: 'hello', seq, protocolVersion, capabilities: caps(0), offHook: false, firmware: '' };
      }
      if (p.length < 3) return invalid('hello too short');
      if (p[2]! > 1) return invalid('hello hook state out of range');
      const firmware = ascii(p.subarray(3, 3 + FIRMWARE_MAX_CHARS));
      return {
        kind: 'hello',
        seq,
        protocolVersion,
        capabilities: caps(p[1]!),
        offHook: p[2] === 1,
        firmware,
      };
    }
    case MSG.HOOK:
    case MSG.PONG:
      if (p.length !== 1 || p[0]! > 1) return invalid('hook state must be one byte, 0 or 1');
      return { kind: type === MSG.HOOK ? 'hook' : 'pong', seq, offHook: p[0] === 1 };
    case MSG.KEY: {
      const key = p.length === 1 ? String.fromCharCode(p[0]!) : '';
      if (!isPhoneKey(key)) return invalid('key must be one of 0-9 * #');
      return { kind: 'key', seq, key };
    }
    case MSG.ACK:
      if (p.length !== 1) return invalid('ack must carry the acknowledged type');
      return { kind: 'ack', seq, ackedType: p[0]! };
    case MSG.NACK:
      if (p.length !== 2) return invalid('nack must carry the type and an error code');
      return { kind: 'nack', seq, ackedType: p[0]!, code: p[1]! };
    default:
      return invalid('unknown board message type');
  }
}

export function decodeKioskMessage(frame: Frame): KioskMessage | Invalid {
  const { type, payload: p } = frame;
  const invalid = (reason: string): Invalid => ({ kind: 'invalid', type, reason });
  switch (type) {
    case MSG.HELLO_REQUEST:
      return { kind: 'hello-request', protocolVersion: p[0] ?? 0 };
    case MSG.PING:
      return { kind: 'ping' };
    case MSG.RING:
      if (p.length !== 1 || p[0]! > 1) return invalid('ring takes one byte, 0 or 1');
      return { kind: 'ring', on: p[0] === 1 };
    case MSG.LED:
      if (p.length !== 2 || p[1]! > 1) return invalid('led takes an index and 0 or 1');
      return { kind: 'led', led: p[0]!, on: p[1] === 1 };
    default:
      return invalid('unknown kiosk message type');
  }
}

export function encodeBoardMessage(msg: BoardMessage): Uint8Array {
  switch (msg.kind) {
    case 'hello': {
      const fw = Array.from(msg.firmware.slice(0, FIRMWARE_MAX_CHARS), (c) => c.charCodeAt(0) & 0x7f);
      const payload = [msg.protocolVersion, capsByte(msg.capabilities), msg.offHook ? 1 : 0, ...fw];
      return frame(MSG.HELLO, msg.seq, payload);
    }
    case 'hook':
      return frame(MSG.HOOK, msg.seq, [msg.offHook ? 1 : 0]);
    case 'pong':
      return frame(MSG.PONG, msg.seq, [msg.offHook ? 1 : 0]);
    case 'key':
      return frame(MSG.KEY, msg.seq, [msg.key.charCodeAt(0)]);
    case 'ack':
      return frame(MSG.ACK, msg.seq, [msg.ackedType]);
    case 'nack':
      return frame(MSG.NACK, msg.seq, [msg.ackedType, msg.code]);
  }
}

export function encodeKioskMessage(msg: KioskMessage, seq: number): Uint8Array {
  switch (msg.kind) {
    case 'hello-request':
      return frame(MSG.HELLO_REQUEST, seq, [msg.protocolVersion]);
    case 'ping':
      return frame(MSG.PING, seq, []);
    case 'ring':
      return frame(MSG.RING, seq, [msg.on ? 1 : 0]);
    case 'led':
      return frame(MSG.LED, seq, [msg.led, msg.on ? 1 : 0]);
  }
}

function frame(type: number, seq: number, payload: number[]): Uint8Array {
  return encodeFrame({ type, seq, payload: Uint8Array.from(payload) });
}

function caps(byte: number): Capabilities {
  return {
    hook: (byte & CAPABILITY.HOOK) !== 0,
    keypad: (byte & CAPABILITY.KEYPAD) !== 0,
    ringer: (byte & CAPABILITY.RINGER) !== 0,
    led: (byte & CAPABILITY.LED) !== 0,
  };
}

function capsByte(c: Capabilities): number {
  return (
    (c.hook ? CAPABILITY.HOOK : 0) |
    (c.keypad ? CAPABILITY.KEYPAD : 0) |
    (c.ringer ? CAPABILITY.RINGER : 0) |
    (c.led ? CAPABILITY.LED : 0)
  );
}

// Firmware strings are shown to technicians: keep printable ASCII only.
function ascii(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '?')).join('');
}
