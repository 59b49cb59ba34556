// A Node Transform for streams of board frames, in the style of the @serialport/parser-* packages:
//   port.pipe(new FrameParser()).on('data', (frame) => ...)
// It wraps the pure FrameDecoder, so it inherits its guarantees: it never throws on garbage, holds at
// most FRAME_MAX_BYTES, and resynchronises on the next start byte.
import { Transform } from 'node:stream';
import type { TransformCallback, TransformOptions } from 'node:stream';
import type { Frame } from '../common/frame.ts';
import { FrameDecoder } from '../common/frame-decoder.ts';
import type { FrameDecoderStats } from '../common/frame-decoder.ts';

export type FrameParserOptions = Omit<TransformOptions, 'readableObjectMode' | 'transform' | 'flush'>;

/** Readable side: objects of type Frame. Writable side: bytes (Buffer or Uint8Array). */
export class FrameParser extends Transform {
  readonly #decoder = new FrameDecoder();

  constructor(options: FrameParserOptions = {}) {
    super({ ...options, readableObjectMode: true });
  }

  get stats(): FrameDecoderStats {
    return this.#decoder.stats;
  }

  /** Bytes held waiting for the rest of a frame; never more than FRAME_MAX_BYTES. */
  get bufferedBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    // Strings would have been turned into Buffers by the writable side; anything else is ignored.
    if (chunk instanceof Uint8Array) {
      for (const frame of this.#decoder.push(chunk)) this.push(frame satisfies Frame);
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    // A partial frame at the end of the stream can never complete: drop it.
    this.#decoder.reset();
    callback();
  }
}
