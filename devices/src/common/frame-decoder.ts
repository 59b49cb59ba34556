// Incremental frame decoder: feed it chunks of any size, get whole frames back. It never throws, holds
// at most FRAME_MAX_BYTES, and after noise it resynchronises on the next start byte (STYLE habit 5).
import { crc16 } from './crc16.ts';
import type { Frame } from './frame.ts';
import {
  FRAME_CRC_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_MAX_BYTES,
  FRAME_MAX_PAYLOAD,
  FRAME_SOF,
} from './frame.ts';

export interface FrameDecoderStats {
  frames: number;
  /** Bytes discarded while hunting for a start byte or after a rejected candidate frame. */
  droppedBytes: number;
  crcErrors: number;
  /** Candidate frames whose declared length exceeded FRAME_MAX_PAYLOAD. */
  oversize: number;
}

export class FrameDecoder {
  readonly #buf = new Uint8Array(FRAME_MAX_BYTES);
  #len = 0;
  // Bytes given back for re-examination after a rejected candidate. The candidate's own bytes may hide
  // the start of the next real frame, so they are scanned again. buffered + replay never exceeds
  // FRAME_MAX_BYTES: each rejection discards at least the start byte.
  #replay: number[] = [];
  readonly stats: FrameDecoderStats = { frames: 0, droppedBytes: 0, crcErrors: 0, oversize: 0 };

  /** Bytes currently held; never more than FRAME_MAX_BYTES. */
  get bufferedBytes(): number {
    return this.#len + this.#replay.length;
  }

  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let i = 0;
    for (;;) {
      let byte: number;
      if (this.#replay.length > 0) byte = this.#replay.shift()!;
      else if (i < chunk.length) byte = chunk[i++]!;
      else break;
      const frame = this.#accept(byte);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /**
   * Gives up on a partial frame after the line has gone quiet: its bytes are rescanned, so a valid frame
   * swallowed by a truncated one (noise that looked like a long header) is delivered without waiting for
   * more traffic. Call it only when no byte arrived for a while (the board session does, once per
   * heartbeat), never in the middle of a transmission.
   */
  flush(): Frame[] {
    const frames: Frame[] = [];
    while (this.#len > 0) {
      this.#reject();
      frames.push(...this.push(new Uint8Array(0)));
    }
    return frames;
  }

  reset(): void {
    this.#len = 0;
    this.#replay = [];
  }

  #accept(byte: number): Frame | undefined {
    if (this.#len === 0 && byte !== FRAME_SOF) {
      this.stats.droppedBytes++;
      return undefined;
    }
    this.#buf[this.#len++] = byte;
    if (this.#len < FRAME_HEADER_BYTES) return undefined;
    const payloadLength = this.#buf[3]!;
    if (payloadLength > FRAME_MAX_PAYLOAD) {
      this.stats.oversize++;
      this.#reject();
      return undefined;
    }
    const total = FRAME_HEADER_BYTES + payloadLength + FRAME_CRC_BYTES;
    if (this.#len < total) return undefined;
    const end = FRAME_HEADER_BYTES + payloadLength;
    const expected = (this.#buf[end]! << 8) | this.#buf[end + 1]!;
    if (crc16(this.#buf, 1, end) !== expected) {
      this.stats.crcErrors++;
      this.#reject();
      return undefined;
    }
    const frame: Frame = {
      type: this.#buf[1]!,
      seq: this.#buf[2]!,
      payload: this.#buf.slice(FRAME_HEADER_BYTES, end),
    };
    this.#len = 0;
    this.stats.frames++;
    return frame;
  }

  // Drops the start byte of a bad candidate and queues the rest for another look.
  #reject(): void {
    this.stats.droppedBytes++;
    const rest = Array.from(this.#buf.subarray(1, this.#len));
    this.#len = 0;
    this.#replay = rest.concat(this.#replay);
  }
}
