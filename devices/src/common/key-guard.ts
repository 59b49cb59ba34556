// Bounds key input (H-6, C-6): a stuck key or a flood of key frames must not turn into an unbounded
// stream of events. A token bucket allows bursts of human typing and drops the excess.
import type { Clock } from './clock.ts';
import { definedOnly } from './options.ts';

export interface KeyGuardOptions {
  /** Sustained key rate allowed. Default 12 keys per second (fast human typing is under 10). */
  maxKeysPerSecond?: number;
  /** Keys allowed in a burst before the rate applies. Default 12. */
  burst?: number;
}

export const KEY_GUARD_DEFAULTS: Required<KeyGuardOptions> = { maxKeysPerSecond: 12, burst: 12 };

export class KeyGuard {
  readonly #clock: Clock;
  readonly #options: Required<KeyGuardOptions>;
  #tokens: number;
  #last: number;
  /** Keys refused since creation. */
  dropped = 0;

  constructor(clock: Clock, options: KeyGuardOptions = {}) {
    this.#clock = clock;
    this.#options = { ...KEY_GUARD_DEFAULTS, ...definedOnly(options) };
    this.#tokens = this.#options.burst;
    this.#last = clock.now();
  }

  /** True when one more key may pass now. */
  allow(): boolean {
    const now = this.#clock.now();
    const refill = ((now - this.#last) * this.#options.maxKeysPerSecond) / 1000;
    this.#tokens = Math.min(this.#options.burst, this.#tokens + Math.max(0, refill));
    this.#last = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    this.dropped++;
    return false;
  }
}
