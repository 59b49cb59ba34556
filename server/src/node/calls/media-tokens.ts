// Short-lived tokens that admit one side of one call to its media room, and nothing else. A token
// is claimable once, ever: the first socket that presents it holds it, and the same token on any
// later socket — a replay, or the holder's own reconnect — is refused. Every connection is handed a
// fresh token for the next one (media:resync); a page that never got it (its socket dropped before
// the resync arrived) asks its own signaling (kiosk or operator namespace) for a new one.
import { randomBytes } from 'node:crypto';
import type { PeerRole } from '../media/room.ts';

interface Grant {
  callId: string;
  role: PeerRole;
  expiresAt: number;
  /** The socket that claimed the token, once one did. */
  holder?: string;
}

export class MediaTokens {
  private readonly grants = new Map<string, Grant>();
  constructor(
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
  ) {}

  issue(callId: string, role: PeerRole): string {
    this.sweep();
    const token = randomBytes(24).toString('base64url');
    this.grants.set(token, { callId, role, expiresAt: this.nowMs() + this.ttlMs });
    return token;
  }

  /** The grant of a token that is known, not expired and not claimed yet. */
  check(token: string | undefined): Grant | undefined {
    if (!token) return undefined;
    const grant = this.grants.get(token);
    if (!grant) return undefined;
    if (grant.expiresAt < this.nowMs()) {
      this.grants.delete(token);
      return undefined;
    }
    return grant.holder === undefined ? grant : undefined;
  }

  /**
   * Claims a token for a socket, once: its grant, or undefined when the token is unknown, expired
   * or already claimed (by any socket, connected or not).
   */
  claim(token: string | undefined, socketId: string): Grant | undefined {
    const grant = this.check(token);
    if (!grant) return undefined;
    grant.holder = socketId;
    return grant;
  }

  /** Tokens kept (claimed ones are kept until they expire, so that a replay is told apart). */
  get size(): number {
    return this.grants.size;
  }

  /** One side's tokens of a call (a console the ring left, which had joined while it rang). */
  revokeRole(callId: string, role: PeerRole): void {
    for (const [token, g] of this.grants)
      if (g.callId === callId && g.role === role) this.grants.delete(token);
  }

  revokeCall(callId: string): void {
    for (const [token, g] of this.grants) if (g.callId === callId) this.grants.delete(token);
  }

  clear(): void {
    this.grants.clear();
  }

  /** Drops expired grants: a long call is handed a token on every session and media connection. */
  private sweep(): void {
    const now = this.nowMs();
    for (const [token, g] of this.grants) if (g.expiresAt < now) this.grants.delete(token);
  }
}
