// Wrong-code throttling on one totem (C-2): after a few free tries, each further unknown code makes
// the next try wait longer (doubling up to a ceiling). Only well-formed codes that match nothing
// count; a typo caught by the check digit never does. Time is measured on the monotonic clock, so
// setting the wall clock changes nothing.
//
// Persistence, so that a restart does not wipe the penalty: the state (failures, the monotonic
// instant the penalty ends, the boot id, and the penalty left at the time of writing) is written to
// the outbox file's state table at every change. After a restart in the same boot the monotonic
// clock continues, so the penalty ends when it would have. After a reboot, monotonic readings of
// the old boot mean nothing and the wall clock cannot be trusted, so the penalty left at the last
// write is served again in full: a reboot can lengthen a penalty, never shorten it.
import { currentBootId, monotonicMs, type KeyValue } from './clock.ts';

export interface AttemptsOptions {
  /** Unknown codes allowed before any delay. Default 3. */
  freeAttempts?: number;
  /** Delay after the first counted failure, ms; doubles after each further one. Default 5 000. */
  baseDelayMs?: number;
  /** Longest delay, ms. Default 300 000. */
  maxDelayMs?: number;
  /** Quiet time after which the count starts again, ms. Default 900 000 (15 minutes). */
  resetAfterMs?: number;
  mono?: () => number;
  bootId?: string;
  store?: KeyValue;
}

interface Saved {
  failures: number;
  /** Monotonic ms of the last failure and of the end of the penalty, in boot `bootId`. */
  lastFailure: number;
  penaltyUntil: number;
  bootId: string;
  /** Penalty left when this was written: what a reboot serves again. */
  remaining: number;
}

const STORE_KEY = 'attempts';

export class Attempts {
  private failures = 0;
  private lastFailure = 0;
  private penaltyUntil = 0;
  private readonly mono: () => number;
  private readonly bootId: string;

  constructor(private readonly o: AttemptsOptions = {}) {
    this.mono = o.mono ?? monotonicMs;
    this.bootId = o.bootId ?? currentBootId();
    const raw = o.store?.get(STORE_KEY);
    if (!raw) return;
    try {
      const s = JSON.parse(raw) as Saved;
      const now = this.mono();
      this.failures = s.failures;
      if (s.bootId === this.bootId) {
        this.lastFailure = s.lastFailure;
        this.penaltyUntil = s.penaltyUntil;
      } else {
        // Another boot: serve the rest again, and count the quiet time from now.
        this.lastFailure = now;
        this.penaltyUntil = now + Math.max(0, s.remaining);
      }
    } catch {
      // A garbled record is no record; the count starts again.
    }
  }

  /** Milliseconds before the next code may be tried; 0 when it may be now. */
  remainingMs(): number {
    this.expire();
    return Math.max(0, Math.ceil(this.penaltyUntil - this.mono()));
  }

  /** A well-formed code matched nothing. */
  failed(): void {
    this.expire();
    const now = this.mono();
    this.failures++;
    this.lastFailure = now;
    const free = this.o.freeAttempts ?? 3;
    if (this.failures > free) {
      const delay = Math.min(
        this.o.maxDelayMs ?? 300_000,
        (this.o.baseDelayMs ?? 5_000) * 2 ** Math.min(this.failures - free - 1, 30),
      );
      this.penaltyUntil = now + delay;
    }
    this.save();
  }

  /** A check-in was accepted (by the server, or offline on the tag): the count starts again. */
  succeeded(): void {
    if (this.failures === 0 && this.penaltyUntil <= this.mono()) return;
    this.failures = 0;
    this.penaltyUntil = 0;
    this.save();
  }

  get count(): number {
    return this.failures;
  }

  private expire(): void {
    const now = this.mono();
    if (
      this.failures > 0 &&
      now >= this.penaltyUntil &&
      now - this.lastFailure >= (this.o.resetAfterMs ?? 900_000)
    ) {
      this.failures = 0;
      this.save();
    }
  }

  private save(): void {
    const now = this.mono();
    const saved: Saved = {
      failures: this.failures,
      lastFailure: this.lastFailure,
      penaltyUntil: this.penaltyUntil,
      bootId: this.bootId,
      remaining: Math.max(0, this.penaltyUntil - now),
    };
    this.o.store?.set(STORE_KEY, JSON.stringify(saved));
  }
}
