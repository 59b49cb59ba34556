// The central server starts as named steps — database, media workers, HTTP, signaling, listen —
// and each step's failure stops it with the step's name. close() undoes them in reverse, once.
import type { AddressInfo } from 'node:net';
import { NAMESPACES } from '@sportello/protocol';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.ts';
import { migrateToLatest, openDatabase, type OpenedDatabase } from './db/open.ts';
import { createLogger, type Logger } from './logger.ts';
import { WorkerPool } from './media/worker-pool.ts';
import { Room } from './media/room.ts';
import { TurnCredentials } from './media/turn-credentials.ts';
import { buildHttpApp } from './http/app.ts';
import { TotemAuthenticator } from './auth/sessions.ts';
import { loadTokenSecret } from './auth/token-secret.ts';
import { FleetService } from './fleet/fleet-service.ts';
import { WindowLimiter } from './auth/window-limiter.ts';
import { trustFunction } from './http/client-address.ts';
import { HandshakeLimits } from './calls/handshake-limits.ts';
import { CallRouter } from './calls/call-router.ts';
import { Signaling } from './calls/signaling.ts';
import { watchCalls, type CallLiveness } from './calls/call-liveness.ts';
import { AgendaRetention } from './agenda/retention.ts';
import { releaseUnverified } from './agenda/booking-links.ts';
import { LinkSigner } from './messages/links.ts';
import { HomeGuests } from './calls/home-guests.ts';
import { MessageDelivery } from './messages/delivery.ts';
import {
  fileSmsGateway,
  httpSmsGateway,
  smtpTransport,
  type MailTransport,
  type SmsGateway,
} from './messages/transports.ts';

export const SERVER_VERSION = '0.1.0';

