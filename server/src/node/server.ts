// The central server starts as named steps — database, media workers, HTTP, signaling, listen —
// and each step's failure stops it with the step's name. close() undoes them in reverse, once.
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerConfig } from './config.ts';
import { migrateToLatest, openDatabase, type OpenedDatabase } from './db/open.ts';
import { createLogger, type Logger } from './logger.ts';
import { WorkerPool } from './media/worker-pool.ts';
import { Room } from './media/room.ts';
import { buildHttpApp } from './http/app.ts';
import { TotemAuthenticator } from './auth/sessions.ts';
import { CallRouter } from './calls/call-router.ts';
import { Signaling } from './calls/signaling.ts';

export const SERVER_VERSION = '0.1.0';

export interface RunningServer {
  url: string;
  port: number;
  config: ServerConfig;
  database: OpenedDatabase;
  pool: WorkerPool;
  router: CallRouter;
  http: FastifyInstance;
  log: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  now?: () => Date;
  /** Runs after migrations, before the server listens (the demo seed uses it). */
  beforeListen?: (database: OpenedDatabase) => Promise<void>;
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
  const totems = new TotemAuthenticator(database.db);
  let router!: CallRouter;
  let signaling!: Signaling;
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
      pagesDir: config.pagesDir,
      onAgendaChanged: (officeId) => {
        void database.db
          .selectFrom('site_offices')
          .select('site_id')
          .where('office_id', '=', officeId)
          .execute()
          .then((rows) => rows.forEach((r) => signaling.agendaChanged(r.site_id)));
      },
    });
    undo.push(() => app.close());
    return app;
  });
  await step('signaling', async () => {
    signaling = new Signaling({
      http: http.server,
      db: database.db,
      log: log.child({ component: 'signaling' }),
      totems,
      reconnectGraceMs: 10_000,
      now,
    });
    router = new CallRouter({
      db: database.db,
      log: log.child({ component: 'calls' }),
      notifier: signaling,
      createRoom: (callId) =>
        Room.create(pool.pick(), callId, {
          ip: config.media.listenIp,
          announcedIp: config.media.announcedIp,
        }),
      ringTimeoutMs: config.calls.ringTimeoutSeconds * 1000,
      mediaTokenMs: config.calls.mediaTokenSeconds * 1000,
      checkInWindow: config.checkIn,
      now,
    });
    signaling.attach(router);
    undo.push(() => signaling.close());
  });
  const address = await step('listen', async () => {
    await http.listen({ host: config.host, port: config.port });
    return http.server.address() as AddressInfo;
  });
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = config.publicUrl ?? `http://${host}:${address.port}`;
  log.info({ url }, 'sportello server ready');

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    config,
    database,
    pool,
    router,
    http,
    log,
    close() {
      closing ??= (async () => {
        await router.close();
        await signaling.close();
        await http.close();
        pool.close();
        await database.close();
      })();
      return closing;
    },
  };
}
