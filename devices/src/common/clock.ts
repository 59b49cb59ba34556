// Time is injected everywhere a decision depends on it (debounce, heartbeats, backoff), so tests can
// drive it with a fake clock instead of sleeping (STYLE habit 10). Common code cannot see Node's or the
// DOM's timers anyway: the real clock lives in node/system-clock.ts.

/** Opaque handle returned by `Clock.setTimeout` (a number in browsers, an object in Node). */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are meaningful. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

interface FakeTimer {
  at: number;
  order: number;
  callback: () => void;
}

/** A manual clock for tests: time moves only when `advance` is called, timers fire in order. */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  readonly #timers = new Set<FakeTimer>();

  constructor(start = 1_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = { at: this.#now + Math.max(0, ms), order: this.#order++, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as FakeTimer);
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let next: FakeTimer | undefined;
      for (const t of this.#timers) {
        if (t.at <= target && (!next || t.at < next.at || (t.at === next.at && t.order < next.order)))
          next = t;
      }
      if (!next) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.callback();
    }
    this.#now = target;
  }

  /** Timers still scheduled; a closed component must leave none behind. */
  get pendingTimers(): number {
    return this.#timers.size;
  }
}
