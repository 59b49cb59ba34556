// Disk full (K-3). A totem whose disk fills up (logs of another program, a stuck update) cannot
// record a check-in, so it must not pretend to take one: the kiosk goes out of service with the
// reason "disk-full", the heartbeat says so, and SQLite's own journal keeps the databases intact
// (a write that finds no space is rolled back, never half applied). The guard notices either way:
// a write that failed for lack of space (SQLITE_FULL, ENOSPC, seen in what the kiosk logs), or free
// space below a margin at a periodic look. A call in progress needs no disk and is not cut: the
// screen changes when it ends. It gives the kiosk back when there is room again and a test write
// succeeds.
import { rmSync, writeFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';

export const DISK_FULL = 'disk-full';

export interface DiskGuardTarget {
  getState(): { screen: { screen: string } };
  on(event: 'state', listener: () => void): unknown;
  off(event: 'state', listener: () => void): unknown;
  outOfService(reason: string, passing: boolean): void;
  resume(reason: string): void;
}

export interface DiskGuardOptions {
  dataDir: string;
  core: DiskGuardTarget;
  /** Below this many free bytes for the kiosk's user the disk counts as full. Default 8 MiB. */
  minFreeBytes?: number;
  /** Milliseconds between looks at the free space. Default 10 000. */
  checkEveryMs?: number;
  log?: (msg: string, detail?: unknown) => void;
}

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const FULL_TEXT = /database or disk is full|no space left on device|disk quota exceeded/i;

/** Whether an error (or a logged message) says that a write found no space. */
export function isDiskFull(err: unknown, msg = ''): boolean {
  if (FULL_TEXT.test(msg)) return true;
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    if (typeof message === 'string' && FULL_TEXT.test(message)) return true;
    e = cause;
  }
  return false;
}

export class DiskGuard {
  private full = false;
  /** Full, but a call was in progress: out of service once it ends. */
  private deferred = false;
  private readonly onState = () => this.applyDeferred();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private closed = false;
  private readonly minFree: number;

  constructor(private readonly o: DiskGuardOptions) {
    this.minFree = o.minFreeBytes ?? 8 * 1024 * 1024;
  }

  get isFull(): boolean {
    return this.full;
  }

  start(): void {
    if (this.closed || this.timer) return;
    void this.check();
    this.timer = setInterval(() => void this.check(), this.o.checkEveryMs ?? 10_000);
    this.timer.unref();
  }

  /** Hears what the kiosk logs: a write that found no space takes the kiosk out of service at once. */
  noteLog(msg: string, detail?: unknown): void {
    if (!this.closed && !this.full && isDiskFull(detail, msg)) this.enter('a write found the disk full');
  }

  /** Looks at the free space now (and, when full, whether a test write succeeds again). */
  check(): Promise<void> {
    this.checking ??= this.look().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async look(): Promise<void> {
    if (this.closed) return;
    let free: number;
    try {
      const s = await statfs(this.o.dataDir);
      free = s.bavail * s.bsize;
    } catch (err) {
      this.o.log?.('the free disk space could not be read', err);
      return;
    }
    if (this.closed) return;
    if (!this.full) {
      if (free < this.minFree) this.enter(`${free} bytes free, below ${this.minFree}`);
      return;
    }
    // A margin was left free again: a real write proves the disk takes data before citizens return.
    if (free >= this.minFree && this.canWrite()) this.leave(free);
  }

  private canWrite(): boolean {
    const probe = join(this.o.dataDir, '.space-probe');
    try {
      writeFileSync(probe, Buffer.alloc(64 * 1024));
      return true;
    } catch {
      return false;
    } finally {
      rmSync(probe, { force: true });
    }
  }

  private enter(why: string): void {
    this.full = true;
    this.o.log?.(`disk full (${why}): the kiosk is out of service until space is freed`);
    this.deferred = true;
    this.o.core.on('state', this.onState);
    this.applyDeferred();
  }

  private applyDeferred(): void {
    if (!this.deferred) return;
    const s = this.o.core.getState().screen.screen;
    if (s === 'in-call' || s === 'waiting') return;
    this.deferred = false;
    this.o.core.off('state', this.onState);
    this.o.core.outOfService(DISK_FULL, true);
  }

  private leave(free: number): void {
    this.full = false;
    this.deferred = false;
    this.o.core.off('state', this.onState);
    this.o.log?.(`disk space is back (${free} bytes free): the kiosk is in service again`);
    this.o.core.resume(DISK_FULL);
  }

  close(): void {
    this.closed = true;
    this.o.core.off('state', this.onState);
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
