// Kiosk side of the board protocol over any byte pipe: asks for HELLO, checks the version, polls with
// PING, tracks liveness, and sends commands with acknowledgement by sequence number and retry.
// Pure logic: bytes in through feed(), bytes out through the injected write(), time from the Clock.
import type { Clock, TimerHandle } from './clock.ts';
import { Emitter } from './emitter.ts';
import type { PhoneKey } from './events.ts';
import { DeviceError } from './events.ts';
import type { Frame } from './frame.ts';
import { encodeFrame, toHex } from './frame.ts';
import { FrameDecoder } from './frame-decoder.ts';
import type { Capabilities, KioskMessage } from './messages.ts';
import { decodeBoardMessage, encodeKioskMessage, PROTOCOL_VERSION } from './messages.ts';
import { definedOnly } from './options.ts';

export interface BoardTimingOptions {
  /** Interval between PINGs (or HELLO requests until the board has said hello). Default 500 ms. */
  heartbeatIntervalMs?: number;
  /** No valid frame for this long means the board is silent. Default 2000 ms (detection within 2.5 s). */
  silentAfterMs?: number;
  /** Wait for an ACK before re-sending a command. Default 250 ms. */
  ackTimeoutMs?: number;
  /** Re-sends of an unacknowledged command before giving up with 'no-ack'. Default 3. */
  ackRetries?: number;
}

export const BOARD_TIMING_DEFAULTS: Required<BoardTimingOptions> = {
  heartbeatIntervalMs: 500,
  silentAfterMs: 2000,
  ackTimeoutMs: 250,
  ackRetries: 3,
};

export interface BoardInfo {
  protocolVersion: number;
  firmware: string;
  capabilities: Capabilities;
}

export type SessionHealth =
  | { state: 'waiting' }
  | { state: 'ok'; board: BoardInfo }
  | { state: 'error'; reason: 'silent' | 'garbled' | 'no-hello' | 'version-mismatch'; message: string };

export type BoardCommand = Extract<KioskMessage, { kind: 'ring' } | { kind: 'led' }>;

export interface TraceEntry {
  dir: 'in' | 'out';
  hex: string;
  note?: string;
}

export type BoardSessionEvents = {
  health: [SessionHealth];
  /** Raw (undebounced) hook state from HELLO, HOOK or PONG. */
  hook: [offHook: boolean];
  key: [PhoneKey];
  /** A valid HELLO: the board (re)started, so outputs must be applied again. */
  hello: [BoardInfo];
  trace: [TraceEntry];
};

interface Pending {
  bytes: Uint8Array;
  sends: number;
  timer: TimerHandle;
  resolve: () => void;
  reject: (error: DeviceError) => void;
}

export class BoardSession extends Emitter<BoardSessionEvents> {
  readonly #clock: Clock;
  readonly #write: (bytes: Uint8Array) => void;
  readonly #timing: Required<BoardTimingOptions>;
  readonly #decoder = new FrameDecoder();
  readonly #pending = new Map<number, Pending>();
  #health: SessionHealth = { state: 'waiting' };
  #board: BoardInfo | undefined;
  #foreignVersion: number | undefined;
  #startedAt = 0;
  #lastValidAt = 0;
  #bytesSinceValid = 0;
  #bytesFed = 0;
  #bytesFedAtTick = 0;
  #seq = 0;
  #tick: TimerHandle | undefined;
  #started = false;
  #closed = false;

