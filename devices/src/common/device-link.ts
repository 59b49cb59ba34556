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
import type { HidOutputLayout } from './hid-layout.ts';
import type { Indicator } from './hid-usages.ts';
import { toHex } from './frame.ts';

/** What the device's indicators should show; each one the device lacks is simply not written. */
export type IndicatorState = Record<Indicator, boolean>;

/**
 * The output reports that show `state` on a device with these LEDs: byte 0 is the report ID (0 when
 * the device numbers none, as hidraw and node-hid expect), the rest the report's data bits.
 */
export function indicatorReports(outputs: HidOutputLayout, state: IndicatorState): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (const [reportId, bytes] of outputs.reportBytes) {
    const report = new Uint8Array(1 + bytes);
    report[0] = reportId;
    for (const [name, led] of Object.entries(outputs.leds) as [
      Indicator,
      HidOutputLayout['leds'][Indicator],
    ][]) {
      if (!led || led.reportId !== reportId || !state[name]) continue;
      // One-bit LEDs are 1 when on; wider fields (rare) get their lowest bit set.
      const bit = 8 + led.bitOffset;
      report[bit >> 3]! |= 1 << (bit & 7);
    }
    reports.push(report);
  }
  return reports;
}

export type LinkHealth =
  | { state: 'waiting' }
  | { state: 'ok'; firmware?: string }
  | { state: 'error'; reason: DeviceStatusReason; message: string };

export type LinkEvents = {
  health: [LinkHealth];
  /** Raw hook readings, to be debounced by the owner. */
  hook: [offHook: boolean];
  key: [KeypadKey];
  /** Phone Mute was pressed (HID telephony devices). */
  mute: [];
  /** The device (re)started: outputs such as the ringer must be applied again. */
  hello: [];
  /** The device went away; the link is dead and must be closed by its owner. */
  lost: [message: string];
  trace: [TraceEntry];
  /** The device answered a poll (a board's frame, a HID report or presence check): it is being polled. */
  polled: [];
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
    s.on('trace', (entry) => {
      this.emit('trace', entry);
      if (entry.dir === 'in') this.emit('polled');
    });
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
  readonly #outputs: HidOutputLayout | undefined;
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
    options: {
      clock: Clock;
      present: () => Promise<boolean>;
      pollIntervalMs: number;
      outputs?: HidOutputLayout | undefined;
    },
  ) {
    super();
    this.#outputs = options.outputs;
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
    return Promise.reject(
      new DeviceError('unsupported', `HID devices take indicators, not board ${command.kind} commands`),
    );
  }

  /** The LEDs the device has, from its descriptor; empty when it has none. */
  get indicators(): Indicator[] {
    return Object.keys(this.#outputs?.leds ?? {}) as Indicator[];
  }

  /** Writes the output reports that show `state`; rejects 'unsupported' when the device has no LEDs. */
  async indicate(state: IndicatorState): Promise<void> {
    if (!this.#outputs) throw new DeviceError('unsupported', 'this HID device has no indicator LEDs');
    for (const report of indicatorReports(this.#outputs, state)) {
      if (this.#lost || this.#closing) throw new DeviceError('closed', 'the HID device is gone');
      this.emit('trace', { dir: 'out', hex: toHex(report), note: 'indicators' });
      try {
        await this.#handle.write(report);
      } catch (error) {
        throw new DeviceError('write-failed', `cannot write to ${this.#handle.path}: ${String(error)}`, {
          cause: error,
        });
      }
    }
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
    this.emit('polled');
    for (const t of this.#decoder.push(report)) {
      if (t.kind === 'hook') this.emit('hook', t.offHook);
      else if (t.kind === 'mute') this.emit('mute');
      else this.emit('key', t.key);
    }
  }

  #schedulePoll(): void {
    this.#poll = this.#clock.setTimeout(() => {
      this.#poll = undefined;
      this.#present().then(
        (present) => {
          if (this.#closing || this.#lost) return;
          if (present) {
            this.emit('polled');
            this.#schedulePoll();
          } else this.#lose(`${this.#handle.path} left the HID device list`);
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
