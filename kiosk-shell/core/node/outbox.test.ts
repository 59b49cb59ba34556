// The outbox against the real server: exactly-once delivery through lost answers (S-6), the online
// and offline check-in paths sharing one idempotency key, and the offline call-back whose phone
// number leaves the totem once delivered (C-4).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dammCheckDigit, IDEMPOTENT_REPLAY_HEADER, SYNC_ROUTES, type KeypadKey } from '@sportello/protocol';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { codeHash } from '../../../server/src/node/agenda/kiosk-agenda.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore } from './kiosk-core.ts';
import { Outbox } from './outbox.ts';
import { OutboxSender } from './outbox-sender.ts';
import { ServerLink } from './server-link.ts';
import { SyncHttp } from './sync-http.ts';
import { startFaultyHttpProxy, startTcpProxy } from './testing/proxies.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer({ rateLimitPerMinute: 1_000_000 });
});
after(() => t.close());
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-outbox-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const db = () => t.server.database.db;
const code = (label: string) => t.seed.bookings.find((b) => b.label === label)!;
const siteKeyOf = async () =>
  (await db().selectFrom('sites').select('site_key').where('id', '=', 'centro').executeTakeFirstOrThrow())
    .site_key;

/** Bookings in the check-in window, with the full code hash a totem sends with each check-in. */
async function insertBookings(n: number): Promise<{ bookingId: string; codeHash: string }[]> {
  const now = new Date();
  const ids: { bookingId: string; codeHash: string }[] = [];
  const siteKey = await siteKeyOf();
  const rows = Array.from({ length: n }, (_, i) => {
    const body = String(20_000_000 + i);
    const id = `s6-${i}`;
    const bookingCode = body + String(dammCheckDigit(body));
    ids.push({ bookingId: id, codeHash: codeHash(siteKey, bookingCode) });
    return {
      id,
      code: bookingCode,
      service_id: 'urp-info',
      office_id: 'urp',
      operator_id: null,
      slot_start: now.toISOString(),
      slot_end: new Date(now.getTime() + 20 * 60_000).toISOString(),
      reason: 'S-6',
      name: 'S-6',
      email: null,
      phone: null,
      status: 'booked' as const,
      manage_token_hash: `s6-${i}`,
      version: 1,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
  });
  for (let i = 0; i < rows.length; i += 100)
    await db()
      .insertInto('bookings')
      .values(rows.slice(i, i + 100))
      .execute();
  return ids;
}

describe('outbox delivery', { timeout: 300_000 }, () => {
  test('S-6 1,000 check-ins made offline, delivered through a server that fails every third request and drops answers after commit: exactly 1,000, outbox empty', async () => {
    const ids = await insertBookings(1000);
    const outbox = new Outbox(tempDir());
    const now = new Date().toISOString();
    for (const booking of ids) outbox.addCheckIn({ ...booking, occurredAt: now });
    const proxy = await startFaultyHttpProxy(t.url);
    const http = new SyncHttp({
      serverUrl: proxy.url,
      credential: totemCredential(t.seed),
      timeoutMs: 5_000,
    });
    const sender = new OutboxSender({ outbox, http, backoff: { baseMs: 1, maxMs: 4 } });
    cleanups.push(async () => {
      sender.close();
      outbox.close();
      await proxy.close();
    });
    const empty = new Promise<void>((resolve) => outbox.onChange(() => outbox.pending() === 0 && resolve()));
    void sender.kick();
    await empty;
    const rows = await db().selectFrom('check_ins').selectAll().where('booking_id', 'like', 's6-%').execute();
    assert.equal(rows.length, 1000, 'exactly 1,000 check-ins on the server');
    assert.ok(rows.every((r) => (JSON.parse(r.result) as { outcome: string }).outcome === 'accepted'));
    const checkedIn = await db()
      .selectFrom('bookings')
      .select('id')
      .where('id', 'like', 's6-%')
      .where('status', '=', 'checked_in')
      .execute();
    assert.equal(checkedIn.length, 1000);
    assert.equal(outbox.pending(), 0);
    assert.ok(proxy.counts.failed >= 500 && proxy.counts.dropped >= 500, JSON.stringify(proxy.counts));
  });

  test('online: the call request and the outbox share the check-in key, so a later delivery replays it', async () => {
    const dir = tempDir();
    const cache = new AgendaCache(dir);
    const link = new ServerLink(t.url, totemCredential(t.seed));
    const core = new KioskCore({ cache, link, lookupFloorMs: 0 });
    cleanups.push(() => {
      core.close();
      link.close();
      cache.close();
    });
    await core.refreshAgenda();
    await untilState(core, (s) => s.online);
    const booking = code('now');
    await core.handle({ method: 'submitCode', code: booking.code });
    await untilState(core, (s) => s.screen.screen === 'waiting');
    assert.equal(core.getState().sync?.outboxPending, 0, 'the call path confirmed the check-in');
    const rows = await db()
      .selectFrom('check_ins')
      .selectAll()
      .where('booking_id', '=', booking.bookingId)
      .execute();
    assert.equal(rows.length, 1);
    // The same key through the outbox route: the stored answer, not a refusal as 'used'.
    const res = await fetch(t.url + SYNC_ROUTES.checkIns, {
      method: 'POST',
      headers: { authorization: `Totem ${totemCredential(t.seed)}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        idempotencyKey: rows[0]!.idempotency_key,
        bookingId: booking.bookingId,
        codeHash: codeHash(await siteKeyOf(), booking.code),
        occurredAt: new Date().toISOString(),
      }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get(IDEMPOTENT_REPLAY_HEADER), 'true');
    assert.equal(((await res.json()) as { outcome: string }).outcome, 'accepted');
    await core.handle({ method: 'hangUp' });
  });

  test('offline: the code is recognised, the check-in recorded, a call-back asked; both delivered once when the server is back, and the number leaves the totem (C-4)', async () => {
    const proxy = await startTcpProxy(t.url);
    const dir = tempDir();
    const cache = new AgendaCache(dir);
    const link = new ServerLink(proxy.url, totemCredential(t.seed), 5_000);
    const core = new KioskCore({
      cache,
      link,
      lookupFloorMs: 0,
      backoff: { baseMs: 20, maxMs: 200 },
      // A generous deadline: a busy machine's answer through the proxy can take well over 500 ms.
      syncTimeoutMs: 5_000,
    });
    cleanups.push(async () => {
      core.close();
      link.close();
      cache.close();
      await proxy.close();
    });
    await core.refreshAgenda();
    await untilState(core, (s) => s.online);
    proxy.cut();
    await untilState(core, (s) => !s.online);
    const booking = code('soon');
    await core.handle({ method: 'submitCode', code: booking.code });
    assert.deepEqual(core.getState().screen, { screen: 'checked-in-offline' });
    await core.handle({ method: 'requestCallback' });
    const phone = '+393331234567';
    for (const key of ['plus', ...phone.slice(1)] as KeypadKey[])
      await core.handle({ method: 'pressKey', key });
    await core.handle({ method: 'pressKey', key: 'enter' });
    assert.deepEqual(core.getState().screen, { screen: 'callback-done' });
    assert.equal(core.getState().sync?.outboxPending, 2);
    // Single use, even offline.
    assert.deepEqual((await core.handle({ method: 'submitCode', code: booking.code })).screen, {
      screen: 'rejected',
      reason: 'used',
    });
    proxy.restore();
    await untilState(core, (s) => s.sync?.outboxPending === 0);
    const checkIns = await db()
      .selectFrom('check_ins')
      .selectAll()
      .where('booking_id', '=', booking.bookingId)
      .execute();
    assert.equal(checkIns.length, 1);
    assert.equal((JSON.parse(checkIns[0]!.result) as { outcome: string }).outcome, 'accepted');
    const callbacks = await db().selectFrom('callbacks').selectAll().where('phone', '=', phone).execute();
    assert.equal(callbacks.length, 1);
    assert.equal(callbacks[0]!.booking_id, booking.bookingId);
    const files = readdirSync(dir).filter((f) => f.startsWith('outbox.db') || f.startsWith('agenda.db'));
    const blob = Buffer.concat(files.map((f) => readFileSync(join(dir, f)))).toString('latin1');
    assert.ok(!blob.includes(phone.slice(1)), 'the phone number is gone from the totem');
    assert.ok(!blob.includes(booking.code), 'no code in clear');
  });
});