  constructor(options: { clock: Clock; write: (bytes: Uint8Array) => void } & BoardTimingOptions) {
    super();
    this.#clock = options.clock;
    this.#write = options.write;
    const { heartbeatIntervalMs, silentAfterMs, ackTimeoutMs, ackRetries } = options;
    this.#timing = {
      ...BOARD_TIMING_DEFAULTS,
      ...definedOnly({ heartbeatIntervalMs, silentAfterMs, ackTimeoutMs, ackRetries }),
    };
  }

  get health(): SessionHealth {
    return this.#health;
  }

  get decoderStats(): FrameDecoder['stats'] {
    return this.#decoder.stats;
  }

  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#startedAt = this.#lastValidAt = this.#clock.now();
    this.#send({ kind: 'hello-request', protocolVersion: PROTOCOL_VERSION }, 0);
    this.#tick = this.#clock.setTimeout(() => this.#onTick(), this.#timing.heartbeatIntervalMs);
  }

  feed(bytes: Uint8Array): void {
    if (this.#closed) return;
    this.#bytesFed += bytes.length;
    this.#bytesSinceValid += bytes.length;
    for (const frame of this.#decoder.push(bytes)) this.#onFrame(frame);
  }

  /** Sends a command and resolves when the board acknowledges it; rejects with a DeviceError otherwise. */
  command(command: BoardCommand): Promise<void> {
    if (this.#closed) return Promise.reject(new DeviceError('closed', 'the board session is closed'));
    if (this.#health.state !== 'ok' || !this.#board) {
      return Promise.reject(new DeviceError('not-ready', 'the board has not said hello or is not answering'));
    }
    const caps = this.#board.capabilities;
    if ((command.kind === 'ring' && !caps.ringer) || (command.kind === 'led' && !caps.led)) {
      return Promise.reject(new DeviceError('unsupported', `the board has no ${command.kind} capability`));
    }
    const seq = this.#nextSeq();
    const bytes = encodeKioskMessage(command, seq);
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = { bytes, sends: 1, resolve, reject, timer: undefined };
      pending.timer = this.#clock.setTimeout(() => this.#onAckTimeout(seq), this.#timing.ackTimeoutMs);
      this.#pending.set(seq, pending);
      this.#transmit(bytes, command.kind);
    });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#tick !== undefined) this.#clock.clearTimeout(this.#tick);
    for (const pending of this.#pending.values()) {
      this.#clock.clearTimeout(pending.timer);
      pending.reject(
        new DeviceError('closed', 'the board session closed before the command was acknowledged'),
      );
    }
    this.#pending.clear();
    this.removeAllListeners();
  }

  #onFrame(frame: Frame): void {
    const msg = decodeBoardMessage(frame);
    this.emit('trace', { dir: 'in', hex: toHex(encodeFrame(frame)), note: msg.kind });
    this.#lastValidAt = this.#clock.now();
    this.#bytesSinceValid = 0;
    if (msg.kind === 'hello') {
      if (msg.protocolVersion !== PROTOCOL_VERSION) {
        this.#board = undefined;
        this.#foreignVersion = msg.protocolVersion;
      } else {
        this.#foreignVersion = undefined;
        this.#board = {
          protocolVersion: msg.protocolVersion,
          firmware: msg.firmware,
          capabilities: msg.capabilities,
        };
      }
    }
    this.#updateHealth();
    // Until a compatible HELLO, other frames may mean something else in the board's dialect: ignore them.
    if (!this.#board || msg.kind === 'invalid') return;
    switch (msg.kind) {
      case 'hello':
        this.emit('hello', this.#board);
        this.emit('hook', msg.offHook);
        break;
      case 'hook':
      case 'pong':
        this.emit('hook', msg.offHook);
        break;
      case 'key':
        this.emit('key', msg.key);
        break;
      case 'ack':
      case 'nack': {
        const pending = this.#pending.get(msg.seq);
        if (!pending) return; // A late duplicate acknowledgement of a command already settled.
        this.#pending.delete(msg.seq);
        this.#clock.clearTimeout(pending.timer);
        if (msg.kind === 'ack') pending.resolve();
        else
          pending.reject(
            new DeviceError('nack', `the board refused command 0x${hex2(msg.ackedType)} (code ${msg.code})`),
          );
        break;
      }
    }
  }

  #onTick(): void {
    this.#tick = this.#clock.setTimeout(() => this.#onTick(), this.#timing.heartbeatIntervalMs);
    // A partial frame that saw no byte for a whole interval will not complete: rescan it now.
    if (this.#bytesFed === this.#bytesFedAtTick)
      for (const frame of this.#decoder.flush()) this.#onFrame(frame);
    this.#bytesFedAtTick = this.#bytesFed;
    if (this.#closed) return;
    this.#updateHealth();
    if (this.#closed) return; // The owner may close a silent session from its health listener.
    // HELLO is asked again while unknown, and also on a version mismatch in case the board was reflashed.
    if (this.#board) this.#send({ kind: 'ping' }, 0);
    else this.#send({ kind: 'hello-request', protocolVersion: PROTOCOL_VERSION }, 0);
  }

  #onAckTimeout(seq: number): void {
    const pending = this.#pending.get(seq);
    if (!pending) return;
    if (pending.sends > this.#timing.ackRetries) {
      this.#pending.delete(seq);
      pending.reject(new DeviceError('no-ack', `no acknowledgement after ${pending.sends} attempts`));
      return;
    }
    pending.sends++;
    pending.timer = this.#clock.setTimeout(() => this.#onAckTimeout(seq), this.#timing.ackTimeoutMs);
    // The same sequence number is reused so that the board can recognise a repeat.
    this.#transmit(pending.bytes, 'retry');
  }

  #updateHealth(): void {
    const next = this.#deriveHealth();
    const prev = this.#health;
    this.#health = next;
    const same =
      prev.state === next.state &&
      (prev.state !== 'error' || next.state !== 'error' || prev.reason === next.reason) &&
      (prev.state !== 'ok' || next.state !== 'ok' || prev.board === next.board);
    if (!same) this.emit('health', next);
  }

  #deriveHealth(): SessionHealth {
    const now = this.#clock.now();
    const { silentAfterMs } = this.#timing;
    if (now - this.#lastValidAt >= silentAfterMs) {
      return this.#bytesSinceValid > 0
        ? {
            state: 'error',
            reason: 'garbled',
            message: `bytes arrive but no valid frame for ${silentAfterMs} ms: check the baud rate and that the board speaks the Sportello protocol`,
          }
        : { state: 'error', reason: 'silent', message: `no answer from the board for ${silentAfterMs} ms` };
    }
    if (this.#foreignVersion !== undefined) {
      return {
        state: 'error',
        reason: 'version-mismatch',
        message: `the board speaks protocol version ${this.#foreignVersion}, this kiosk speaks ${PROTOCOL_VERSION}: update the board firmware or the kiosk`,
      };
    }
    if (this.#board) return { state: 'ok', board: this.#board };
    if (now - this.#startedAt >= silentAfterMs) {
      return {
        state: 'error',
        reason: 'no-hello',
        message: 'the board sends frames but never answers HELLO',
      };
    }
    return { state: 'waiting' };
  }

  #send(msg: KioskMessage, seq: number): void {
    this.#transmit(encodeKioskMessage(msg, seq), msg.kind);
  }

  #transmit(bytes: Uint8Array, note: string): void {
    this.emit('trace', { dir: 'out', hex: toHex(bytes), note });
    this.#write(bytes);
  }

  #nextSeq(): number {
    // Sequence numbers run 1..255; 0 is reserved for frames that expect no acknowledgement.
    for (let i = 0; i < 255; i++) {
      this.#seq = (this.#seq % 255) + 1;
      if (!this.#pending.has(this.#seq)) return this.#seq;
    }
    return this.#seq;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
