// socket.io signaling: the kiosk, operator and media namespaces. Every inbound payload is checked
// against its schema from protocol/, every handler answers through its ack, and no handler error
// escapes to crash the process.
import {
  EVENTS,
  MEDIA_RECOVERY_EVENTS,
  NAMESPACES,
  callIdSchema,
  callRequestSchema,
  callUpgradeSchema,
  callbackInsteadSchema,
  homeCallRequestSchema,
  emptySchema,
  connectTransportSchema,
  consumerIdSchema,
  createTransportSchema,
  presenceSchema,
  produceSchema,
  readySchema,
  transportIdSchema,
  pauseProducerSchema,
  type KioskClientEvents,
  type KioskServerEvents,
  type MediaClientEvents,
  type MediaServerEvents,
  type OperatorClientEvents,
  type OperatorServerEvents,
  type CallAccepted,
  type CallbackOffer,
  type ConsoleQueue,
  type PresenceNotice,
  type QueueStatus,
  MEDIA_LINK_EVENTS,
  MEDIA_PREWARM_EVENTS,
  prepareMediaSchema,
  type IceServersGrant,
} from '@sportello/protocol';
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import type { z } from 'zod';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { operatorForSession, type TotemAuthenticator, type TotemIdentity } from '../auth/sessions.ts';
import type { CallRouter } from './call-router.ts';
import type { CallNotifier } from './call-notifier.ts';
import type { HomeGuests } from './home-guests.ts';
import { DomainError } from '../domain-error.ts';
import { registerMediaLinkHandlers } from '../media/media-link-handlers.ts';
import { RATE_LIMITED } from '../auth/totem-auth.ts';
import { RequestCancels } from './request-cancels.ts';
import { CoalescedHints } from './site-hints.ts';
import { Turnstile } from './turnstile.ts';
import { TOO_MANY_REFUSALS, TOO_MANY_TOTEM_HANDSHAKES, type HandshakeLimits } from './handshake-limits.ts';

type AnyAck = (res: Record<string, unknown>) => void;

/** Wraps a handler: validates the payload, answers errors through the ack, never throws. */
function handler<S extends z.ZodType>(
  log: Logger,
  schema: S,
  fn: (payload: z.infer<S>) => Promise<Record<string, unknown> | void>,
) {
  return (payload: unknown, ack: unknown) => {
    const reply: AnyAck = typeof ack === 'function' ? (ack as AnyAck) : () => {};
    const parsed = schema.safeParse(payload ?? {});
    if (!parsed.success) {
      reply({ ok: false, error: `invalid request: ${parsed.error.issues.map((i) => i.message).join('; ')}` });
      return;
    }
    fn(parsed.data).then(
      (value) => reply({ ok: true, ...(value ?? {}) }),
      (err: unknown) => reply(translate(log, err)),
    );
  };
}

/**
 * The signaling edge's translation of errors: a domain error or a media request refused is told
 * as it is; anything else is logged in full and answered with a sentence that says nothing internal.
 */
function translate(log: Logger, err: unknown): { ok: false; error: string; code?: string } {
  if (err instanceof DomainError) {
    log.debug({ err }, 'signaling request refused');
    return { ok: false, error: err.message, code: err.code };
  }
  if (err instanceof Error && err.name === 'MediaRequestError') return { ok: false, error: err.message };
  log.warn({ err }, 'signaling request failed');
  return { ok: false, error: err instanceof Error ? err.message : String(err) };
}

/** Runs a fire-and-forget promise with its error logged, never unhandled. */
function background(log: Logger, what: string, p: Promise<unknown>): void {
  p.catch((err: unknown) => log.error({ err }, what));
}

