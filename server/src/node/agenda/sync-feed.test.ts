import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  agendaChangesPageSchema,
  PUBLIC_ROUTES,
  routeQuery,
  SYNC_ROUTES,
  syncPath,
} from '@sportello/protocol';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { deleteBooking, moveBooking } from './booking-edits.ts';
import { setBookingStatus } from './change-log.ts';
import { addSite, book, client, Model } from './feed-follower.ts';
import { codeHash, codeTag } from './kiosk-agenda.ts';
import { changesAfterQuery } from './sync-feed.ts';

describe('agenda change feed', () => {
  let t: TestServer;
  let c: ReturnType<typeof client>;
  let siteKey: string;
  let frazione: string;
  before(async () => {
    t = await startTestServer({ rateLimitPerMinute: 10_000 });
    c = client(t);
    siteKey = (
      await t.server.database.db
        .selectFrom('sites')
        .select('site_key')
        .where('id', '=', 'centro')
        .executeTakeFirstOrThrow()
    ).site_key;
    frazione = await addSite(t.server.database.db, 'frazione-secret');
  });
  after(() => t.close());

  test('from cursor 0 the seeded bookings come in order, then nothing new at the returned cursor', async () => {
    const p = await c.page(0);
    assert.equal(p.hasMore, false);
    assert.equal(p.changes.length, t.seed.bookings.length);
    const seqs = p.changes.map((x) => x.seq);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(p.cursor, seqs[seqs.length - 1]);
    for (const [i, b] of t.seed.bookings.entries()) {
      const change = p.changes[i]!;
      assert.equal(change.op, 'upsert');
      if (change.op !== 'upsert') continue;
      assert.equal(change.booking.bookingId, b.bookingId);
      assert.equal(change.booking.codeTag, codeTag(siteKey, b.code));
      assert.equal(change.booking.version, 1);
    }
    const again = await c.page(p.cursor);
    assert.deepEqual(again.changes, []);
    assert.equal(again.cursor, p.cursor);
    assert.equal(again.siteKeyVersion, 1);
  });

  test('a cancellation arrives as a tombstone with the next version and the code tag', async () => {
    const { cursor } = await c.page(0);
    const created = await book(t, {});
    const p1 = await c.page(cursor);
    assert.equal(p1.changes.length, 1);
    assert.equal(p1.changes[0]!.op, 'upsert');
    await fetch(`${t.url}${PUBLIC_ROUTES.cancelBooking.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: created.manageToken }),
    });
    const p2 = await c.page(p1.cursor);
    assert.deepEqual(
      p2.changes.map(({ seq: _seq, ...rest }) => rest),
      [
        {
          op: 'delete',
          bookingId: created.bookingId,
          version: 2,
          reason: 'cancelled',
          codeTag: codeTag(siteKey, created.code),
        },
      ],
    );
    // Read from before both writes, the booking appears once, in its newest state.
    const both = await c.page(cursor);
    assert.equal(both.changes.length, 1);
    assert.equal(both.changes[0]!.op, 'delete');
  });

  test('pages of a small limit add up to the whole feed', async () => {
    for (let i = 0; i < 3; i++) await book(t, {});
    const whole = new Model();
    const all = await c.follow(0, whole);
    const paged = new Model();
    const byTwo = await c.follow(0, paged, 2);
    assert.equal(byTwo.cursor, all.cursor);
    assert.deepEqual([...paged.rows.entries()].sort(), [...whole.rows.entries()].sort());
    assert.deepEqual([...paged.tombs.entries()].sort(), [...whole.tombs.entries()].sort());
    const first = await c.page(0, 2);
    assert.equal(first.hasMore, true);
    assert.equal(first.changes.length, 2);
    assert.equal(first.cursor, first.changes[1]!.seq);
  });

  test('a totem of another site is refused, and an unknown credential too', async () => {
    const other = await c.get(
      syncPath(SYNC_ROUTES.changes, 'centro') + routeQuery({ cursor: 0 }),
      `Totem ${frazione}`,
    );
    assert.equal(other.status, 403);
    assert.equal(other.body.code, 'wrong-site');
    const otherSnapshot = await c.get(syncPath(SYNC_ROUTES.snapshot, 'centro'), `Totem ${frazione}`);
    assert.equal(otherSnapshot.status, 403);
    const own = await c.get(
      syncPath(SYNC_ROUTES.changes, 'frazione') + routeQuery({ cursor: 0 }),
      `Totem ${frazione}`,
    );
    assert.equal(own.status, 200);
    const nobody = await c.get(syncPath(SYNC_ROUTES.changes, 'centro'), 'Totem totem-centro-1:wrong');
    assert.equal(nobody.status, 401);
    const badCursor = await c.get(syncPath(SYNC_ROUTES.changes, 'centro') + routeQuery({ cursor: -1 }));
    assert.equal(badCursor.status, 400);
  });

  test('moving a booking to an office of another site: a tombstone here, an upsert there, and back', async () => {
    const db = t.server.database.db;
    const created = await book(t, {});
    const { cursor } = await c.page(0);
    const start = await c.get(
      syncPath(SYNC_ROUTES.changes, 'frazione') + routeQuery({ cursor: 0 }),
      `Totem ${frazione}`,
    );
    const there = agendaChangesPageSchema.parse(start.body).cursor;
    const slot = { slotStart: '2031-03-03T09:00:00.000Z', slotEnd: '2031-03-03T09:20:00.000Z' };
    const moved = await moveBooking(
      db,
      created.bookingId,
      { serviceId: 'tributi-tari', operatorId: null, ...slot },
      new Date(),
    );
    assert.deepEqual(moved, { version: 2, officeId: 'tributi', previousOfficeId: 'urp' });
    const here = await c.page(cursor);
    assert.deepEqual(
      here.changes.map(({ seq: _seq, ...rest }) => rest),
      [{ op: 'delete', bookingId: created.bookingId, version: 2, reason: 'moved' }],
    );
    const res = await c.get(
      syncPath(SYNC_ROUTES.changes, 'frazione') + routeQuery({ cursor: there }),
      `Totem ${frazione}`,
    );
    const away = agendaChangesPageSchema.parse(res.body);
    assert.equal(away.changes.length, 1);
    const upsert = away.changes[0]!;
    assert.ok(
      upsert.op === 'upsert' && upsert.booking.officeId === 'tributi' && upsert.booking.version === 2,
    );
    // The other site's key hashes its codes: a code tag is only good at its own site.
    assert.notEqual(upsert.booking.codeTag, codeTag(siteKey, created.code));
    await moveBooking(
      db,
      created.bookingId,
      { serviceId: 'urp-info', operatorId: 'op-giulia', ...slot },
      new Date(),
    );
    const back = await c.page(here.cursor);
    assert.ok(back.changes[0]!.op === 'upsert' && back.changes[0]!.booking.version === 3);
  });

  test('a deleted booking becomes a tombstone carrying the version after its last one', async () => {
    const created = await book(t, {});
    const { cursor } = await c.page(0);
    await deleteBooking(t.server.database.db, created.bookingId, new Date());
    const p = await c.page(cursor);
    assert.deepEqual(
      p.changes.map(({ seq: _seq, ...rest }) => rest),
      [{ op: 'delete', bookingId: created.bookingId, version: 2, reason: 'deleted' }],
    );
  });

  test('C-4 no feed or snapshot answer holds a code in clear, a name, a contact or a reason', async () => {
    const created = await book(t, {
      name: 'Zelda Quagliarella',
      email: 'zelda@example.org',
      phone: '+39 333 1234567',
      reason: 'Motivo riservatissimo',
    });
    const feed = JSON.stringify(
      (await c.get(syncPath(SYNC_ROUTES.changes, 'centro') + routeQuery({ cursor: 0, limit: 1000 }))).body,
    );
    const snap = JSON.stringify((await c.get(syncPath(SYNC_ROUTES.snapshot, 'centro'))).body.bookings);
    for (const text of [feed, snap]) {
      for (const code of [created.code, ...t.seed.bookings.map((b) => b.code)])
        assert.ok(!text.includes(code), 'no code in clear');
      for (const secret of [
        'Zelda',
        'Quagliarella',
        'zelda@example.org',
        '333 1234567',
        'riservatissimo',
        'Cittadino',
        'Rinnovo',
      ]) {
        assert.ok(!text.includes(secret), `"${secret}" does not reach the totem`);
      }
    }
    // Only the 16-bit tag travels, never the full hash (with the key, that gives the code back).
    assert.ok(feed.includes(`"${codeTag(siteKey, created.code)}"`));
    assert.ok(!feed.includes(codeHash(siteKey, created.code)), 'no full code hash');
    assert.ok(!snap.includes(codeHash(siteKey, created.code).slice(0, 16)), 'not even a longer prefix');
  });

  test('the feed query reads through indexes (EXPLAIN QUERY PLAN)', () => {
    const { sql, parameters } = changesAfterQuery(t.server.database.db, 'centro', 0, 501).compile();
    const plan = t.server.database.sqlite
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...(parameters as unknown[])) as { detail: string }[];
    const details = plan.map((p) => p.detail);
    assert.ok(
      details.some((d) => /agenda_changes_office_seq \(office_id=\? AND seq>\?\)/.test(d)),
      details.join('\n'),
    );
    assert.ok(!details.some((d) => /^SCAN (c|b|agenda_changes|bookings)\b/.test(d)), details.join('\n'));
  });

  test('every status change goes through the feed with its version', async () => {
    const { cursor } = await c.page(0);
    const now = t.seed.bookings.find((b) => b.label === 'now')!;
    await setBookingStatus(t.server.database.db, now.bookingId, ['booked'], 'checked_in', new Date());
    await setBookingStatus(t.server.database.db, now.bookingId, ['checked_in'], 'completed', new Date());
    const p = await c.page(cursor);
    assert.equal(p.changes.length, 1);
    const x = p.changes[0]!;
    assert.ok(x.op === 'upsert' && x.booking.status === 'completed' && x.booking.version === 3);
  });
});