/** The queue's settings in the units the router works in. */
export function callSettings(config: ServerConfig) {
  const c = config.calls;
  return {
    ringTimeoutMs: c.ringTimeoutSeconds * 1000,
    bookedGraceMs: c.bookedGraceSeconds * 1000,
    walkInAgeingMs: c.walkInAgeingSeconds * 1000,
    missedRetryMs: c.missedRingRetrySeconds * 1000,
    maxWaitMs: c.maxWaitSeconds * 1000,
    missedRingsToPause: c.missedRingsToPause,
    heldAbandonMs: c.recoveryAbandonSeconds * 1000,
    recoveryGraceMs: c.recoveryGraceSeconds * 1000,
    defaultHandleMs: c.defaultHandleSeconds * 1000,
    statusRefreshMs: 30_000,
  };
}

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  database: OpenedDatabase;
  pool: WorkerPool;
  router: CallRouter;
  /** The calls' outage watch (tests with a manual clock run it with sample()). */
  liveness: CallLiveness;
  http: FastifyInstance;
  fleet: FleetService;
  /** Totem credentials (the abuse tests read how many argon2 checks a flood caused). */
  totems: TotemAuthenticator;
  log: Logger;
  /** The message delivery loop (tests run it on their clock with runDue()). */
  messages: MessageDelivery;
  /** Signs the links of the messages (tests make tampered and expired ones). */
  links: LinkSigner;
  /** Feed pruning and personal-data purge (tests run it on their clock with pruneIfDue()). */
  retention: AgendaRetention;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  now?: () => Date;
  /** How often the queue dispatcher runs by itself, ms (default 1000; 0: only on changes and tick()). */
  tickMs?: number;
  /** Runs after migrations, before the server listens (the demo seed uses it). */
  beforeListen?: (database: OpenedDatabase) => Promise<void>;
  /** Replaces the SMS gateway of the configuration (the demo's message page). */
  smsGateway?: SmsGateway;
  /** Replaces the SMTP transport of the configuration. */
  mailTransport?: MailTransport;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const now = options.now ?? (() => new Date());
  const undo: (() => Promise<void> | void)[] = [];
  async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    log.info(`starting: ${name}`);
    try {
      return await fn();
    } catch (err) {
      log.fatal({ err }, `start-up step "${name}" failed`);
      for (const u of undo.reverse()) await u();
      throw new Error(`start-up step "${name}" failed: ${(err as Error).message}`, { cause: err });
    }
  }

  const database = await step('database', async () => {
    const opened = openDatabase(join(config.dataDir, 'sportello.db'));
    undo.push(() => opened.close());
    await migrateToLatest(opened.db);
    if (options.beforeListen) await options.beforeListen(opened);
    return opened;
  });
  const pool = await step('media workers', async () => {
    const p = await WorkerPool.create(config.media.workers, config.media, log.child({ component: 'media' }));
    undo.push(() => p.close());
    return p;
  });
  const tokenSecret = await step('totem token key', async () =>
    loadTokenSecret(config.dataDir, config.fleet.tokenSecret, log),
  );
  const turn = new TurnCredentials(config.turn, now);
  // Refused totem secrets per client address, counted alike over HTTP and the kiosk handshake.
  const limits = config.clientLimits;
  const failures = new WindowLimiter({ max: limits.failedAuthPerAddressPerMinute, windowMs: 60_000 });
  const trust = trustFunction(config.trustProxy);
  const totems = new TotemAuthenticator(database.db, {
    tokenSecret,
    now,
    demoSecrets: config.demoSecrets,
    failures,
  });
  if (config.demoSecrets) log.warn('demo totem secrets are accepted (demoSecrets): never in production');
  let router!: CallRouter;
  let signaling: Signaling | undefined;
  let liveness!: CallLiveness;
  // Known once the server listens; enrollment hands it to totems.
  let listenUrl = '';
  const fleet = new FleetService({
    db: database.db,
    log: log.child({ component: 'fleet' }),
    now,
    totems,
    // Totems learn the TURN URLs at enrollment for their self-test; credentials come per call.
    config: {
      ...config.fleet,
      turnServers: config.fleet.turnServers.length
        ? config.fleet.turnServers
        : config.turn.urls.map((urls) => ({ urls })),
    },
    serverUrl: () => config.publicUrl ?? listenUrl,
    kiosk: () => signaling?.io.of(NAMESPACES.kiosk),
    calls: () => router,
  });
  // The change feed's pruning timer belongs to the server; close() stops it before the database.
  const agendaRetention = new AgendaRetention({
    db: database.db,
    log: log.child({ component: 'agenda-sync' }),
    retentionHours: config.sync.tombstoneRetentionHours,
    personalDataDays: config.retention.personalDataDays,
    now,
  });
  undo.push(() => agendaRetention.close());
  const onAgendaChanged = (officeId: string) => {
    void database.db
      .selectFrom('site_offices')
      .select('site_id')
      .where('office_id', '=', officeId)
      .execute()
      .then((rows) => rows.forEach((r) => signaling?.agendaChanged(r.site_id)))
      .catch((err: unknown) => log.error({ err, officeId }, 'could not tell the totems of an agenda change'));
  };
  const links = new LinkSigner(tokenSecret);
  const homeGuests = new HomeGuests({ db: database.db, signer: links, now, window: config.checkIn });
  const sms =
    options.smsGateway ??
    (config.messages.sms.gateway === 'http'
      ? httpSmsGateway(config.messages.sms)
      : config.messages.sms.gateway === 'log'
        ? fileSmsGateway(config.messages.sms.logFile ?? join(config.dataDir, 'sms-outbox.jsonl'), now)
        : undefined);
  const mail = options.mailTransport ?? smtpTransport(config.messages.email);
  const messages = new MessageDelivery({
    db: database.db,
    log: log.child({ component: 'messages' }),
    now,
    config: config.messages,
    timeZone: config.timeZone,
    mail,
    sms,
    links,
    checkInWindow: config.checkIn,
    publicUrl: () => config.publicUrl ?? listenUrl,
    verificationCode: (id) => links.verificationCode(id),
    verifyMinutes: config.abuse.verifyMinutes,
    sweep: async () => {
      for (const office of new Set(await releaseUnverified(database.db, now()))) onAgendaChanged(office);
    },
  });
  undo.push(() => messages.close());
  const citizen = {
    plan: { email: !!mail, sms: !!sms, reminderMinutes: config.messages.reminderMinutes },
    limits: config.abuse,
    signer: links,
    homeGuests,
    kick: () => messages.kick(),
  };
  const http = await step('http', async () => {
    const app = await buildHttpApp({
      db: database.db,
      log,
      timeZone: config.timeZone,
      now,
      version: SERVER_VERSION,
      startedAt: Date.now(),
      mediaWorkers: () => pool.size,
      operatorSessionHours: config.operatorSessionHours,
      totems,
      router: () => router,
      rateLimitPerMinute: config.rateLimitPerMinute,
      trust,
      totemRequestsPerMinute: limits.totemRequestsPerMinute ?? config.rateLimitPerMinute,
      pagesDir: config.pagesDir,
      fleet,
      agendaRetention,
      checkInWindow: config.checkIn,
      onAccountSignedOut: (operatorId) => signaling?.disconnectOperator(operatorId),
      municipality: config.municipality,
      onAgendaChanged,
      citizen,
      onCallbacksChanged: () => router?.callbacksChanged(),
    });
    undo.push(() => app.close());
    return app;
  });
  const started = await step('signaling', async () => {
    const handshakeLimits = new HandshakeLimits({
      trust,
      handshakesPerAddressPerMinute: limits.handshakesPerAddressPerMinute,
      handshakesPerTotemPerMinute: limits.handshakesPerTotemPerMinute,
      log: log.child({ component: 'signaling' }),
    });
    const s = new Signaling({
      limits: handshakeLimits,
      http: http.server,
      db: database.db,
      log: log.child({ component: 'signaling' }),
      totems,
      reconnectGraceMs: config.calls.reconnectGraceSeconds * 1000,
      outageMs: config.calls.outageSeconds * 1000,
      now,
      fleet,
      homeGuests,
      iceServers: (label) => turn.grant(label),
    });
    signaling = s;
    handshakeLimits.install(s.io, [NAMESPACES.kiosk, NAMESPACES.operator, NAMESPACES.media]);
    router = new CallRouter({
      db: database.db,
      log: log.child({ component: 'calls' }),
      notifier: s,
      createRoom: (callId) =>
        Room.create(pool.pick(), callId, {
          ip: config.media.listenIp,
          announcedIp: config.media.announcedIp,
        }),
      mediaTokenMs: config.calls.mediaTokenSeconds * 1000,
      checkInWindow: config.checkIn,
      settings: callSettings(config),
      tickMs: options.tickMs ?? 1000,
      now,
    });
    await router.start();
    s.attach(router);
    undo.push(() => s.close());
    liveness = watchCalls(router, {
      now,
      outageMs: config.calls.outageSeconds * 1000,
      intervalMs: options.tickMs === 0 ? 0 : 1000,
      log: log.child({ component: 'liveness' }),
    });
    undo.push(() => liveness.close());
    return s;
  });
  const address = await step('listen', async () => {
    await http.listen({ host: config.host, port: config.port });
    agendaRetention.start();
    messages.start();
    return http.server.address() as AddressInfo;
  });
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  listenUrl = `http://${host}:${address.port}`;
  const url = config.publicUrl ?? listenUrl;
  log.info({ url }, 'sportello server ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    config,
    database,
    pool,
    router,
    liveness,
    http,
    fleet,
    totems,
    log,
    messages,
    links,
    retention: agendaRetention,
    close() {
      closing ??= (async () => {
        await liveness.close();
        await router.close();
        await started.close();
        await http.close();
        await agendaRetention.close();
        await messages.close();
        pool.close();
        await database.close();
      })();
      return closing;
    },
  };
}
