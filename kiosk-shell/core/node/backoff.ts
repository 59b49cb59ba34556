// Exponential backoff with jitter for retries against the server: each failure doubles the delay up
// to a ceiling, and the actual wait is drawn between half and all of it, so that a fleet of totems
// coming back after an outage does not knock in step. Timers are injectable for tests.

export interface BackoffOptions {
  /** First delay, ms. Default 1 000. */
  baseMs?: number;
  /** Ceiling, ms. Default 300 000 (5 minutes). */
  maxMs?: number;
  random?: () => number;
}

export class Backoff {
  private n = 0;
  constructor(private readonly o: BackoffOptions = {}) {}

  get failures(): number {
    return this.n;
  }

  /** The wait before the next try after one more failure. */
  next(): number {
    const base = this.o.baseMs ?? 1_000;
    const ceiling = Math.min(this.o.maxMs ?? 300_000, base * 2 ** Math.min(this.n, 30));
    this.n++;
    return ceiling / 2 + (this.o.random ?? Math.random)() * (ceiling / 2);
  }

  reset(): void {
    this.n = 0;
  }
}

/** setTimeout and clearTimeout, replaceable by a test's fake scheduler. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};
