// The ICE servers of a call's transports (W-6): TURN credentials from the server, which expire, so
// they are asked for again after two thirds of their life and handed to the live transports (a
// later ICE restart gathers with them). Without TURN configured the list is empty and nothing is
// scheduled.
import type { IceServer, IceServersGrant } from '@sportello/protocol';

/** setTimeout and clearTimeout (the page's), or a test's fake clock: common code has neither. */
export interface LeaseTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** A request that failed is tried again this much later. */
const RETRY_MS = 10_000;

export class IceServersLease {
  servers: IceServer[] = [];
  private timer: unknown;
  private closed = false;
  /** Called with the new servers after each refresh. */
  onRefresh: (servers: IceServer[]) => void = () => {};

  constructor(
    private readonly fetchGrant: () => Promise<IceServersGrant>,
    private readonly timers: LeaseTimers,
  ) {}

  /** The first grant; a server that gives none (or cannot) leaves the list empty. */
  async load(): Promise<IceServer[]> {
    try {
      this.take(await this.fetchGrant());
    } catch {
      // No TURN this time: the call still tries UDP and TCP to the SFU.
      this.schedule(RETRY_MS);
    }
    return this.servers;
  }

  private take(grant: IceServersGrant): void {
    this.servers = grant.iceServers.map((s) => ({ ...s }));
    if (grant.ttlSeconds !== null) this.schedule((grant.ttlSeconds * 1000 * 2) / 3);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = this.timers.set(() => void this.refresh(), ms);
  }

  private async refresh(): Promise<void> {
    try {
      this.take(await this.fetchGrant());
      if (!this.closed) this.onRefresh(this.servers);
    } catch {
      this.schedule(RETRY_MS);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
