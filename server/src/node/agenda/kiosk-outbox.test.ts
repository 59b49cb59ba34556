import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  checkInResponseSchema,
  EVENTS,
  IDEMPOTENT_REPLAY_HEADER,
  makeBookingCode,
  NAMESPACES,
  OPERATOR_ROUTES,
  operatorCallbackSchema,
  routePath,
  SYNC_ROUTES,
} from '@sportello/protocol';
import { io } from 'socket.io-client';
import type { Db } from '../db/open.ts';
import { startTestServer, TEST_PASSWORDS, totemCredential, type TestServer } from '../testing/test-server.ts';
import { recordBookingChange } from './change-log.ts';
import { codeHash } from './kiosk-agenda.ts';

const MINUTE = 60_000;

/** Inserts bookings of the `urp` office starting at `slotStart`, each with its change row. */
async function insertBookings(db: Db, count: number, slotStart: Date, first = 0): Promise<string[]> {
  const ids: string[] = [];
  // The seed's codes are random: one may be a bulk code (1 in 20,000 runs), and live codes are unique.
  const taken = new Set((await db.selectFrom('bookings').select('code').execute()).map((r) => r.code));
  await db.transaction().execute(async (trx) => {
    for (let i = first; i < first + count; i++) {
      let code: string;
      for (let n = 10_000_000 + i; ; n += 50_000_000) {
        const body = String(n);
        let k = 0;
        code = makeBookingCode(() => Number(body[k++]));
        if (!taken.has(code)) break;
      }
      const id = `bulk-${i}`;
      const stamp = new Date().toISOString();
      await trx
        .insertInto('bookings')
        .values({
          id,
          code,
          service_id: 'urp-info',
          office_id: 'urp',
          operator_id: 'op-giulia',
          slot_start: slotStart.toISOString(),
          slot_end: new Date(slotStart.getTime() + 15 * MINUTE).toISOString(),
          reason: 'r',
          name: 'n',
          email: null,
          phone: null,
          status: 'booked',
          manage_token_hash: `bulk-hash-${i}`,
          version: 1,
          created_at: stamp,
          updated_at: stamp,
        })
        .execute();
      await recordBookingChange(trx, {
        bookingId: id,
        officeId: 'urp',
        version: 1,
        kind: 'upsert',
        now: new Date(),
      });
      ids.push(id);
    }
  });
  return ids;
}

