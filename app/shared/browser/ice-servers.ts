// The ICE servers of a call's transports (W-6): TURN credentials from the server, which expire, so
// they are asked for again after two thirds of their life and handed to the live transports (a
// later ICE restart gathers with them). Without TURN configured the list is empty and nothing is
// scheduled.
import type { IceServersGrant } from '@sportello/protocol';

/** A failed refresh is tried again this much later (never after the credentials' expiry). */
const RETRY_MS = 10_000;

export class IceServersLease {
  servers: RTCIceServer[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;
  /** Called with the new servers after each refresh. */
  onRefresh: (servers: RTCIceServer[]) => void = () => {};

  constructor(private readonly fetchGrant: () => Promise<IceServersGrant>) {}

  /** The first grant; a server that gives none (or cannot) leaves the list empty. */
  async load(): Promise<RTCIceServer[]> {
    try {
      this.take(await this.fetchGrant());
    } catch (err) {
      console.warn('no ICE servers from the server', err);
    }
    return this.servers;
  }

  private take(grant: IceServersGrant): void {
    this.servers = grant.iceServers.map((s) => ({ ...s }));
    if (grant.ttlSeconds !== null) this.schedule((grant.ttlSeconds * 1000 * 2) / 3);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), ms);
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
    clearTimeout(this.timer);
  }
}
