// Short-lived tokens that admit one side of one call to its media room, and nothing else.
import { randomBytes } from 'node:crypto';
import type { PeerRole } from '../media/room.ts';

interface Grant {
  callId: string;
  role: PeerRole;
  expiresAt: number;
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

  revokeCall(callId: string): void {
    for (const [token, g] of this.grants) if (g.callId === callId) this.grants.delete(token);
  }

  clear(): void {
    this.grants.clear();
  }
}
