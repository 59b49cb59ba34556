// The totem's idea of the server's time. Every server answer that carries a time sets an anchor
// (server time, monotonic reading); the corrected time is the anchor plus the monotonic time since,
// so the totem's own wall clock — which may be hours off or at 1970 — plays no part in any window
// decision (S-7). Until the first anchor there is no corrected time, and no window decision.
// The anchor is persisted with the boot id: the monotonic clock (CLOCK_MONOTONIC, what
// process.hrtime reads) counts from boot, so a restarted process of the same boot keeps its
// correction, and a reboot starts uncorrected.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/** Milliseconds on the system's monotonic clock (since boot on Linux, shared by all processes). */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The kernel's id of this boot; a random id where there is none (then nothing outlives the process). */
export function currentBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return `process-${randomUUID()}`;
  }
}

/** A small persisted key/value map (the outbox file's `state` table). */
export interface KeyValue {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
}

export interface ServerClockOptions {
  /** Monotonic milliseconds. Default: process.hrtime. */
  mono?: () => number;
  /** This totem's wall clock, only to report how far off it is. Default Date.now. */
  wall?: () => number;
  bootId?: string;
  store?: KeyValue;
  /** Answers that took longer than this round trip are too vague to set the clock. Default 10 000. */
  maxRoundTripMs?: number;
}

interface Anchor {
  serverMs: number;
  mono: number;
  /** Half the round trip plus the resolution of the time read: how wrong the anchor may be. */
  uncertaintyMs: number;
  bootId: string;
}

const STORE_KEY = 'clock.anchor';

export class ServerClock {
  private anchor: Anchor | undefined;
  private readonly mono: () => number;
  private readonly wall: () => number;
  private readonly bootId: string;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly o: ServerClockOptions = {}) {
    this.mono = o.mono ?? monotonicMs;
    this.wall = o.wall ?? Date.now;
    this.bootId = o.bootId ?? currentBootId();
    const saved = o.store?.get(STORE_KEY);
    if (saved) {
      try {
        const a = JSON.parse(saved) as Anchor;
        // A monotonic reading from another boot means nothing here.
        if (a.bootId === this.bootId && Number.isFinite(a.serverMs) && a.mono <= this.mono()) this.anchor = a;
      } catch {
        // A garbled anchor is no anchor: the next server answer sets a new one.
      }
    }
  }

  /**
   * One server time reading: taken between `sentMono` and `receivedMono`; `resolutionMs` is 0 for the
   * ISO times of the sync answers and 1000 for an HTTP Date header. A reading replaces the anchor
   * when it is at least as precise, or when the anchor is more than ten minutes old.
   */
  observe(serverMs: number, sentMono: number, receivedMono: number, resolutionMs = 0): void {
    const rtt = receivedMono - sentMono;
    if (!Number.isFinite(serverMs) || rtt < 0 || rtt > (this.o.maxRoundTripMs ?? 10_000)) return;
    const next: Anchor = {
      serverMs: serverMs + resolutionMs / 2,
      mono: (sentMono + receivedMono) / 2,
      uncertaintyMs: rtt / 2 + resolutionMs / 2,
      bootId: this.bootId,
    };
    const a = this.anchor;
    if (a && next.uncertaintyMs > a.uncertaintyMs && next.mono - a.mono < 600_000) return;
    const first = a === undefined;
    this.anchor = next;
    this.o.store?.set(STORE_KEY, JSON.stringify(next));
    if (first) for (const l of this.listeners) l();
  }

  get corrected(): boolean {
    return this.anchor !== undefined;
  }

  /** The server's time now, or undefined when no server answer has set the clock yet. */
  now(): number | undefined {
    return this.anchor ? this.anchor.serverMs + (this.mono() - this.anchor.mono) : undefined;
  }

  /** Server time minus this totem's wall clock, for the state and the heartbeat; null if unknown. */
  offsetMs(): number | null {
    const now = this.now();
    return now === undefined ? null : Math.round(now - this.wall());
  }

  /** Called once, when the clock first becomes corrected. */
  onCorrected(listener: () => void): void {
    this.listeners.add(listener);
  }
}