/** A small seeded PRNG, so that a failing order can be replayed. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let r = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

describe('totem outbox: check-ins and call-backs', () => {
  let t: TestServer;
  let clock = Date.now();
  let auth: string;
  before(async () => {
    t = await startTestServer({ rateLimitPerMinute: 1_000_000 }, () => new Date(clock));
    auth = `Totem ${totemCredential(t.seed)}`;
  });
  after(() => t.close());

  async function post(
    path: string,
    body: unknown,
    headers: Record<string, string> = { authorization: auth },
  ) {
    const res = await fetch(t.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      replayed: res.headers.get(IDEMPOTENT_REPLAY_HEADER) === 'true',
      body: (await res.json()) as Record<string, unknown>,
    };
  }
  /** The full hash of the booking's code, as the totem sends it; a wrong one for unknown ids. */
  const hashOf = async (bookingId: string) => {
    const db = t.server.database.db;
    const site = await db.selectFrom('sites').select('site_key').executeTakeFirstOrThrow();
    const b = await db.selectFrom('bookings').select('code').where('id', '=', bookingId).executeTakeFirst();
    return b ? codeHash(site.site_key, b.code) : 'e'.repeat(64);
  };
  const checkIn = async (bookingId: string, extra: Record<string, unknown> = {}) => ({
    idempotencyKey: randomUUID(),
    bookingId,
    codeHash: await hashOf(bookingId),
    occurredAt: new Date(clock).toISOString(),
    ...extra,
  });
  const bookingRow = (id: string) =>
    t.server.database.db
      .selectFrom('bookings')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  test('a replayed check-in gets the stored answer and is applied once', async () => {
    const [id] = await insertBookings(t.server.database.db, 1, new Date(clock), 5000);
    const req = await checkIn(id!);
    const first = await post(SYNC_ROUTES.checkIns, req);
    assert.equal(first.status, 200);
    assert.equal(first.replayed, false);
    const parsed = checkInResponseSchema.parse(first.body);
    assert.ok(parsed.outcome === 'accepted' && parsed.version === 2);
    // The answer was lost on the way: the totem sends the same key again, later.
    clock += 5 * MINUTE;
    const again = await post(SYNC_ROUTES.checkIns, req);
    assert.equal(again.status, 200);
    assert.equal(again.replayed, true);
    assert.deepEqual(again.body, first.body);
    assert.deepEqual(await bookingRow(id!), { status: 'checked_in', version: 2 });
    // A second key for the same booking is a second check-in: refused as already used.
    const other = await post(SYNC_ROUTES.checkIns, await checkIn(id!));
    assert.equal(other.body.outcome, 'refused');
    assert.equal(other.body.reason, 'used');
    const reused = await post(SYNC_ROUTES.checkIns, { ...req, bookingId: t.seed.bookings[0]!.bookingId });
    assert.equal(reused.status, 409);
    assert.equal(reused.body.code, 'idempotency-key-reused');
  });

  test('an offline check-in is judged at its time; refusals are stored and replayed too', async () => {
    const slot = new Date(clock);
    const [onTime, wrongHash, future] = await insertBookings(t.server.database.db, 3, slot, 6000);
    clock += 60 * MINUTE; // The totem comes back online an hour after the citizen was there.
    const offline = await post(
      SYNC_ROUTES.checkIns,
      await checkIn(onTime!, { occurredAt: new Date(slot.getTime() + 2 * MINUTE).toISOString() }),
    );
    assert.equal(offline.body.outcome, 'accepted');
    const hashReq = await checkIn(wrongHash!, { codeHash: 'f'.repeat(64), occurredAt: slot.toISOString() });
    const refused = await post(SYNC_ROUTES.checkIns, hashReq);
    assert.deepEqual([refused.body.outcome, refused.body.reason], ['refused', 'unknown']);
    assert.deepEqual(await post(SYNC_ROUTES.checkIns, hashReq).then((r) => r.body), refused.body);
    assert.deepEqual(await bookingRow(wrongHash!), { status: 'booked', version: 1 });
    // A totem clock ahead of the server cannot move the check-in into the future: judged now, too late.
    const ahead = await post(
      SYNC_ROUTES.checkIns,
      await checkIn(future!, { occurredAt: new Date(clock + 24 * 60 * MINUTE).toISOString() }),
    );
    assert.deepEqual([ahead.body.outcome, ahead.body.reason], ['refused', 'too-late']);
    const unknown = await post(SYNC_ROUTES.checkIns, await checkIn('no-such-booking'));
    assert.deepEqual([unknown.body.outcome, unknown.body.reason], ['refused', 'unknown']);
    const siteKey = (
      await t.server.database.db.selectFrom('sites').select('site_key').executeTakeFirstOrThrow()
    ).site_key;
    const seeded = t.seed.bookings.find((b) => b.label === 'tomorrow')!;
    const early = await post(
      SYNC_ROUTES.checkIns,
      await checkIn(seeded.bookingId, { codeHash: codeHash(siteKey, seeded.code) }),
    );
    assert.deepEqual([early.body.outcome, early.body.reason], ['refused', 'too-early']);
  });

  test('requests without a valid totem credential or with a bad body are refused', async () => {
    assert.equal((await post(SYNC_ROUTES.checkIns, await checkIn('x'), {})).status, 401);
    assert.equal(
      (await post(SYNC_ROUTES.checkIns, { ...(await checkIn('x')), idempotencyKey: 'not-a-uuid' })).status,
      400,
    );
    // The totem holds only a 16-bit tag, so a check-in without the full code hash cannot be verified.
    const { codeHash: _hash, ...noHash } = await checkIn(t.seed.bookings[0]!.bookingId);
    assert.equal((await post(SYNC_ROUTES.checkIns, noHash)).status, 400);
    assert.equal(
      (
        await post(SYNC_ROUTES.callbacks, {
          idempotencyKey: randomUUID(),
          phone: 'call me',
          occurredAt: new Date(clock).toISOString(),
        })
      ).status,
      400,
    );
  });

  test('the totems of the site hear agenda:changed after an accepted check-in', async () => {
    const [id] = await insertBookings(t.server.database.db, 1, new Date(clock), 7000);
    const socket = io(t.url + NAMESPACES.kiosk, {
      auth: { credential: totemCredential(t.seed) },
      transports: ['websocket'],
    });
    try {
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const heard = new Promise<void>((resolve) => socket.once(EVENTS.agendaChanged, () => resolve()));
      assert.equal((await post(SYNC_ROUTES.checkIns, await checkIn(id!))).body.outcome, 'accepted');
      await heard;
    } finally {
      socket.close();
    }
  });

  test('S-6 1,000 check-ins delivered with duplicates and replays in random order are recorded exactly once each', async () => {
    const db = t.server.database.db;
    const ids = await insertBookings(db, 1000, new Date(clock), 0);
    const random = mulberry32(6);
    const requests = await Promise.all(ids.map((id) => checkIn(id)));
    // Each check-in is delivered one to four times, as a totem does when answers get lost.
    const deliveries = requests.flatMap((r) => Array.from({ length: 1 + Math.floor(random() * 4) }, () => r));
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }
    const answers = new Map<string, string[]>();
    let replays = 0;
    let next = 0;
    async function worker() {
      while (next < deliveries.length) {
        const req = deliveries[next++]!;
        const r = await post(SYNC_ROUTES.checkIns, req);
        assert.equal(r.status, 200);
        if (r.replayed) replays++;
        answers.set(req.idempotencyKey, [...(answers.get(req.idempotencyKey) ?? []), JSON.stringify(r.body)]);
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker));

    assert.equal(replays, deliveries.length - requests.length);
    for (const [key, bodies] of answers) {
      assert.equal(new Set(bodies).size, 1, `every delivery of ${key} got the same answer`);
      assert.equal(JSON.parse(bodies[0]!).outcome, 'accepted');
    }
    const bulk = await db
      .selectFrom('check_ins')
      .select('booking_id')
      .where('booking_id', 'in', ids)
      .execute();
    assert.equal(bulk.length, 1000);
    assert.equal(new Set(bulk.map((b) => b.booking_id)).size, 1000);
    const states = await db
      .selectFrom('bookings')
      .select(['status', 'version'])
      .where('id', 'in', ids)
      .execute();
    assert.ok(states.every((s) => s.status === 'checked_in' && s.version === 2));
    const changes = await db
      .selectFrom('agenda_changes')
      .select('booking_id')
      .where('booking_id', 'in', ids)
      .execute();
    assert.equal(changes.length, 2000, 'one change for the booking, one for its check-in');
  });

  test('a call-back request is stored once, shown to operators with its phone, and closed', async () => {
    const req = {
      idempotencyKey: randomUUID(),
      phone: '+39 333 7654321',
      occurredAt: new Date(clock).toISOString(),
    };
    const first = await post(SYNC_ROUTES.callbacks, req);
    assert.equal(first.status, 200);
    assert.ok(!JSON.stringify(first.body).includes('7654321'), 'the phone does not go back to the totem');
    const again = await post(SYNC_ROUTES.callbacks, req);
    assert.deepEqual(again.body, first.body);
    assert.equal(again.replayed, true);
    assert.equal((await post(SYNC_ROUTES.callbacks, { ...req, phone: '+39 333 0000000' })).status, 409);
    const booked = t.seed.bookings.find((b) => b.label === 'soon')!;
    clock += 1000;
    await post(SYNC_ROUTES.callbacks, { ...req, idempotencyKey: randomUUID(), bookingId: booked.bookingId });

    const session = await fetch(`${t.url}${OPERATOR_ROUTES.signIn.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'giulia', password: TEST_PASSWORDS.giulia }),
    }).then((r) => r.json() as Promise<{ token: string }>);
    const asOperator = { authorization: `Bearer ${session.token}` };
    const list = async () => {
      const res = await fetch(`${t.url}${OPERATOR_ROUTES.listCallbacks.path}`, { headers: asOperator });
      assert.equal(res.status, 200);
      return ((await res.json()) as unknown[]).map((x) => operatorCallbackSchema.parse(x));
    };
    const open = await list();
    assert.equal(open.length, 2);
    assert.deepEqual(
      open.map((c) => [c.phone, c.officeId, c.bookingId, c.status]),
      [
        ['+39 333 7654321', 'urp', null, 'open'],
        ['+39 333 7654321', 'anagrafe', booked.bookingId, 'open'],
      ],
    );
    const done = await post(routePath(OPERATOR_ROUTES.completeCallback, { id: open[0]!.id }), {}, asOperator);
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'done');
    assert.equal(done.body.doneBy, 'op-giulia');
    assert.deepEqual(
      (await post(routePath(OPERATOR_ROUTES.completeCallback, { id: open[0]!.id }), {}, asOperator)).body,
      done.body,
    );
    assert.deepEqual(
      (await list()).map((c) => c.id),
      [open[1]!.id],
    );
    assert.equal(
      (await post(routePath(OPERATOR_ROUTES.completeCallback, { id: 'nope' }), {}, asOperator)).status,
      404,
    );
    assert.equal((await fetch(`${t.url}${OPERATOR_ROUTES.listCallbacks.path}`)).status, 401);
    const rows = await t.server.database.db.selectFrom('callbacks').select('id').execute();
    assert.equal(rows.length, 2);
  });
});
