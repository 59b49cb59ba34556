// The kiosk core's connection to the central server: the signaling socket (kiosk namespace) and
// the agenda pull over HTTP, both authenticated with the totem credential: a demo secret
// "<totemId>:<secret>", or an enrolled totem's bearer tokens from a provider (identity.ts), asked
// again at every reconnection so that a renewed token is always the one sent.
import {
  EVENTS,
  NAMESPACES,
  kioskAgendaSchema,
  KIOSK_ROUTES,
  type CallAccepted,
  type CallbackInstead,
  type CallbackOffer,
  type CallEnded,
  type CallRequest,
  type CallUpgrade,
  type KioskSession,
  type QueueStatus,
  type KioskAgenda,
  type KioskClientEvents,
  type KioskServerEvents,
  type RejectReason,
  type RemoteActionNotice,
} from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { io, type Socket } from 'socket.io-client';

export interface ServerLinkEvents {
  online: [online: boolean];
  callAccepted: [p: CallAccepted];
  callEnded: [p: CallEnded];
  agendaChanged: [];
  /** Where this totem's waiting item stands, on every queue change. */
  queueStatus: [p: QueueStatus];
  /** The waiting item passed the maximum wait: a call-back may be offered. */
  callbackOffered: [p: CallbackOffer];
  /** The call this totem has, or none: told on every connection. */
  session: [p: KioskSession];
  /** A remote action for this totem (fleet); run once per id. */
  totemAction: [p: RemoteActionNotice];
  /** This totem's identity was revoked (P-3). */
  revoked: [reason: string];
}

/** An enrolled totem's bearer token: resolves with a valid one; `current` reads the one held now. */
export interface CredentialProvider {
  (): Promise<string>;
  current?: () => string | undefined;
}

/** mediaToken: the call's room, joined while waiting (fast setup); absent when not made yet. */
export type CallRequestResult =
  { ok: true; callId: string; mediaToken?: string } | { ok: false; reason: RejectReason; error: string };

export class ServerLink extends EventEmitter<ServerLinkEvents> {
  private readonly socket: Socket<KioskServerEvents, KioskClientEvents>;
  private closed = false;
  private latest: string | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly serverUrl: string,
    private readonly source: string | CredentialProvider,
    private readonly requestTimeoutMs = 10_000,
  ) {
    super();
    this.socket = io(serverUrl + NAMESPACES.kiosk, {
      // A function, so that each reconnection sends the token held at that moment.
      auth:
        typeof source === 'string'
          ? { credential: source }
          : (cb) => {
              this.bearer().then(
                (credential) => cb({ credential }),
                () => cb({ credential: '' }),
              );
            },
      transports: ['websocket'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
    });
    this.socket.on('connect', () => this.emit('online', true));
    this.socket.on('disconnect', () => this.emit('online', false));
    this.socket.on('connect_error', () => {
      this.emit('online', false);
      // socket.io does not retry a connection the server refused; with tokens, a refusal may be an
      // expired token that the provider renews meanwhile, so try again after a while.
      if (typeof source !== 'string' && !this.socket.active && !this.closed) {
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.socket.connect(), 5_000);
      }
    });
    this.socket.on(EVENTS.totemAction, (p) => this.emit('totemAction', p));
    this.socket.on(EVENTS.totemRevoked, (p) => this.emit('revoked', p.reason));
    this.socket.on(EVENTS.callAccepted, (p) => this.emit('callAccepted', p));
    this.socket.on(EVENTS.callEnded, (p) => this.emit('callEnded', p));
    this.socket.on(EVENTS.agendaChanged, () => this.emit('agendaChanged'));
    this.socket.on(EVENTS.queueStatus, (p) => this.emit('queueStatus', p));
    this.socket.on(EVENTS.callbackOffered, (p) => this.emit('callbackOffered', p));
    this.socket.on(EVENTS.session, (p) => this.emit('session', p));
  }

  /** The credential held now (demo secret or the latest bearer token), for synchronous callers. */
  get credential(): string {
    if (typeof this.source === 'string') return this.source;
    const held = this.source.current?.();
    if (held !== undefined) return held;
    // None is valid now: ask for one, so that the next request has it.
    if (!this.closed) this.bearer().catch(() => undefined);
    return this.latest ?? '';
  }

  /** A valid credential, asking the provider for a fresh token when needed. */
  async bearer(): Promise<string> {
    if (typeof this.source === 'string') return this.source;
    this.latest = await this.source();
    return this.latest;
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
    // Named, so that giving up can cancel it: the server then ends whatever the request made
    // instead of ringing an operator for a citizen who has been told the call did not go through.
    const requestId = randomUUID();
    return this.socket
      .timeout(this.requestTimeoutMs)
      .emitWithAck(EVENTS.callRequest, { ...req, requestId })
      .catch(() => {
        // Sent now or, if the link is down, first thing after it reconnects (socket.io buffers it).
        this.socket.emit(EVENTS.callCancel, { requestId });
        return { ok: false as const, reason: 'unavailable' as const, error: 'the server did not answer' };
      });
  }

  /** Makes the waiting walk-in item the booked call; answers like a call request. */
  async upgradeCall(req: CallUpgrade): Promise<CallRequestResult> {
    if (!this.socket.connected) {
      return { ok: false, reason: 'unavailable', error: 'the server cannot be reached' };
    }
    return this.socket
      .timeout(this.requestTimeoutMs)
      .emitWithAck(EVENTS.callUpgrade, req)
      .catch(() => ({
        ok: false as const,
        reason: 'unavailable' as const,
        error: 'the server did not answer',
      }));
  }

  /** Turns the waiting item into a call-back; false when the server did not take it (the outbox will). */
  async callbackInstead(req: CallbackInstead): Promise<boolean> {
    if (!this.socket.connected) return false;
    const res = await this.socket
      .timeout(this.requestTimeoutMs)
      .emitWithAck(EVENTS.callbackInstead, req)
      .catch(() => ({ ok: false as const }));
    return res.ok;
  }

  /** Ends the call (abandons it while waiting); resolves when the server has it, or gave no answer. */
  async hangUp(callId: string): Promise<void> {
    if (!this.socket.connected) return;
    await this.socket
      .timeout(this.requestTimeoutMs)
      .emitWithAck(EVENTS.callHangup, { callId })
      .catch(() => undefined);
  }

  /** The call this totem has, asked now (with a fresh media token); undefined without an answer. */
  async currentSession(): Promise<KioskSession | undefined> {
    if (!this.socket.connected) return undefined;
    const res = (await this.socket
      .timeout(this.requestTimeoutMs)
      .emitWithAck(EVENTS.sessionGet, {})
      .catch(() => undefined)) as ({ ok: true } & KioskSession) | { ok: false } | undefined;
    return res?.ok ? { call: res.call } : undefined;
  }

  async fetchAgenda(signal?: AbortSignal): Promise<KioskAgenda> {
    const res = await fetch(`${this.serverUrl}${KIOSK_ROUTES.agenda.path}`, {
      headers: { authorization: `Totem ${await this.bearer()}` },
      signal: signal ?? AbortSignal.timeout(this.requestTimeoutMs),
    });
    if (!res.ok) throw new Error(`agenda pull refused: HTTP ${res.status}`);
    return kioskAgendaSchema.parse(await res.json());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.socket.removeAllListeners();
    this.socket.close();
    this.removeAllListeners();
  }
}
