// A scripted totem for server tests: speaks the kiosk namespace with a totem credential (the demo
// secret or a bearer token), and records calls, remote actions and revocation as they arrive.
import {
  EVENTS,
  NAMESPACES,
  type CallAccepted,
  type CallEnded,
  type CallRequest,
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
  private constructor(readonly socket: Socket<KioskServerEvents, KioskClientEvents>) {
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
