// Turns raw hook-switch readings into clean transitions (H-4). Contact chatter shorter than
// `debounceMs` yields one transition; once off-hook, an on-hook must last `hangupMinMs` to count, so a
// short flash during a call (a knock on the cradle, a jiggled handset) never hangs the call up. The rule
// does not depend on whether a call is in progress, so the core need not tell the debouncer anything.
import type { Clock, TimerHandle } from './clock.ts';
import { definedOnly } from './options.ts';

export interface HookTimingOptions {
  /** A raw change must hold this long to count. Default 40 ms (contact chatter lasts 1–30 ms). */
  debounceMs?: number;
  /**
   * An on-hook shorter than this is a flash, not a hang-up; a longer one is a hang-up, reported once this
   * time has elapsed. Default 600 ms.
   */
  hangupMinMs?: number;
}

export const HOOK_TIMING_DEFAULTS: Required<HookTimingOptions> = { debounceMs: 40, hangupMinMs: 600 };

export class HookDebouncer {
  readonly #clock: Clock;
  readonly #timing: Required<HookTimingOptions>;
  readonly #onChange: (offHook: boolean, at: number) => void;
  #stable = false;
  #raw = false;
  #timer: TimerHandle | undefined;
  #closed = false;
  /** On-hook episodes that ended before `hangupMinMs`: counted for diagnostics. */
  flashes = 0;

  constructor(clock: Clock, options: HookTimingOptions, onChange: (offHook: boolean, at: number) => void) {
    this.#clock = clock;
    this.#timing = { ...HOOK_TIMING_DEFAULTS, ...definedOnly(options) };
    if (!(this.#timing.debounceMs >= 0) || !(this.#timing.hangupMinMs >= 0)) {
      throw new RangeError('debounceMs and hangupMinMs must be non-negative numbers');
    }
    this.#onChange = onChange;
  }

  /** The debounced state: true when off-hook. */
  get offHook(): boolean {
    return this.#stable;
  }

  /** Feeds one raw reading; repeated identical readings (heartbeats) are harmless. */
  input(offHook: boolean): void {
    if (this.#closed || offHook === this.#raw) return;
    this.#raw = offHook;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      if (offHook && this.#stable) this.flashes++;
    }
    if (offHook === this.#stable) return;
    const wait = offHook
      ? this.#timing.debounceMs
      : Math.max(this.#timing.debounceMs, this.#timing.hangupMinMs);
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#stable = this.#raw;
      this.#onChange(this.#stable, this.#clock.now());
    }, wait);
  }

  /**
   * Commits a pending off-hook now. Called when a key arrives: a key typed right after lifting must not
   * reach the core before the lift itself. A pending hang-up is never hurried.
   */
  settleOffHook(): void {
    if (this.#timer === undefined || !this.#raw || this.#stable) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stable = true;
    this.#onChange(true, this.#clock.now());
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
