// A scripted operator console for tests: signs in over HTTP and speaks the operator namespace.
import {
  EVENTS,
  NAMESPACES,
  type CallEnded,
  type CallRing,
  type OperatorClientEvents,
  type OperatorServerEvents,
} from '@sportello/protocol';
import { once } from 'node:events';
import { io, type Socket } from 'socket.io-client';

export class TestOperator {
  readonly rings: CallRing[] = [];
  readonly ended: CallEnded[] = [];
  private constructor(readonly socket: Socket<OperatorServerEvents, OperatorClientEvents>) {
    socket.on(EVENTS.callRing, (r) => this.rings.push(r));
    socket.on(EVENTS.callEnded, (e) => this.ended.push(e));
  }

  static async signIn(url: string, username: string, password: string): Promise<TestOperator> {
    const res = await fetch(`${url}/api/operator/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!res.ok) throw new Error(`sign-in failed: ${res.status}`);
    const { token } = (await res.json()) as { token: string };
    const socket: Socket<OperatorServerEvents, OperatorClientEvents> = io(url + NAMESPACES.operator, {
      auth: { token },
      transports: ['websocket'],
    });
    const op = new TestOperator(socket);
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
