// Owns one configured handset device (serial board or USB HID): finds it (by path or by USB identity),
// opens it, watches it, reopens it with backoff when it comes back (H-1, H-2), debounces the hook,
// bounds keys, and reports its status as events. It owns every handle, timer and listener it creates,
// and close() releases them all (STYLE habit 6).
import type { HidBinding, SerialBinding } from './bindings.ts';
import { matchesIdentity } from './bindings.ts';
import type { BoardCommand, BoardTimingOptions, TraceEntry } from './board-session.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { DeviceLink, IndicatorState, LinkHealth } from './device-link.ts';
import { HidLink, SerialLink } from './device-link.ts';
import type { DeviceConfig, ReopenOptions } from './device-config.ts';
import { describeMatch, REOPEN_DEFAULTS } from './device-config.ts';
import { Emitter } from './emitter.ts';
import type { DeviceStatus, HandsetEvent, KeypadKey } from './events.ts';
import { DeviceError, isDeviceError } from './events.ts';
import { parseReportDescriptor } from './hid-descriptor.ts';
import type { HidLayout } from './hid-layout.ts';
import { layoutFromConfig, layoutFromDescriptor } from './hid-layout.ts';
import { HidReportDecoder } from './hid-report.ts';
import type { Indicator } from './hid-usages.ts';
import type { HookTimingOptions } from './hook-debouncer.ts';
import { HookDebouncer } from './hook-debouncer.ts';
import type { KeyGuardOptions } from './key-guard.ts';
import { KeyGuard } from './key-guard.ts';
import { definedOnly } from './options.ts';

export interface DeviceManagerOptions
  extends BoardTimingOptions, HookTimingOptions, KeyGuardOptions, ReopenOptions {
  config: DeviceConfig;
  clock: Clock;
  /** Required for serial configs. */
  serial?: SerialBinding;
  /** Required for HID configs. */
  hid?: HidBinding;
}

export type DeviceManagerEvents = {
  event: [HandsetEvent];
  status: [DeviceStatus];
  /** Frames and reports in and out, for the technician's live view. */
  trace: [TraceEntry];
};

export class DeviceManager extends Emitter<DeviceManagerEvents> {
  readonly #options: DeviceManagerOptions;
  readonly #config: DeviceConfig;
  readonly #clock: Clock;
  readonly #reopen: Required<ReopenOptions>;
  readonly #vendorLayout: HidLayout | undefined;
  readonly #debouncer: HookDebouncer;
  readonly #keys: KeyGuard;
  #lastPolledAt: number | undefined;
  #status: DeviceStatus = { state: 'missing', reason: 'starting', message: 'not opened yet' };
  #link: DeviceLink | undefined;
  #linkOffs: (() => void)[] = [];
  #path: string | undefined;
  #retry: TimerHandle | undefined;
  #backoff: number;
  #connecting: Promise<void> | undefined;
  readonly #closingLinks = new Set<Promise<void>>();
  #started = false;
  #closed: Promise<void> | undefined;
  #desiredRing = false;
  readonly #desiredLeds = new Map<number, boolean>();
  readonly #indicators: IndicatorState = { 'off-hook': false, ring: false, mute: false };

