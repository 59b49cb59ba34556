// A link is one open device: the serial board behind its session, or a HID device behind its report
// decoder. The device manager owns at most one link at a time and replaces it when the device goes away.
import type { BoardCommand, BoardTimingOptions, SessionHealth, TraceEntry } from './board-session.ts';
import { BoardSession } from './board-session.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { Emitter } from './emitter.ts';
import type { DeviceStatusReason, KeypadKey } from './events.ts';
import { DeviceError } from './events.ts';
import type { HidHandle, SerialHandle } from './bindings.ts';
import type { HidReportDecoder } from './hid-report.ts';
import { toHex } from './frame.ts';

export type LinkHealth =
  | { state: 'waiting' }
  | { state: 'ok'; firmware?: string }
  | { state: 'error'; reason: DeviceStatusReason; message: string };

export type LinkEvents = {
  health: [LinkHealth];
  /** Raw hook readings, to be debounced by the owner. */
  hook: [offHook: boolean];
  key: [KeypadKey];
  /** The device (re)started: outputs such as the ringer must be applied again. */
  hello: [];
  /** The device went away; the link is dead and must be closed by its owner. */
  lost: [message: string];
  trace: [TraceEntry];
};

export interface DeviceLink extends Emitter<LinkEvents> {
  readonly health: LinkHealth;
  start(): void;
  command(command: BoardCommand): Promise<void>;
  /** Releases the handle, timers and listeners; safe to call twice. */
  close(): Promise<void>;
}

export class SerialLink extends Emitter<LinkEvents> implements DeviceLink {
  readonly #handle: SerialHandle;
  readonly #session: BoardSession;
  readonly #offs: (() => void)[] = [];
  #lost = false;
  #closing: Promise<void> | undefined;

  constructor(handle: SerialHandle, clock: Clock, timing: BoardTimingOptions = {}) {
    super();
    this.#handle = handle;
    this.#session = new BoardSession({ ...timing, clock, write: (bytes) => this.#write(bytes) });
  }

  get health(): LinkHealth {
    return fromSession(this.#session.health);
  }

  get session(): BoardSession {
    return this.#session;
  }

  start(): void {
    const h = this.#handle;
    const s = this.#session;
    this.#offs.push(
      h.on('data', (bytes) => s.feed(bytes)),
      h.on('error', (error) => this.#lose(`${h.path}: ${error.message}`)),
      h.on('close', (error) => this.#lose(`${h.path} closed${error ? `: ${error.message}` : ''}`)),
    );
    s.on('health', (health) => this.emit('health', fromSession(health)));
    s.on('hook', (offHook) => this.emit('hook', offHook));
    s.on('key', (key) => this.emit('key', key));
    s.on('hello', () => this.emit('hello'));
    s.on('trace', (entry) => this.emit('trace', entry));
    s.start();
  }

  command(command: BoardCommand): Promise<void> {
    return this.#session.command(command);
  }

  // A failed write means the port is gone.
  #write(bytes: Uint8Array): void {
    if (this.#lost || this.#closing) return;
    this.#handle.write(bytes).catch((error: unknown) => this.#lose(`write failed: ${String(error)}`));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#session.close();
      for (const off of this.#offs.splice(0)) off();
      this.removeAllListeners();
      await this.#handle.close().catch(() => undefined);
    })();
    return this.#closing;
  }

  #lose(message: string): void {
    if (this.#lost || this.#closing) return;
    this.#lost = true;
    this.emit('lost', message);
  }
}

function fromSession(health: SessionHealth): LinkHealth {
  if (health.state === 'ok') return { state: 'ok', firmware: health.board.firmware };
  return health;
}

export class HidLink extends Emitter<LinkEvents> implements DeviceLink {
  readonly #handle: HidHandle;
  readonly #decoder: HidReportDecoder;
  readonly #clock: Clock;
  readonly #present: () => Promise<boolean>;
  readonly #pollMs: number;
  readonly #offs: (() => void)[] = [];
  #poll: TimerHandle | undefined;
  #lost = false;
  #closing: Promise<void> | undefined;

  constructor(
    handle: HidHandle,
    decoder: HidReportDecoder,
    options: { clock: Clock; present: () => Promise<boolean>; pollIntervalMs: number },
  ) {
    super();
    this.#handle = handle;
    this.#decoder = decoder;
    this.#clock = options.clock;
    this.#present = options.present;
    this.#pollMs = options.pollIntervalMs;
  }

  get health(): LinkHealth {
    return { state: 'ok' };
  }

  get decoderStats(): HidReportDecoder['stats'] {
    return this.#decoder.stats;
  }

  start(): void {
    const h = this.#handle;
    this.#offs.push(
      h.on('data', (report) => this.#onReport(report)),
      h.on('error', (error) => this.#lose(`${h.path}: ${error.message}`)),
      h.on('close', (error) => this.#lose(`${h.path} closed${error ? `: ${error.message}` : ''}`)),
    );
    // A HID device has no heartbeat; node-hid reports a read error on unplug, and the presence poll
    // catches platforms where it does not.
    this.#schedulePoll();
  }

  command(command: BoardCommand): Promise<void> {
    return Promise.reject(new DeviceError('unsupported', `HID devices do not support ${command.kind} yet`));
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#poll !== undefined) this.#clock.clearTimeout(this.#poll);
      for (const off of this.#offs.splice(0)) off();
      this.removeAllListeners();
      await this.#handle.close().catch(() => undefined);
    })();
    return this.#closing;
  }

  #onReport(report: Uint8Array): void {
    this.emit('trace', { dir: 'in', hex: toHex(report), note: 'report' });
    for (const t of this.#decoder.push(report)) {
      if (t.kind === 'hook') this.emit('hook', t.offHook);
      else this.emit('key', t.key);
    }
  }

  #schedulePoll(): void {
    this.#poll = this.#clock.setTimeout(() => {
      this.#poll = undefined;
      this.#present().then(
        (present) => {
          if (this.#closing || this.#lost) return;
          if (present) this.#schedulePoll();
          else this.#lose(`${this.#handle.path} left the HID device list`);
        },
        () => {
          if (!this.#closing && !this.#lost) this.#schedulePoll();
        },
      );
    }, this.#pollMs);
  }

  #lose(message: string): void {
    if (this.#lost || this.#closing) return;
    this.#lost = true;
    this.emit('lost', message);
  }
}