export interface SignalingOptions {
  http: HttpServer;
  db: Db;
  log: Logger;
  totems: TotemAuthenticator;
  /** Seconds a dropped kiosk or console may take to reconnect before its call ends. */
  reconnectGraceMs: number;
  /** Milliseconds a call survives its side's network outage (calls.outageSeconds). */
  outageMs: number;
  now: () => Date;
  /** The fleet (fleet/fleet-service.ts): told of kiosk connections and refused clones. */
  fleet?: KioskFleetHooks;
  /** Join pages of home appointments: "totems" of the queue, signed in with their join link. */
  homeGuests?: HomeGuests;
  /** ICE servers (TURN credentials) for a media socket; default none. */
  iceServers?: (label: string) => IceServersGrant;
  /** Handshake limits (calls/handshake-limits.ts); installed by the server before attach(). */
  limits?: HandshakeLimits;
}

/** What the kiosk namespace tells the fleet. */
export interface KioskFleetHooks {
  kioskConnected(totem: TotemIdentity): void;
  /** Records a refused second connection; resolves once it is recorded, never rejects. */
  cloneRefused(totem: TotemIdentity, address: string): Promise<void>;
}

export const CLONE_REFUSED = 'identity already connected (clone?)';

export class Signaling implements CallNotifier {
  readonly io: Server;
  private readonly kiosk: Namespace<KioskClientEvents, KioskServerEvents>;
  private readonly operator: Namespace<OperatorClientEvents, OperatorServerEvents>;
  private readonly media: Namespace<MediaClientEvents, MediaServerEvents>;
  private router!: CallRouter;
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  /** The one kiosk socket each totem identity may have (P-2). */
  private readonly kioskHolders = new Map<string, Socket>();
  /** Call requests a kiosk may cancel when it gives up waiting (request-cancels.ts). */
  private cancels!: RequestCancels;
  /** Call requests and upgrades take turns (turnstile.ts): a burst must not starve the sockets. */
  private readonly requestTurns = new Turnstile();
  private closing = false;
  private readonly agendaHints = new CoalescedHints((siteId) =>
    this.kiosk.to(`site:${siteId}`).emit(EVENTS.agendaChanged),
  );

  constructor(private readonly o: SignalingOptions) {
    // Short ping interval: a vanished kiosk or console is noticed within seconds (W-7), since the
    // SFU cannot tell a silently vanished UDP peer.
    this.io = new Server(o.http, {
      pingInterval: 2000,
      pingTimeout: 3000,
      maxHttpBufferSize: 64 * 1024,
      cors: { origin: true, credentials: false },
      serveClient: false,
    });
    this.kiosk = this.io.of(NAMESPACES.kiosk);
    this.operator = this.io.of(NAMESPACES.operator);
    this.media = this.io.of(NAMESPACES.media);
  }

  attach(router: CallRouter): void {
    this.router = router;
    this.cancels = new RequestCancels((totemId, callId) => router.hangupByKiosk(totemId, callId), this.o.log);
    this.setupKiosk();
    this.setupOperator();
    this.setupMedia();
  }