  constructor(options: DeviceManagerOptions) {
    super();
    const { config } = options;
    this.#options = options;
    this.#config = config;
    this.#clock = options.clock;
    if (!config.path && !config.match)
      throw new DeviceError('invalid-config', `${config.kind} device needs path or match`);
    if (config.kind === 'serial' && !options.serial)
      throw new DeviceError('invalid-config', 'serial binding missing');
    if (config.kind === 'hid' && !options.hid) throw new DeviceError('invalid-config', 'hid binding missing');
    if (config.kind === 'hid' && config.layout !== undefined) {
      const result = layoutFromConfig(config.layout, 'hid.layout');
      if (!result.ok) throw new DeviceError('invalid-config', result.error);
      this.#vendorLayout = result.layout;
    }
    const { reopenMinMs, reopenMaxMs, hidPollIntervalMs } = options;
    this.#reopen = { ...REOPEN_DEFAULTS, ...definedOnly({ reopenMinMs, reopenMaxMs, hidPollIntervalMs }) };
    this.#backoff = this.#reopen.reopenMinMs;
    const source = config.kind;
    this.#debouncer = new HookDebouncer(this.#clock, options, (offHook, at) =>
      this.emit('event', { type: offHook ? 'offhook' : 'onhook', source, at }),
    );
    this.#keys = new KeyGuard(this.#clock, options);
  }

  /**
   * Milliseconds since the open device last answered a poll (the kiosk's health check, K-2);
   * undefined while no device is open.
   */
  msSinceLastPoll(): number | undefined {
    return this.#link && this.#lastPolledAt !== undefined
      ? this.#clock.now() - this.#lastPolledAt
      : undefined;
  }

  get status(): DeviceStatus {
    return this.#status;
  }

  /** The debounced hook state. */
  get offHook(): boolean {
    return this.#debouncer.offHook;
  }

  /** Starts finding and opening the device; status events follow. Safe to call twice. */
  start(): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#connectSoon(0);
  }

  /**
   * Rings the handset (serial boards with a ringer). Resolves when the board acknowledges; rejects with
   * DeviceError 'not-ready' while the device is not answering; the wish is kept and applied when it answers.
   */
  setRinging(on: boolean): Promise<void> {
    this.#desiredRing = on;
    return this.#command({ kind: 'ring', on });
  }

  /** Switches a board LED (index 0 is the main one); same rules as setRinging. */
  setLed(on: boolean, led = 0): Promise<void> {
    this.#desiredLeds.set(led, on);
    return this.#command({ kind: 'led', led, on });
  }

  /**
   * Shows the call state on a HID handset's or headset's LEDs (Off-Hook, Ring, Mute), written as
   * output reports found from its descriptor. Headsets expect the Off-Hook LED as the acknowledgement
   * of a lift, or they drop the hook state themselves. The wish is kept and written again whenever
   * the device is (re)opened. Rejects 'not-ready' while it is missing, 'unsupported' when it has no
   * such LED (serial boards use setRinging and setLed).
   */
  setIndicator(name: Indicator, on: boolean): Promise<void> {
    this.#indicators[name] = on;
    if (this.#closed) return Promise.reject(new DeviceError('closed', 'the device manager is closed'));
    const link = this.#link;
    if (this.#config.kind !== 'hid') {
      return Promise.reject(new DeviceError('unsupported', 'serial boards use setRinging and setLed'));
    }
    if (!(link instanceof HidLink) || this.#status.state !== 'ok') {
      return Promise.reject(
        new DeviceError('not-ready', 'the device is not answering; the indicators are set when it does'),
      );
    }
    if (!link.indicators.includes(name)) {
      return Promise.reject(new DeviceError('unsupported', `this HID device has no ${name} LED`));
    }
    return link.indicate({ ...this.#indicators });
  }

  /** The indicators as last asked for. */
  get indicators(): Readonly<IndicatorState> {
    return this.#indicators;
  }

  /** Diagnostics for technicians and logs. */
  dump(): Record<string, unknown> {
    const link = this.#link;
    return {
      config: this.#config,
      status: this.#status,
      path: this.#path,
      offHook: this.offHook,
      linkHealth: link?.health,
      decoder:
        link instanceof SerialLink
          ? link.session.decoderStats
          : link instanceof HidLink
            ? link.decoderStats
            : undefined,
      droppedKeys: this.#keys.dropped,
      flashes: this.#debouncer.flashes,
      nextRetryMs: this.#retry === undefined ? undefined : this.#backoff,
      indicators: { ...this.#indicators },
    };
  }

  /** Closes the device and every timer and listener; safe to call twice. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      if (this.#retry !== undefined) this.#clock.clearTimeout(this.#retry);
      this.#retry = undefined;
      this.#debouncer.close();
      await this.#connecting;
      this.#dropLink();
      await Promise.all(this.#closingLinks);
      this.#status = { state: 'missing', reason: 'closed', message: 'the device manager is closed' };
      this.removeAllListeners();
    })();
    return this.#closed;
  }

  #command(command: BoardCommand): Promise<void> {
    if (this.#closed) return Promise.reject(new DeviceError('closed', 'the device manager is closed'));
    if (!this.#link || this.#status.state !== 'ok') {
      return Promise.reject(
        new DeviceError('not-ready', 'the device is not answering; the command will be applied when it does'),
      );
    }
    return this.#link.command(command);
  }

  #connectSoon(delay: number): void {
    if (this.#closed || this.#retry !== undefined) return;
    this.#retry = this.#clock.setTimeout(() => {
      this.#retry = undefined;
      this.#connecting = this.#connect().finally(() => (this.#connecting = undefined));
    }, delay);
  }

  #retryLater(): void {
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.#reopen.reopenMaxMs);
    this.#connectSoon(delay);
  }

  async #connect(): Promise<void> {
    let path: string | undefined;
    try {
      path = await this.#resolvePath();
    } catch (error) {
      if (this.#closed) return;
      const reason = isDeviceError(error, 'hid-unavailable') ? 'hid-unavailable' : 'list-failed';
      this.#setStatus({ state: 'error', reason, message: describe(error) });
      return this.#retryLater();
    }
    if (this.#closed) return;
    if (path === undefined) {
      this.#setMissing(`no device matches ${describeMatch(this.#config)}`);
      return this.#retryLater();
    }
    this.#path = path;
    let link: DeviceLink;
    try {
      link = await this.#openLink(path);
    } catch (error) {
      if (this.#closed) return;
      if (isDeviceError(error, 'not-found')) this.#setMissing(error.message);
      else {
        const reason = isDeviceError(error) ? errorReason(error.code) : 'open-failed';
        this.#setStatus({ state: 'error', reason, message: describe(error), path });
      }
      return this.#retryLater();
    }
    if (this.#closed) {
      await link.close();
      return;
    }
    this.#attach(link);
  }

  async #resolvePath(): Promise<string | undefined> {
    const config = this.#config;
    if (!config.match) return config.path;
    const match = config.match;
    if (config.kind === 'serial') {
      let ports;
      try {
        ports = await this.#options.serial!.list();
      } catch (error) {
        // Without udev the identity cannot be read; the configured path is then the best we have.
        if (config.path) return config.path;
        throw error;
      }
      const matching = ports.filter((p) => matchesIdentity(p, match));
      return (matching.find((p) => p.path === config.path) ?? matching[0])?.path;
    }
    const usagePage = config.kind === 'hid' ? config.match?.usagePage : undefined;
    const devices = (await this.#options.hid!.devices()).filter((d) => matchesIdentity(d, match));
    const preferred = usagePage === undefined ? devices : devices.filter((d) => d.usagePage === usagePage);
    return (preferred.find((d) => d.path === config.path) ?? preferred[0] ?? devices[0])?.path;
  }

  async #openLink(path: string): Promise<DeviceLink> {
    const config = this.#config;
    if (config.kind === 'serial') {
      const handle = await this.#options.serial!.open(path, { baudRate: config.baudRate ?? 115200 });
      return new SerialLink(handle, this.#clock, this.#options);
    }
    const hid = this.#options.hid!;
    const handle = await hid.open(path);
    let layout = this.#vendorLayout;
    if (!layout) {
      try {
        const parsed = parseReportDescriptor(await handle.getReportDescriptor());
        layout = layoutFromDescriptor(parsed);
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw new DeviceError(
          'descriptor-unavailable',
          `cannot read the report descriptor of ${path} (${describe(error)}): configure hid.layout`,
        );
      }
      if (!layout) {
        await handle.close().catch(() => undefined);
        throw new DeviceError(
          'no-usable-usages',
          `${path} has no telephony hook switch, phone keys or keypad keys: configure hid.layout for vendor reports`,
        );
      }
    }
    const present = async () => (await hid.devices()).some((d) => d.path === path);
    return new HidLink(handle, new HidReportDecoder(layout), {
      clock: this.#clock,
      present,
      pollIntervalMs: this.#reopen.hidPollIntervalMs,
      outputs: layout.outputs,
    });
  }

  #attach(link: DeviceLink): void {
    this.#link = link;
    this.#lastPolledAt = this.#clock.now();
    this.#linkOffs = [
      link.on('polled', () => (this.#lastPolledAt = this.#clock.now())),
      link.on('health', (health) => this.#onHealth(health)),
      link.on('hook', (offHook) => this.#debouncer.input(offHook)),
      link.on('key', (key) => this.#onKey(key)),
      link.on('mute', () => this.#onMute()),
      link.on('hello', () => this.#reapply()),
      link.on('trace', (entry) => this.emit('trace', entry)),
      link.on('lost', (message) => this.#onLost(link, message)),
    ];
    link.start();
    this.#onHealth(link.health);
    // A (re)opened HID device shows the current call state at once, all off included, so that no LED
    // is left from before; a device that refuses the write is still usable for hook and keys.
    if (link instanceof HidLink && link.indicators.length > 0) {
      link
        .indicate({ ...this.#indicators })
        .catch((error: unknown) =>
          this.emit('trace', { dir: 'out', hex: '', note: `indicators not written: ${describe(error)}` }),
        );
    }
  }

  #onHealth(health: LinkHealth): void {
    if (health.state === 'waiting') return; // Keep the previous status until the device says something.
    if (health.state === 'ok') {
      this.#backoff = this.#reopen.reopenMinMs;
      const status: DeviceStatus = {
        state: 'ok',
        reason: 'ok',
        message: 'the device answers',
        path: this.#path,
      };
      if (health.firmware !== undefined) status.firmware = health.firmware;
      this.#setStatus(status);
      return;
    }
    this.#setStatus({ state: 'error', reason: health.reason, message: health.message, path: this.#path });
    if (health.reason === 'silent' || health.reason === 'garbled' || health.reason === 'no-hello') {
      // Reopening resets stuck USB-serial adapters and finds out whether the port still exists.
      this.#dropLink();
      this.#retryLater();
    }
  }

  #onLost(link: DeviceLink, message: string): void {
    if (link !== this.#link) return;
    this.#dropLink();
    this.#setStatus({ state: 'missing', reason: 'unplugged', message, path: this.#path });
    this.#backoff = this.#reopen.reopenMinMs;
    this.#retryLater();
  }

  #onMute(): void {
    if (!this.#keys.allow()) return;
    // As for keys: a lift still being debounced is decided first, so the order is kept.
    this.#debouncer.settleOffHook();
    this.emit('event', { type: 'mute', source: this.#config.kind, at: this.#clock.now() });
  }

  #onKey(key: KeypadKey): void {
    if (!this.#keys.allow()) return;
    this.#debouncer.settleOffHook();
    this.emit('event', { type: 'key', key, source: this.#config.kind, at: this.#clock.now() });
  }

  // After a (re)start the board's outputs are off: apply what the core asked for.
  #reapply(): void {
    const link = this.#link;
    if (!link) return;
    const ignore = () => undefined;
    if (this.#desiredRing) link.command({ kind: 'ring', on: true }).catch(ignore);
    for (const [led, on] of this.#desiredLeds) if (on) link.command({ kind: 'led', led, on }).catch(ignore);
  }

  #dropLink(): void {
    const link = this.#link;
    if (!link) return;
    this.#link = undefined;
    for (const off of this.#linkOffs.splice(0)) off();
    const closing = link.close();
    this.#closingLinks.add(closing);
    void closing.finally(() => this.#closingLinks.delete(closing));
  }

  #setMissing(message: string): void {
    // Once a device has been lost, keep saying so until it is back: 'unplugged' tells more than 'missing'.
    const reason = this.#status.reason === 'unplugged' ? 'unplugged' : 'missing';
    this.#setStatus({ state: 'missing', reason, message, ...(this.#path ? { path: this.#path } : {}) });
  }

  #setStatus(status: DeviceStatus): void {
    if (status.path === undefined) delete status.path;
    const prev = this.#status;
    this.#status = status;
    if (
      prev.state !== status.state ||
      prev.reason !== status.reason ||
      prev.path !== status.path ||
      prev.firmware !== status.firmware
    ) {
      this.emit('status', status);
    }
  }
}

function errorReason(code: DeviceError['code']): DeviceStatus['reason'] {
  switch (code) {
    case 'hid-unavailable':
    case 'descriptor-unavailable':
    case 'no-usable-usages':
    case 'list-failed':
      return code;
    default:
      return 'open-failed';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
