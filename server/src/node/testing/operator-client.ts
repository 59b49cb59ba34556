// A scripted operator console for tests: signs in over HTTP and speaks the operator namespace.
import {
  EVENTS,
  NAMESPACES,
  OPERATOR_ROUTES,
  type CallEnded,
  type CallRing,
  type ConsoleQueue,
  type ConsoleSession,
  type PresenceNotice,
  type OperatorClientEvents,
  type OperatorServerEvents,
} from '@sportello/protocol';
import { once } from 'node:events';
import { io, type Socket } from 'socket.io-client';

export class TestOperator {
  readonly rings: CallRing[] = [];
  readonly ended: CallEnded[] = [];
  /** The session token, for opening a second tab. */
  token = '';
  readonly presences: PresenceNotice[] = [];
  readonly queues: ConsoleQueue[] = [];
  readonly sessions: ConsoleSession[] = [];
  private constructor(readonly socket: Socket<OperatorServerEvents, OperatorClientEvents>) {
    socket.on(EVENTS.presence, (p) => this.presences.push(p));
    socket.on(EVENTS.queueList, (p) => this.queues.push(p));
    socket.on(EVENTS.session, (p) => this.sessions.push(p));
    socket.on(EVENTS.callRing, (r) => this.rings.push(r));
    socket.on(EVENTS.callEnded, (e) => this.ended.push(e));
  }

  static async signIn(url: string, username: string, password: string): Promise<TestOperator> {
    const res = await fetch(`${url}${OPERATOR_ROUTES.signIn.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
    const { token } = (await res.json()) as { token: string };
    return TestOperator.connect(url, token);
  }

  /** Opens a console with a session token already held (another tab of the same operator). */
  static async connect(url: string, token: string): Promise<TestOperator> {
    const socket: Socket<OperatorServerEvents, OperatorClientEvents> = io(url + NAMESPACES.operator, {
      auth: { token },
      transports: ['websocket'],
    });
    const op = new TestOperator(socket);
    op.token = token;
    await once(socket as never, 'connect');
    return op;
  }

  async setPresence(status: 'available' | 'paused'): Promise<void> {
    const res = await this.socket.emitWithAck(EVENTS.presenceSet, { status });
    if (!res.ok) throw new Error(res.error);
  }

  /** Resolves with the next ring (or one already received and not yet taken). */
  nextRing(): Promise<CallRing> {
    const waiting = this.rings.shift();
    if (waiting) return Promise.resolve(waiting);
    return new Promise((resolve) =>
      this.socket.once(EVENTS.callRing, () => {
        resolve(this.rings.shift()!);
      }),
    );
  }

  /** Resolves with the first value seen (or coming) on `event` that satisfies `match`. */
  where<T>(seen: T[], event: string, match: (v: T) => boolean): Promise<T> {
    const found = seen.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const on = (v: T) => {
        if (!match(v)) return;
        this.socket.off(event as never, on as never);
        resolve(v);
      };
      this.socket.on(event as never, on as never);
    });
  }

  presenceWhere(match: (p: PresenceNotice) => boolean): Promise<PresenceNotice> {
    return this.where(this.presences, EVENTS.presence, match);
  }

  queueWhere(match: (q: ConsoleQueue) => boolean): Promise<ConsoleQueue> {
    return this.where(this.queues, EVENTS.queueList, match);
  }

  sessionWhere(match: (s: ConsoleSession) => boolean): Promise<ConsoleSession> {
    return this.where(this.sessions, EVENTS.session, match);
  }

  /** Resolves with the next ring for this call id (or one already received). */
  ringFor(callId: string): Promise<CallRing> {
    return this.where(this.rings, EVENTS.callRing, (r) => r.callId === callId);
  }

  nextEnd(): Promise<CallEnded> {
    const waiting = this.ended.shift();
    if (waiting) return Promise.resolve(waiting);
    return new Promise((resolve) => this.socket.once(EVENTS.callEnded, () => resolve(this.ended.shift()!)));
  }

  async accept(callId: string): Promise<string> {
    const res = await this.socket.emitWithAck(EVENTS.callAccept, { callId });
    if (!res.ok) throw new Error(res.error);
    return res.mediaToken;
  }

  async decline(callId: string): Promise<void> {
    const res = await this.socket.emitWithAck(EVENTS.callDecline, { callId });
    if (!res.ok) throw new Error(res.error);
  }

  async hangUp(callId: string): Promise<void> {
    const res = await this.socket.emitWithAck(EVENTS.callHangup, { callId });
    if (!res.ok) throw new Error(res.error);
  }

  close(): void {
    this.socket.close();
  }
}