  private setupKiosk(): void {
    const { log } = this.o;
    this.kiosk.use((socket, next) => {
      const { credential, join } = socket.handshake.auth as { credential?: unknown; join?: unknown };
      const guest = typeof join === 'string' && this.o.homeGuests;
      const address = this.o.limits?.addressOf(socket) ?? socket.handshake.address;
      (guest
        ? this.o.homeGuests!.authenticate(join)
        : this.o.totems.authenticateFrom(address, typeof credential === 'string' ? credential : undefined)
      ).then(
        async (totem) => {
          if (totem === RATE_LIMITED) return next(new Error(TOO_MANY_REFUSALS));
          if (!totem) return next(new Error(guest ? 'join link refused' : 'totem credential refused'));
          if (this.o.limits?.totemOverLimit(totem.id)) return next(new Error(TOO_MANY_TOTEM_HANDSHAKES));
          // A second tab of the same join link is refused like a clone, but it is no fleet event.
          if (guest) {
            const holder = this.kioskHolders.get(totem.id);
            if (holder && holder !== socket && holder.conn.readyState === 'open')
              return next(new Error('this appointment is already open in another window'));
            this.kioskHolders.set(totem.id, socket);
            socket.data.totem = totem;
            socket.data.homeBooking = (totem as { bookingId?: string }).bookingId;
            return next();
          }
          // One identity, one connection: a second one while the first is alive is a clone (or a
          // stolen credential), refused and recorded. The holder's transport being closed means it
          // is merely a stale entry of a totem that is reconnecting.
          const holder = this.kioskHolders.get(totem.id);
          if (holder && holder !== socket && holder.conn.readyState === 'open') {
            log.warn({ totem: totem.id, address: socket.handshake.address }, 'second connection refused');
            await this.o.fleet?.cloneRefused(totem, socket.handshake.address);
            return next(new Error(CLONE_REFUSED));
          }
          this.kioskHolders.set(totem.id, socket);
          socket.data.totem = totem;
          next();
        },
        (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
      );
    });
    this.kiosk.on('connection', (socket) => {
      const totem = socket.data.totem as TotemIdentity;
      this.cancelGrace(`totem:${totem.id}`);
      void socket.join(`totem:${totem.id}`);
      void socket.join(`site:${totem.siteId}`);
      const homeBooking = socket.data.homeBooking as string | undefined;
      log.info({ totem: totem.id }, homeBooking ? 'join page connected' : 'kiosk connected');
      if (!homeBooking) this.o.fleet?.kioskConnected(totem);
      // The truth on every (re)connection: the call this totem has, or none.
      background(
        log,
        'could not tell a kiosk its session',
        this.router.kioskSession(totem).then((session) => socket.emit(EVENTS.session, session)),
      );
      const callAnswer =
        (schema: typeof callRequestSchema | typeof callUpgradeSchema) => (payload: unknown, ack: unknown) => {
          const reply: AnyAck = typeof ack === 'function' ? (ack as AnyAck) : () => {};
          if (homeBooking) return homeAnswer(payload, reply);
          const parsed = schema.safeParse(payload);
          if (!parsed.success) return reply({ ok: false, reason: 'unknown', error: 'invalid call request' });
          // request() marks the totem busy before its first await: two at once make one call.
          const data = parsed.data;
          const pending =
            'kind' in data
              ? this.cancels.track(
                  totem.id,
                  data.requestId,
                  this.requestTurns.run(() => this.router.request(totem, data)),
                )
              : this.requestTurns.run(() => this.router.upgrade(totem, data));
          pending.then(
            async (r) => {
              if (!r.ok) return reply({ ok: false, reason: r.reason, error: r.error });
              // Fast setup: the kiosk joins the call's room while it waits (call-prewarm.ts).
              const mediaToken =
                'kind' in data
                  ? await this.router.prewarmKiosk(totem.id, r.callId).catch((err: unknown) => {
                      log.warn({ err }, 'could not prepare the media of a waiting call');
                      return undefined;
                    })
                  : undefined;
              reply({ ok: true, callId: r.callId, ...(mediaToken ? { mediaToken } : {}) });
            },
            (err: unknown) => {
              log.error({ err }, 'call request failed');
              reply({ ok: false, reason: 'unavailable', error: 'the server could not take the call' });
            },
          );
        };
      // A join page asks for its own booking's call: the link named the booking, no code is typed.
      const homeAnswer = (payload: unknown, reply: AnyAck) => {
        const parsed = homeCallRequestSchema.safeParse(payload);
        if (!parsed.success) return reply({ ok: false, reason: 'unknown', error: 'invalid call request' });
        this.router
          .request(totem, { kind: 'booked', bookingId: homeBooking!, checkInKey: parsed.data.checkInKey })
          .then(
            (r) =>
              reply(r.ok ? { ok: true, callId: r.callId } : { ok: false, reason: r.reason, error: r.error }),
            (err: unknown) => {
              log.error({ err }, 'home call request failed');
              reply({ ok: false, reason: 'unavailable', error: 'the server could not take the call' });
            },
          );
      };
      socket.on(EVENTS.callRequest, callAnswer(callRequestSchema));
      socket.on(EVENTS.callUpgrade, callAnswer(callUpgradeSchema));
      socket.on(EVENTS.callCancel, (payload: unknown) => this.cancels.cancel(totem.id, payload));
      socket.on(
        EVENTS.callHangup,
        handler(log, callIdSchema, async ({ callId }) => this.router.hangupByKiosk(totem.id, callId)),
      );
      socket.on(
        EVENTS.callbackInstead,
        handler(log, callbackInsteadSchema, async (req) => this.router.callbackInstead(totem, req)),
      );
      socket.on(
        EVENTS.sessionGet,
        handler(log, emptySchema, async () => this.router.kioskSession(totem)),
      );
      socket.on('disconnect', (reason) => {
        if (this.kioskHolders.get(totem.id) === socket) this.kioskHolders.delete(totem.id);
        log.info({ totem: totem.id, reason }, 'kiosk disconnected');
        this.startGrace(
          `totem:${totem.id}`,
          () => background(log, "could not end a gone totem's call", this.router.totemGone(totem.id)),
          this.graceFor(reason, this.router.sessions.ofTotem(totem.id) !== undefined, !homeBooking),
        );
      });
    });
  }

  private setupOperator(): void {
    const { log, db } = this.o;
    this.operator.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      if (typeof token !== 'string') return next(new Error('please sign in'));
      operatorForSession(db, token, this.o.now()).then(
        (op) => {
          if (!op) return next(new Error('session expired: please sign in again'));
          socket.data.operator = op;
          next();
        },
        (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
      );
    });
    this.operator.on('connection', (socket) => {
      const op = socket.data.operator as { id: string; displayName: string };
      this.cancelGrace(`operator:${op.id}`);
      void socket.join(`operator:${op.id}`);
      // Every request waits for the console to be on the roster (one read of its offices).
      const online = this.router.operatorOnline(op.id, op.displayName);
      const greet = async () => {
        await online;
        const presence = this.router.presenceOf(op.id);
        if (presence) socket.emit(EVENTS.presence, presence);
        // The truth on every (re)connection; a ring sent while it was reconnecting is not lost.
        const { session, ring } = await this.router.consoleSession(op.id);
        socket.emit(EVENTS.session, session);
        if (ring) socket.emit(EVENTS.callRing, ring);
        const queue = this.router.consoleQueue(op.id);
        if (queue) socket.emit(EVENTS.queueList, queue);
      };
      background(log, 'could not greet a console', greet());
      const h = <S extends z.ZodType>(
        schema: S,
        fn: (p: z.infer<S>) => Promise<Record<string, unknown> | void>,
      ) =>
        handler(log, schema, async (p: z.infer<S>) => {
          await online;
          return fn(p);
        });
      socket.on(
        EVENTS.sessionGet,
        h(emptySchema, async () => (await this.router.consoleSession(op.id)).session),
      );
      socket.on(
        EVENTS.queueGet,
        h(emptySchema, async () => this.router.consoleQueue(op.id)),
      );
      socket.on(
        EVENTS.presenceSet,
        h(presenceSchema, async ({ status }) => this.router.setPresence(op.id, status)),
      );
      socket.on(
        EVENTS.callAccept,
        h(callIdSchema, async ({ callId }) => this.router.accept(op.id, callId)),
      );
      socket.on(
        MEDIA_PREWARM_EVENTS.prepare,
        h(prepareMediaSchema, async ({ callId }) => ({
          mediaToken: await this.router.prewarmOperator(op.id, callId),
        })),
      );
      socket.on(
        EVENTS.callDecline,
        h(callIdSchema, async ({ callId }) => this.router.decline(op.id, callId)),
      );
      socket.on(
        EVENTS.callHangup,
        h(callIdSchema, async ({ callId }) => this.router.hangupByOperator(op.id, callId)),
      );
      socket.on('disconnect', (reason) => {
        this.startGrace(
          `operator:${op.id}`,
          () => background(log, 'could not take a console offline', this.router.operatorOffline(op.id)),
          this.graceFor(reason, this.router.sessions.ofOperator(op.id) !== undefined),
        );
      });
    });
  }

