// A media socket refused its token gets a new one from the page's own signaling, then connects
// again. Media tokens are single-use (server/src/node/calls/media-tokens.ts): each connection is
// handed the token for the next one (media:resync), and a page whose socket dropped before that
// resync arrived — or whose handshake was answered into a dead network — holds a spent token. The
// refusal is the only sign of it: socket.io does not retry a connection the server refused.

/** The server's refusal of a spent, unknown or revoked token (signaling.ts). */
export const TOKEN_REFUSED = 'media token refused';

export interface RenewalSubject {
  /** The token the socket presents now. */
  token(): string;
  /** Takes a new token and opens the socket with it. */
  reconnectWith(token: string): void;
  /** A fresh token from the page's signaling, or undefined (none yet, or the call is over). */
  renew(): Promise<string | undefined>;
  closed(): boolean;
}

export interface RenewalTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Asks again, waiting longer each time up to `maxMs`, until a token differs from the refused one. */
export class TokenRenewal {
  private timer: unknown;
  private busy = false;

  constructor(
    private readonly subject: RenewalSubject,
    private readonly timers: RenewalTimers,
    private readonly firstMs = 250,
    private readonly maxMs = 4000,
  ) {}

  /** The socket's `connect_error`: only a refused token on a socket that will not retry counts. */
  refused(message: string, willRetry: boolean): void {
    if (message !== TOKEN_REFUSED || willRetry) return;
    void this.attempt(this.subject.token(), this.firstMs);
  }

  private async attempt(spent: string, waitMs: number): Promise<void> {
    if (this.busy || this.subject.closed()) return;
    this.busy = true;
    let token: string | undefined;
    try {
      token = await this.subject.renew();
    } catch {
      token = undefined;
    } finally {
      this.busy = false;
    }
    if (this.subject.closed()) return;
    if (token !== undefined && token !== spent) return this.subject.reconnectWith(token);
    this.timers.clear(this.timer);
    this.timer = this.timers.set(() => void this.attempt(spent, Math.min(waitMs * 2, this.maxMs)), waitMs);
  }

  close(): void {
    this.timers.clear(this.timer);
  }
}
