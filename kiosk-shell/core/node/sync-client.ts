// The agenda sync loop of the totem: pull the change feed on a schedule, on the server's
// `agenda:changed` push and on request; apply each page with its cursor in one transaction; on 410
// take a snapshot through the shadow table. Any fault leaves the cache as it was, is reported as a
// reason, and is retried after a growing, jittered delay — never in a tight loop (S-5).
import { EventEmitter } from 'node:events';
import type { AgendaChangesPage } from '@sportello/protocol';
import { SnapshotRejected, type AgendaCache } from './agenda-cache.ts';
import { Backoff, realTimers, type BackoffOptions, type Timers } from './backoff.ts';
import { SyncFault, type SyncHttp } from './sync-http.ts';

export interface SyncClientOptions {
  cache: AgendaCache;
  http: SyncHttp;
  /** The totem's site; when absent, the cache's, else asked of the server once. */
  siteId?: string;
  /** Milliseconds between scheduled pulls. Default 60 000. */
  intervalMs?: number;
  /** Spread of the schedule, a fraction of the interval either way. Default 0.1. */
  jitter?: number;
  backoff?: BackoffOptions;
  /** Entries asked per page. Default 500. */
  pageLimit?: number;
  /** Pages applied in one run before yielding to the schedule. Default 200. */
  maxPagesPerRun?: number;
  timers?: Timers;
  random?: () => number;
  log?: (msg: string, detail?: unknown) => void;
}

export interface SyncStatus {
  cursor: number | null;
  /** Server time of the last successful pull. */
  lastSyncAt: string | null;
  /** The last fault's reason, null after a success. */
  reason: string | null;
  /** Requests made to the server (pages, snapshots, site discovery), for tests and diagnostics. */
  requests: number;
  snapshots: number;
}

export class SyncClient extends EventEmitter<{ status: [SyncStatus] }> {
  private running: Promise<void> | undefined;
  private again = false;
  private askedAgain = false;
  private timer: unknown;
  private readonly backoff: Backoff;
  private readonly timers: Timers;
  private closed = false;
  private readonly st: SyncStatus;

  constructor(private readonly o: SyncClientOptions) {
    super();
    this.timers = o.timers ?? realTimers;
    this.backoff = new Backoff({ ...(o.random ? { random: o.random } : {}), ...o.backoff });
    this.st = { cursor: o.cache.cursor ?? null, lastSyncAt: null, reason: null, requests: 0, snapshots: 0 };
  }

  get status(): SyncStatus {
    return { ...this.st };
  }

  /** True while retries are spaced out after a failure: pushes wait for the scheduled retry. */
  get backingOff(): boolean {
    return this.backoff.failures > 0;
  }

  /** Arms the schedule; the first pull comes after one interval unless asked for sooner. */
  start(): void {
    this.schedule(this.intervalDelay());
  }

  /**
   * Pulls now; concurrent calls share the run in progress and one more run after it (pushes that
   * arrive during a pull are coalesced). Never rejects: faults are in the status.
   */
  syncNow(): Promise<void> {
    return this.run(true);
  }

  /** The server said the agenda changed. During a backoff the scheduled retry will see it. */
  push(): void {
    if (!this.backingOff) void this.run(false);
  }

  private run(asked: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) {
      if (asked) this.askedAgain = true;
      else this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          this.askedAgain = false;
          await this.runOnce();
          // After a failure, a push or the schedule waits for the backoff; an explicit request does not.
        } while (!this.closed && (this.askedAgain || (this.again && !this.backingOff)));
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no pull is running (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async runOnce(): Promise<void> {
    this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.pull();
      this.backoff.reset();
      this.update({ reason: null });
      this.schedule(this.intervalDelay());
    } catch (err) {
      const fault = err instanceof SyncFault ? err : undefined;
      const reason = fault?.reason ?? 'internal';
      this.o.log?.(`agenda sync failed (${reason}): ${(err as Error).message}`);
      this.update({ reason });
      const wait = this.backoff.next();
      this.schedule(Math.max(wait, fault?.detail.retryAfterMs ?? 0));
    }
  }

  private async pull(): Promise<void> {
    const { cache, http } = this.o;
    let site = this.o.siteId ?? cache.siteId;
    if (site === undefined) {
      this.st.requests++;
      site = await http.discoverSite();
      cache.setSiteId(site);
    }
    let snapshots = 0;
    const snapshot = async () => {
      // Two snapshots in one run means the server keeps refusing what it just gave: stop and retry later.
      if (++snapshots > 2) throw new SyncFault('bad-page', 'the feed refused the cursor of a fresh snapshot');
      this.st.requests++;
      const snap = await http.snapshot(site);
      try {
        cache.installSnapshot(snap, site);
      } catch (err) {
        if (err instanceof SnapshotRejected) throw new SyncFault('snapshot-rejected', err.message);
        throw err;
      }
      this.st.snapshots++;
      this.update({ cursor: snap.cursor, lastSyncAt: snap.serverTime });
    };
    if (cache.cursor === undefined || !cache.hasAgenda) await snapshot();
    for (let pages = 0; pages < (this.o.maxPagesPerRun ?? 200); pages++) {
      const asked = cache.cursor!;
      let page: AgendaChangesPage;
      try {
        this.st.requests++;
        page = await http.changes(site, asked, this.o.pageLimit ?? 500);
      } catch (err) {
        if (err instanceof SyncFault && err.kind === 'gone') {
          await snapshot();
          continue;
        }
        throw err;
      }
      checkPage(page, asked);
      if (page.siteKeyVersion !== cache.siteKeyVersion) {
        await snapshot();
        continue;
      }
      cache.applyChanges(page.changes, page.cursor, page.serverTime);
      this.update({ cursor: page.cursor, lastSyncAt: page.serverTime });
      if (!page.hasMore) return;
      if (page.cursor === asked)
        throw new SyncFault('bad-page', 'the feed says more follows but does not move');
    }
    // More pages than one run takes: the run ends (the status is reported) and another follows.
    this.again = true;
  }

  private update(p: Partial<SyncStatus>): void {
    Object.assign(this.st, p);
    this.emit('status', this.status);
  }

  private intervalDelay(): number {
    const interval = this.o.intervalMs ?? 60_000;
    const jitter = this.o.jitter ?? 0.1;
    return interval * (1 - jitter + 2 * jitter * (this.o.random ?? Math.random)());
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.run(false);
    }, ms);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.timers.clearTimeout(this.timer);
    this.removeAllListeners();
  }
}

/** A page that breaks the feed's rules is refused whole, before anything is applied (S-5). */
function checkPage(page: AgendaChangesPage, asked: number): void {
  if (page.cursor < asked) {
    throw new SyncFault('bad-page', `the feed's cursor went backwards (${asked} → ${page.cursor})`);
  }
  let last = asked;
  for (const c of page.changes) {
    if (c.seq <= last || c.seq > page.cursor) {
      throw new SyncFault('bad-page', `entry ${c.seq} is out of order or outside ${asked}..${page.cursor}`);
    }
    last = c.seq;
  }
}
