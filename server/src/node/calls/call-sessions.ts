// Call sessions: an accepted call's media room, its tokens and both sides. A session exists from
// the accept to the end of the call; a side that reconnects is given a fresh token to the same
// room. The stored item (state 'accepted') is the record; the session is what is alive.
import type { PeerRole, Room } from '../media/room.ts';
import { MediaTokens } from './media-tokens.ts';

export interface CallSession {
  callId: string;
  totemId: string;
  siteId: string;
  operatorId: string;
  operatorName: string;
  officeId: string;
  room: Room;
  answeredAt: number;
}

export class CallSessions {
  private readonly sessions = new Map<string, CallSession>();
  readonly tokens: MediaTokens;

  constructor(mediaTokenMs: number, nowMs: () => number) {
    this.tokens = new MediaTokens(mediaTokenMs, nowMs);
  }

  open(s: CallSession): void {
    this.sessions.set(s.callId, s);
  }

  get(callId: string): CallSession | undefined {
    return this.sessions.get(callId);
  }

  ofTotem(totemId: string): CallSession | undefined {
    for (const s of this.sessions.values()) if (s.totemId === totemId) return s;
    return undefined;
  }

  ofOperator(operatorId: string): CallSession | undefined {
    for (const s of this.sessions.values()) if (s.operatorId === operatorId) return s;
    return undefined;
  }

  token(callId: string, role: PeerRole): string {
    return this.tokens.issue(callId, role);
  }

  /** Removes the session, closes its room and revokes its tokens; undefined if already gone. */
  close(callId: string, reason: string): CallSession | undefined {
    const s = this.sessions.get(callId);
    if (!s) return undefined;
    this.sessions.delete(callId);
    this.tokens.revokeCall(callId);
    if (!s.room.closed) s.room.close(reason);
    return s;
  }

  get size(): number {
    return this.sessions.size;
  }

  all(): CallSession[] {
    return [...this.sessions.values()];
  }

  dump() {
    return this.all().map((s) => ({
      callId: s.callId,
      totemId: s.totemId,
      operatorId: s.operatorId,
      officeId: s.officeId,
      answeredAt: new Date(s.answeredAt).toISOString(),
      room: s.room.dump(),
    }));
  }
}
