// A scripted totem for server tests: speaks the kiosk namespace with a totem credential (the demo
// secret or a bearer token), and records calls, remote actions and revocation as they arrive.
import {
  EVENTS,
  NAMESPACES,
  type CallAccepted,
  type CallEnded,
  type CallRequest,
  type CallbackOffer,
  type CallUpgrade,
  type KioskSession,
  type QueueStatus,
  type KioskClientEvents,
  type KioskServerEvents,
  type RemoteActionNotice,
} from '@sportello/protocol';
import { io, type Socket } from 'socket.io-client';

export class TestKiosk {
  private readonly accepted: CallAccepted[] = [];
  private readonly ended: CallEnded[] = [];
  private readonly actions: RemoteActionNotice[] = [];
  /** Fleet and call events in arrival order, e.g. ['totem:revoked', 'call:ended', 'disconnect']. */
  readonly events: string[] = [];
  /** Resolves with the reason when the server drops this kiosk. */
  readonly disconnected: Promise<string>;
  /** Queue statuses, session truths and call-back offers as they arrived. */
  readonly statuses: QueueStatus[] = [];
  readonly sessions: KioskSession[] = [];
  readonly callbackOffers: CallbackOffer[] = [];
  private constructor(readonly socket: Socket<KioskServerEvents, KioskClientEvents>) {
    socket.on(EVENTS.queueStatus, (p) => this.statuses.push(p));
    socket.on(EVENTS.session, (p) => this.sessions.push(p));
    socket.on(EVENTS.callbackOffered, (p) => this.callbackOffers.push(p));
    socket.on(EVENTS.callAccepted, (p) => this.accepted.push(p));
    socket.on(EVENTS.callEnded, (p) => {
      this.ended.push(p);
      this.events.push(EVENTS.callEnded);
    });
    socket.on(EVENTS.totemAction, (p) => {
      this.actions.push(p);
      this.events.push(EVENTS.totemAction);
    });
    socket.on(EVENTS.totemRevoked, () => this.events.push(EVENTS.totemRevoked));
    this.disconnected = new Promise((resolve) =>
      socket.on('disconnect', (reason) => {
        this.events.push('disconnect');
        resolve(reason);
      }),
    );
  }

  static async connect(url: string, credential: string): Promise<TestKiosk> {
    const socket: Socket<KioskServerEvents, KioskClientEvents> = io(url + NAMESPACES.kiosk, {
      auth: { credential },
      transports: ['websocket'],
    });
    const kiosk = new TestKiosk(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    return kiosk;
  }

  request(req: CallRequest) {
    return this.socket.emitWithAck(EVENTS.callRequest, req);
  }

  private next<T>(queue: T[], event: string): Promise<T> {
    const waiting = queue.shift();
    if (waiting) return Promise.resolve(waiting);
    return new Promise((resolve) =>
      this.socket.once(event as never, (() => resolve(queue.shift()!)) as never),
    );
  }

  /** Resolves with the first status (already received or coming) that satisfies `match`. */
  statusWhere(match: (s: QueueStatus) => boolean): Promise<QueueStatus> {
    return this.waitFor(this.statuses, EVENTS.queueStatus, match);
  }

  sessionWhere(match: (s: KioskSession) => boolean): Promise<KioskSession> {
    return this.waitFor(this.sessions, EVENTS.session, match);
  }

  callbackOfferWhere(match: (s: CallbackOffer) => boolean): Promise<CallbackOffer> {
    return this.waitFor(this.callbackOffers, EVENTS.callbackOffered, match);
  }

  private waitFor<T>(seen: T[], event: string, match: (v: T) => boolean): Promise<T> {
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

  upgrade(req: CallUpgrade) {
    return this.socket.emitWithAck(EVENTS.callUpgrade, req);
  }

  callbackInstead(req: { callId: string; idempotencyKey: string; phone: string }) {
    return this.socket.emitWithAck(EVENTS.callbackInstead, req);
  }

  hangUp(callId: string) {
    return this.socket.emitWithAck(EVENTS.callHangup, { callId });
  }

  nextAccepted(): Promise<CallAccepted> {
    return this.next(this.accepted, EVENTS.callAccepted);
  }

  nextEnded(): Promise<CallEnded> {
    return this.next(this.ended, EVENTS.callEnded);
  }

  nextAction(): Promise<RemoteActionNotice> {
    return this.next(this.actions, EVENTS.totemAction);
  }

  /** Remote actions received and not yet taken with nextAction(). */
  pendingActions(): readonly RemoteActionNotice[] {
    return this.actions;
  }

  close(): void {
    this.socket.close();
  }
}