  private setupMedia(): void {
    const { log } = this.o;
    this.media.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown }).token;
      // Claimed by this socket, once: any later use of the same token is refused (media-tokens.ts).
      const grant = this.router.tokens.claim(typeof token === 'string' ? token : undefined, socket.id);
      if (!grant) return next(new Error('media token refused'));
      socket.data.grant = grant;
      next();
    });
    this.media.on('connection', (socket: Socket<MediaClientEvents, MediaServerEvents>) => {
      const grant = socket.data.grant as { callId: string; role: 'kiosk' | 'operator' };
      const room = this.router.roomFor(grant.callId);
      if (!room || room.closed) {
        socket.emit(EVENTS.mediaClosed, { reason: 'cancelled' });
        socket.disconnect();
        return;
      }
      const role = grant.role;
      // Tagged with this socket: a late disconnect of an older socket detaches nothing (W-9).
      const consumerIds = room.attach(
        role,
        {
          consumer: (info) => socket.emit(EVENTS.mediaConsumer, info),
          consumerClosed: (consumerId) => socket.emit(EVENTS.mediaConsumerClosed, { consumerId }),
          consumerPaused: (consumerId, kind, paused) =>
            socket.emit(EVENTS.mediaConsumerPaused, { consumerId, kind, paused }),
          closed: (reason) => {
            socket.emit(EVENTS.mediaClosed, { reason });
            socket.disconnect();
          },
          videoNotice: (notice) => socket.emit(MEDIA_LINK_EVENTS.videoNotice, notice),
          live: () => socket.emit(MEDIA_PREWARM_EVENTS.live, {}),
        },
        socket.id,
      );
      if (room.live) socket.emit(MEDIA_PREWARM_EVENTS.live, {});
      // The page's next connection (after a drop) uses a fresh token to the same room.
      socket.emit(MEDIA_RECOVERY_EVENTS.resync, {
        token: this.router.tokens.issue(grant.callId, role),
        consumerIds,
      });
      registerMediaLinkHandlers(socket, room, role, {
        log,
        iceServers: this.o.iceServers ?? (() => ({ iceServers: [], expiresAt: null, ttlSeconds: null })),
      });
      const h = <S extends z.ZodType>(
        schema: S,
        fn: (p: z.infer<S>) => Promise<Record<string, unknown> | void>,
      ) => handler(log, schema, fn) as never;
      socket.on(EVENTS.mediaCapabilities, (_p: unknown, ack: unknown) => {
        if (typeof ack === 'function')
          (ack as AnyAck)({ ok: true, routerRtpCapabilities: room.rtpCapabilities });
      });
      socket.on(
        EVENTS.mediaCreateTransport,
        h(createTransportSchema, async ({ direction }) => ({
          transport: await room.createTransport(role, direction),
        })),
      );
      socket.on(
        EVENTS.mediaConnectTransport,
        h(connectTransportSchema, async (p) => room.connectTransport(role, p.transportId, p.dtlsParameters)),
      );
      socket.on(
        EVENTS.mediaReady,
        h(readySchema, async (p) => room.ready(role, p.rtpCapabilities)),
      );
      socket.on(
        EVENTS.mediaProduce,
        h(produceSchema, async (p) => ({
          id: await room.produce(role, p.transportId, p.kind, p.rtpParameters),
        })),
      );
      socket.on(
        EVENTS.mediaResumeConsumer,
        h(consumerIdSchema, async (p) => room.resumeConsumer(role, p.consumerId)),
      );
      socket.on(
        EVENTS.mediaPauseProducer,
        h(pauseProducerSchema, async (p) => room.pauseProducer(role, p.producerId, p.paused)),
      );
      socket.on(
        MEDIA_RECOVERY_EVENTS.keyFrame,
        h(emptySchema, async () => room.requestKeyFrames(role)),
      );
      socket.on(
        EVENTS.mediaRestartIce,
        h(transportIdSchema, async (p) => ({ iceParameters: await room.restartIce(role, p.transportId) })),
      );
      socket.on('disconnect', () => {
        if (room.closed) return;
        // Before the answer nothing is kept for a page that left: it joins afresh, or on accept.
        if (room.live) room.detach(role, socket.id);
        else room.releasePeer(role, socket.id);
      });
    });
  }

  /**
   * How long a dropped side may take to come back. A socket that went silent ('ping timeout': the
   * network, not the person) during a call keeps the call for the outage limit (W-1, W-4); the
   * liveness watch ends it sooner if its media is gone that long. A socket closed by its page (a
   * console closed, W-7) has the short grace. A totem's core never closes its link during a call
   * but to shut down: its connection reset or broken mid-call (a router restarting, a NAT that
   * forgot it) is the network too, and the call belongs to the media the page still carries.
   */
  private graceFor(reason: string, inCall: boolean, totemCore = false): number {
    const network =
      reason === 'ping timeout' ||
      (totemCore && (reason === 'transport close' || reason === 'transport error'));
    return inCall && network ? this.o.outageMs : this.o.reconnectGraceMs;
  }

  private startGrace(key: string, fn: () => void, ms: number): void {
    this.cancelGrace(key);
    if (this.closing) return;
    this.graceTimers.set(
      key,
      setTimeout(() => {
        this.graceTimers.delete(key);
        // Only if no socket of that identity came back in the meantime.
        const room = this.io
          .of(key.startsWith('totem:') ? NAMESPACES.kiosk : NAMESPACES.operator)
          .adapter.rooms.get(key);
        if (!room || room.size === 0) fn();
      }, ms),
    );
  }

  private cancelGrace(key: string): void {
    const t = this.graceTimers.get(key);
    if (t) clearTimeout(t);
    this.graceTimers.delete(key);
  }

  /* CallNotifier --------------------------------------------------------------------------- */

  callAccepted(totemId: string, p: CallAccepted): void {
    this.kiosk.to(`totem:${totemId}`).emit(EVENTS.callAccepted, p);
  }
  callEnded(
    target: { totemId?: string; operatorId?: string },
    p: Parameters<CallNotifier['callEnded']>[1],
  ): void {
    if (target.totemId) this.kiosk.to(`totem:${target.totemId}`).emit(EVENTS.callEnded, p);
    if (target.operatorId) this.operator.to(`operator:${target.operatorId}`).emit(EVENTS.callEnded, p);
  }
  ring(operatorId: string, p: Parameters<CallNotifier['ring']>[1]): void {
    this.operator.to(`operator:${operatorId}`).emit(EVENTS.callRing, p);
  }
  ringCancelled(operatorId: string, callId: string): void {
    this.operator.to(`operator:${operatorId}`).emit(EVENTS.callRingCancelled, { callId });
  }
  presence(operatorId: string, p: PresenceNotice): void {
    this.operator.to(`operator:${operatorId}`).emit(EVENTS.presence, p);
  }
  queueStatus(totemId: string, p: QueueStatus): void {
    this.kiosk.to(`totem:${totemId}`).emit(EVENTS.queueStatus, p);
  }
  callbackOffered(totemId: string, p: CallbackOffer): void {
    this.kiosk.to(`totem:${totemId}`).emit(EVENTS.callbackOffered, p);
  }
  queueList(operatorIds: readonly string[], p: ConsoleQueue): void {
    this.operator.to(operatorIds.map((id) => `operator:${id}`)).emit(EVENTS.queueList, p);
  }
  totemConnected(totemId: string): boolean {
    return (this.kiosk.adapter.rooms.get(`totem:${totemId}`)?.size ?? 0) > 0;
  }
  /**
   * An account was deactivated or its password reset: its sessions are already deleted, so close
   * its consoles now (a reconnect is refused) and take it off the queue without the reconnect
   * grace; a call it was in ends.
   */
  disconnectOperator(operatorId: string): void {
    this.operator.in(`operator:${operatorId}`).disconnectSockets(true);
    this.cancelGrace(`operator:${operatorId}`);
    this.router.operatorOffline(operatorId);
  }

  agendaChanged(siteId: string): void {
    this.agendaHints.hint(siteId);
  }

  async close(): Promise<void> {
    this.closing = true;
    this.agendaHints.close();
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
    await this.io.close();
  }
}
