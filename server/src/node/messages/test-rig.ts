// The rig of the message tests: a real server on a clock the test moves, a real SMTP server
// (SmtpSink) for its e-mail, a real HTTP server as its SMS gateway, and the pino log captured.
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { OPERATOR_ROUTES, PUBLIC_ROUTES, routePath, routeQuery } from '@sportello/protocol';
import { pino } from 'pino';
import type { ServerConfigInput } from '../config.ts';
import { SmtpSink } from '../testing/smtp-sink.ts';
import { startTestServer, TEST_PASSWORDS, type TestServer } from '../testing/test-server.ts';
import { addDays, localDate } from '../agenda/time-zone.ts';

export interface SmsRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface MessageRig {
  t: TestServer;
  smtp: SmtpSink;
  sms: SmsRequest[];
  /** The SMS gateway's answer; set 503 to make it refuse. */
  smsStatus: { code: number };
  /** Every log line the server wrote, as JSON text. */
  logs: string[];
  clock: { ms: number };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are checked field by field
  api(path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  /** Books the first free slot from the local date `daysAhead` days after the clock on. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as api()
  book(body: Record<string, unknown>, daysAhead?: number): Promise<{ status: number; body: any }>;
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

/** A Monday in June (CEST, UTC+2) at 09:00 in Rome. */
export const RIG_START = Date.parse('2030-06-10T07:00:00Z');

export async function startMessageRig(overrides: ServerConfigInput = {}): Promise<MessageRig> {
  const smtp = new SmtpSink();
  await smtp.start();
  const sms: SmsRequest[] = [];
  const smsStatus = { code: 202 };
  const gateway: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (smsStatus.code < 300)
        sms.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(smsStatus.code).end();
    });
  });
  await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(line);
      done();
    },
  });
  const clock = { ms: RIG_START };
  const t = await startTestServer(
    {
      rateLimitPerMinute: 1_000_000,
      ...overrides,
      abuse: { bookingRequestsPerMinute: 1000, ...overrides.abuse },
      messages: {
        email: { host: '127.0.0.1', port: smtp.port, from: 'Comune di Prova <sportello@comune.example>' },
        sms: {
          gateway: 'http',
          url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`,
          authHeader: 'X-Api-Key',
          authValue: 'gateway-test-key',
          bodyTemplate: '{"number":"{{to}}","message":"{{text}}","sender":"{{from}}"}',
        },
        retryBaseSeconds: 30,
        ...overrides.messages,
      },
    },
    () => new Date(clock.ms),
    { log: pino({ level: 'info' }, sink) },
  );
  const api = async (path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(t.url + path, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  return {
    t,
    smtp,
    sms,
    smsStatus,
    logs,
    clock,
    api,
    async book(body, daysAhead = 2) {
      const date = addDays(localDate(new Date(clock.ms), 'Europe/Rome'), daysAhead);
      const slots = await daysWithSlots({ api }, date, 1);
      return api(PUBLIC_ROUTES.book.path, {
        serviceId: 'urp-info',
        slotStart: slots[0]!.start,
        reason: 'Una ragione',
        name: 'Anna Verdi',
        ...body,
      });
    },
    async adminToken() {
      const r = await api(OPERATOR_ROUTES.signIn.path, { username: 'admin', password: TEST_PASSWORDS.admin });
      assert.equal(r.status, 200);
      return r.body.token as string;
    },
    async close() {
      await t.close();
      await smtp.close();
      await new Promise<void>((r) => gateway.close(() => r()));
    },
  };
}

/** The first local date from `from` on with at least `count` free slots of urp-info. */
export async function daysWithSlots(rig: Pick<MessageRig, 'api'>, from: string, count: number) {
  for (let date = from, i = 0; i < 14; i++, date = addDays(date, 1)) {
    const slots = (
      await rig.api(routePath(PUBLIC_ROUTES.slots, { serviceId: 'urp-info' }) + routeQuery({ date }))
    ).body as { start: string }[];
    if (slots.length >= count) return slots;
  }
  throw new Error(`no day with ${count} free slots from ${from}`);
}

/** The links of a message's text, by purpose. */
export function linksOf(text: string): { cancel?: string; reschedule?: string; join?: string } {
  const cancel = /#cancel=([\w.-]+)/.exec(text)?.[1];
  const reschedule = /#reschedule=([\w.-]+)/.exec(text)?.[1];
  const join = /#join=([\w.-]+)/.exec(text)?.[1];
  return { ...(cancel ? { cancel } : {}), ...(reschedule ? { reschedule } : {}), ...(join ? { join } : {}) };
}
