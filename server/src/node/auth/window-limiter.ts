// Fixed-window counters per key (a client address, a verified totem id), on an injectable clock.
// Bounded: expired windows are dropped as the map is walked, and past `maxKeys` the oldest window
// goes first, so a flood of distinct keys cannot grow memory without end.

export interface WindowLimiterOptions {
  /** Hits allowed per window and key. */
  max: number;
  windowMs: number;
  nowMs?: () => number;
  /** Keys remembered at most (default 100,000). */
  maxKeys?: number;
}

interface Window {
  start: number;
  count: number;
}

export class WindowLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly nowMs: () => number;
  private lastSweep = 0;

  constructor(private readonly o: WindowLimiterOptions) {
    this.nowMs = o.nowMs ?? Date.now;
  }

  /** Counts one hit; returns 0 when it is allowed, else the milliseconds until the window ends. */
  hit(key: string): number {
    const w = this.current(key, true)!;
    w.count += 1;
    return w.count <= this.o.max ? 0 : this.retryAfter(w);
  }

  /** Whether the key is over its limit now, without counting (0: it is not). */
  blocked(key: string): number {
    const w = this.current(key, false);
    return w && w.count >= this.o.max ? this.retryAfter(w) : 0;
  }

  private retryAfter(w: Window): number {
    return Math.max(1, w.start + this.o.windowMs - this.nowMs());
  }

  private current(key: string, create: boolean): Window | undefined {
    const now = this.nowMs();
    this.sweep(now);
    let w = this.windows.get(key);
    if (w && now - w.start >= this.o.windowMs) {
      this.windows.delete(key);
      w = undefined;
    }
    if (!w && create) {
      if (this.windows.size >= (this.o.maxKeys ?? 100_000)) {
        const oldest = this.windows.keys().next();
        if (!oldest.done) this.windows.delete(oldest.value);
      }
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  /** Drops ended windows, at most once per window length (insertion order is start order). */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.o.windowMs) return;
    this.lastSweep = now;
    for (const [key, w] of this.windows) {
      if (now - w.start < this.o.windowMs) break;
      this.windows.delete(key);
    }
  }

  get size(): number {
    return this.windows.size;
  }
}
