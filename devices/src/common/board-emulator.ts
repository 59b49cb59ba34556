// The board side of the protocol, as a reference for board makers and as the heart of the simulator:
// answers HELLO requests and PINGs, acknowledges commands (once per sequence number), and sends hook
// and key events. It runs over any byte pipe: a mock port in tests, a pty in the simulator.
import { Emitter } from './emitter.ts';
import type { PhoneKey } from './events.ts';
import { isPhoneKey } from './events.ts';
import { FrameDecoder } from './frame-decoder.ts';
import type { BoardMessage, Capabilities } from './messages.ts';
import { decodeKioskMessage, encodeBoardMessage, MSG, NACK_CODE, PROTOCOL_VERSION } from './messages.ts';
import type { MockSerialPort } from './serial-mock.ts';

export interface BoardEmulatorOptions {
  /** Protocol version announced in HELLO. Default PROTOCOL_VERSION; change it to test H-7. */
  protocolVersion?: number;
  /** Default 'sportello-sim/1.0'. */
  firmware?: string;
  /** Default: everything. */
  capabilities?: Partial<Capabilities>;
}

export type BoardEmulatorEvents = {
  ring: [on: boolean];
  led: [led: number, on: boolean];
  /** Any valid frame from the kiosk, by message kind. */
  received: [kind: string];
};

export class BoardEmulator extends Emitter<BoardEmulatorEvents> {
  readonly #write: (bytes: Uint8Array) => void;
  readonly #decoder = new FrameDecoder();
  readonly #capabilities: Capabilities;
  protocolVersion: number;
  firmware: string;
  /** While true the board neither answers nor sends anything (H-7 silent device). */
  silent = false;
  /** Acknowledgements still to be dropped, to exercise the kiosk's retries. */
  dropAcks = 0;
  offHook = false;
  ringing = false;
  readonly leds = new Map<number, boolean>();
  #seq = 0;
  #lastCommandSeq = -1;

  constructor(write: (bytes: Uint8Array) => void, options: BoardEmulatorOptions = {}) {
    super();
    this.#write = write;
    this.protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    this.firmware = options.firmware ?? 'sportello-sim/1.0';
    this.#capabilities = { hook: true, keypad: true, ringer: true, led: true, ...options.capabilities };
  }

  /** Bytes from the kiosk. */
  feed(bytes: Uint8Array): void {
    for (const frame of this.#decoder.push(bytes)) {
      const msg = decodeKioskMessage(frame);
      if (this.silent) continue;
      this.emit('received', msg.kind);
      switch (msg.kind) {
        case 'hello-request':
          this.hello();
          break;
        case 'ping':
          this.#send({ kind: 'pong', seq: frame.seq, offHook: this.offHook });
          break;
        case 'ring':
        case 'led': {
          const capable = msg.kind === 'ring' ? this.#capabilities.ringer : this.#capabilities.led;
          if (!capable) {
            this.#send({ kind: 'nack', seq: frame.seq, ackedType: frame.type, code: NACK_CODE.UNSUPPORTED });
            break;
          }
          // A repeated sequence number is a retry of a command already applied: acknowledge it again only.
          if (frame.seq !== this.#lastCommandSeq) {
            this.#lastCommandSeq = frame.seq;
            if (msg.kind === 'ring') {
              this.ringing = msg.on;
              this.emit('ring', msg.on);
            } else {
              this.leds.set(msg.led, msg.on);
              this.emit('led', msg.led, msg.on);
            }
          }
          if (this.dropAcks > 0) this.dropAcks--;
          else this.#send({ kind: 'ack', seq: frame.seq, ackedType: frame.type });
          break;
        }
        case 'invalid': {
          const known = (Object.values(MSG) as number[]).includes(frame.type);
          const code = known ? NACK_CODE.BAD_PAYLOAD : NACK_CODE.UNKNOWN_TYPE;
          this.#send({ kind: 'nack', seq: frame.seq, ackedType: frame.type, code });
          break;
        }
      }
    }
  }

  /** Announces the board, as it does at power-on and on request. */
  hello(): void {
    this.#send({
      kind: 'hello',
      seq: this.#nextSeq(),
      protocolVersion: this.protocolVersion,
      capabilities: this.#capabilities,
      offHook: this.offHook,
      firmware: this.firmware,
    });
  }

  setHook(offHook: boolean): void {
    this.offHook = offHook;
    this.#send({ kind: 'hook', seq: this.#nextSeq(), offHook });
  }

  lift(): void {
    this.setHook(true);
  }

  hangup(): void {
    this.setHook(false);
  }

  /** Sends one KEY frame per phone key in `keys`; other characters are skipped. */
  type(keys: string): void {
    for (const key of keys) if (isPhoneKey(key)) this.press(key);
  }

  press(key: PhoneKey): void {
    this.#send({ kind: 'key', seq: this.#nextSeq(), key });
  }

  /** Writes raw bytes as the board, e.g. line noise for H-3 tests. */
  sendRaw(bytes: Uint8Array): void {
    this.#write(bytes);
  }

  #send(msg: BoardMessage): void {
    if (!this.silent) this.#write(encodeBoardMessage(msg));
  }

  #nextSeq(): number {
    this.#seq = (this.#seq % 255) + 1;
    return this.#seq;
  }
}

/** Connects a board emulator to the device side of a mock port; returns it with a detach function. */
export function attachBoardToMockPort(
  port: MockSerialPort,
  options: BoardEmulatorOptions = {},
): { board: BoardEmulator; detach: () => void } {
  const board = new BoardEmulator((bytes) => port.emitData(bytes), options);
  const off = port.on('write', (bytes) => board.feed(bytes));
  return {
    board,
    detach: () => {
      off();
      board.removeAllListeners();
    },
  };
}
