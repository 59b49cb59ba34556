// The kiosk core's connection to the central server: the signaling socket (kiosk namespace) and
// the agenda pull over HTTP, both authenticated with the totem credential.
import {
  EVENTS,
  NAMESPACES,
  kioskAgendaSchema,
  type CallAccepted,
  type CallEnded,
  type CallRequest,
  type KioskAgenda,
  type KioskClientEvents,
  type KioskServerEvents,
  type RejectReason,
} from '@sportello/protocol';
import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';

export interface ServerLinkEvents {
  online: [online: boolean];
  callAccepted: [p: CallAccepted];
  callEnded: [p: CallEnded];
  agendaChanged: [];
}

export type CallRequestResult =
  { ok: true; callId: string } | { ok: false; reason: RejectReason; error: string };

export class ServerLink extends EventEmitter<ServerLinkEvents> {
  private readonly socket: Socket<KioskServerEvents, KioskClientEvents>;
  private closed = false;

  constructor(
    readonly serverUrl: string,
    private readonly credential: string,
    private readonly requestTimeoutMs = 10_000,
  ) {
    super();
    this.socket = io(serverUrl + NAMESPACES.kiosk, {
      auth: { credential },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => this.emit('online', true));
    this.socket.on('disconnect', () => this.emit('online', false));
    this.socket.on('connect_error', () => this.emit('online', false));
    this.socket.on(EVENTS.callAccepted, (p) => this.emit('callAccepted', p));
    this.socket.on(EVENTS.callEnded, (p) => this.emit('callEnded', p));
    this.socket.on(EVENTS.agendaChanged, () => this.emit('agendaChanged'));
  }

  get online(): boolean {
    return this.socket.connected;
  }

  /** Waits for the signaling connection up to the request timeout; false if it did not come. */
  private connected(): Promise<boolean> {
    if (this.socket.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), this.requestTimeoutMs);
      const onConnect = () => done(true);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.socket.off('connect', onConnect);
        resolve(ok);
      };
      this.socket.on('connect', onConnect);
    });
  }

  async requestCall(req: CallRequest): Promise<CallRequestResult> {
    if (!(await this.connected())) {
      return { ok: false, reason: 'unavailable', error: 'the server cannot be reached' };
    }
    return this.socket
      .timeout(this.requestTimeoutMs)
      .emitWithAck(EVENTS.callRequest, req)
      .catch(() => ({
        ok: false as const,
        reason: 'unavailable' as const,
        error: 'the server did not answer',
      }));
  }

  hangUp(callId: string): void {
    if (this.socket.connected) this.socket.emit(EVENTS.callHangup, { callId }, () => {});
  }

  async fetchAgenda(signal?: AbortSignal): Promise<KioskAgenda> {
    const res = await fetch(`${this.serverUrl}/api/kiosk/agenda`, {
      headers: { authorization: `Totem ${this.credential}` },
      signal: signal ?? AbortSignal.timeout(this.requestTimeoutMs),
    });
    if (!res.ok) throw new Error(`agenda pull refused: HTTP ${res.status}`);
    return kioskAgendaSchema.parse(await res.json());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.removeAllListeners();
    this.socket.close();
    this.removeAllListeners();
  }
}
