// Short-lived tokens that admit one side of one call to its media room, and nothing else. A token
// belongs to the first socket that presents it: while that socket is connected, the same token on
// any other socket is a replay, refused, and the holder is left alone (attaching would evict it).
// Once the holder's socket is gone, the token may be presented again within its lifetime — that is
// the page's own media socket reconnecting — and the new socket becomes the holder.
import { randomBytes } from 'node:crypto';
import type { PeerRole } from '../media/room.ts';

interface Grant {
  callId: string;
  role: PeerRole;
  expiresAt: number;
  /** The socket that holds the token, once one presented it. */
  holder?: string;
}

export class MediaTokens {
  private readonly grants = new Map<string, Grant>();
  constructor(
    private readonly ttlMs: number,
    private readonly nowMs: () => number,
  ) {}

  issue(callId: string, role: PeerRole): string {
    const token = randomBytes(24).toString('base64url');
    this.grants.set(token, { callId, role, expiresAt: this.nowMs() + this.ttlMs });
    return token;
  }

  /** The grant of a token that is known and not expired; tokens stay valid for reconnects. */
  check(token: string | undefined): Grant | undefined {
    if (!token) return undefined;
    const grant = this.grants.get(token);
    if (!grant) return undefined;
    if (grant.expiresAt < this.nowMs()) {
      this.grants.delete(token);
      return undefined;
    }
    return grant;
  }

  /**
   * Claims a token for a socket: its grant, or undefined when the token is unknown, expired, or
   * held by another socket that `alive` says is still connected.
   */
  claim(
    token: string | undefined,
    socketId: string,
    alive: (socketId: string) => boolean,
  ): Grant | undefined {
    const grant = this.check(token);
    if (!grant) return undefined;
    if (grant.holder !== undefined && grant.holder !== socketId && alive(grant.holder)) return undefined;
    grant.holder = socketId;
    return grant;
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
}
