// Wire framing of the totem controller board protocol (see devices/PROTOCOL.md):
//   SOF(0xA5) TYPE SEQ LEN PAYLOAD[LEN] CRC16-HI CRC16-LO
// The CRC covers TYPE..PAYLOAD. LEN is capped so a receiver needs only a small fixed buffer.
import { crc16 } from './crc16.ts';

export const FRAME_SOF = 0xa5;
export const FRAME_HEADER_BYTES = 4;
export const FRAME_CRC_BYTES = 2;
/** Largest payload a frame may carry; longer declared lengths are treated as noise. */
export const FRAME_MAX_PAYLOAD = 64;
export const FRAME_MAX_BYTES = FRAME_HEADER_BYTES + FRAME_MAX_PAYLOAD + FRAME_CRC_BYTES;

export interface Frame {
  /** Message type; bit 7 set means kiosk → board. */
  type: number;
  /** Sequence number, 0 when no acknowledgement is involved. */
  seq: number;
  payload: Uint8Array;
}

/** Encodes one frame. Throws RangeError on a caller bug (out-of-range fields), never on data from a device. */
export function encodeFrame(frame: Frame): Uint8Array {
  const { type, seq, payload } = frame;
  if (!isByte(type) || !isByte(seq))
    throw new RangeError(`frame type/seq must be bytes (got ${type}/${seq})`);
  if (payload.length > FRAME_MAX_PAYLOAD) {
    throw new RangeError(`frame payload of ${payload.length} bytes exceeds ${FRAME_MAX_PAYLOAD}`);
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length + FRAME_CRC_BYTES);
  out[0] = FRAME_SOF;
  out[1] = type;
  out[2] = seq;
  out[3] = payload.length;
  out.set(payload, FRAME_HEADER_BYTES);
  const crc = crc16(out, 1, FRAME_HEADER_BYTES + payload.length);
  out[FRAME_HEADER_BYTES + payload.length] = crc >> 8;
  out[FRAME_HEADER_BYTES + payload.length + 1] = crc & 0xff;
  return out;
}

function isByte(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= 0xff;
}

/** Lower-case hex with spaces, for traces and technician output. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
