import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OPENAPI_PATH,
  OPERATOR_ROUTES,
  PUBLIC_ROUTES,
  routeQuery,
  SYNC_HTTP_ROUTES,
  SYNC_ROUTES,
  syncPath,
} from '@sportello/protocol';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { setBookingStatus } from './change-log.ts';
import { book, client, Model } from './feed-follower.ts';

const HOUR = 3_600_000;

describe('retention and snapshots', () => {
  let t: TestServer;
  let c: ReturnType<typeof client>;
  let clock = Date.now();
  before(async () => {
    t = await startTestServer(
      { rateLimitPerMinute: 10_000, sync: { tombstoneRetentionHours: 72 } },
      () => new Date(clock),
    );
    c = client(t);
  });
  after(() => t.close());

  test('S-4 a snapshot and the changes after its cursor give the state of following the feed from 0', async () => {
    const fromZero = new Model();
    const start = await c.follow(0, fromZero);
    const cancelled = await book(t, {}, clock);
    await fetch(`${t.url}${PUBLIC_ROUTES.cancelBooking.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: cancelled.manageToken }),
    });
    const snapshot = await c.snapshot();
    assert.ok(snapshot.cursor >= start.cursor);
    assert.ok(
      !snapshot.bookings.some((b) => b.bookingId === cancelled.bookingId),
      'cancelled bookings are not in it',
    );
    // Changes after the snapshot: a new booking, a cancellation of a seeded one, a check-in.
    const later = await book(t, {}, clock);
    const seeded = t.seed.bookings.find((b) => b.label === 'later-today')!;
    await setBookingStatus(t.server.database.db, seeded.bookingId, ['booked'], 'cancelled', new Date(clock));
    const nowBooking = t.seed.bookings.find((b) => b.label === 'now')!;
    await setBookingStatus(
      t.server.database.db,
      nowBooking.bookingId,
      ['booked'],
      'checked_in',
      new Date(clock),
    );

    const viaSnapshot = new Model();
    for (const b of snapshot.bookings) viaSnapshot.rows.set(b.bookingId, b);
    await c.follow(snapshot.cursor, viaSnapshot);
    await c.follow(start.cursor, fromZero);
    assert.deepEqual(viaSnapshot.since(snapshot.since), fromZero.since(snapshot.since));
    assert.ok(viaSnapshot.rows.has(later.bookingId));
    assert.ok(!viaSnapshot.rows.has(seeded.bookingId));
    assert.equal(viaSnapshot.rows.get(nowBooking.bookingId)?.status, 'checked_in');
  });

  test('S-4 a cursor older than the retention gets 410, and the snapshot path recovers', async () => {
    const upToDate = (await c.page(0)).cursor;
    clock += 73 * HOUR;
    // One write after the jump, so that everything before it is old enough to be pruned.
    const fresh = await book(t, {}, clock);
    const gone = await c.get(syncPath(SYNC_ROUTES.changes, 'centro') + routeQuery({ cursor: 0 }));
    assert.equal(gone.status, 410);
    assert.equal(gone.body.code, 'cursor-expired');
    assert.match(String(gone.body.message), /72 hours.*snapshot/);
    // A totem that was up to date when the old changes went keeps its cursor.
    const kept = await c.page(upToDate);
    assert.ok(kept.changes.some((x) => x.op === 'upsert' && x.booking.bookingId === fresh.bookingId));
    const snapshot = await c.snapshot();
    assert.equal(snapshot.cursor, kept.cursor);
    assert.ok(snapshot.bookings.some((b) => b.bookingId === fresh.bookingId));
    const next = await c.page(snapshot.cursor);
    assert.deepEqual(next.changes, []);
    const ahead = await c.get(
      syncPath(SYNC_ROUTES.changes, 'centro') + routeQuery({ cursor: snapshot.cursor + 1000 }),
    );
    assert.equal(ahead.status, 410);
    assert.equal(ahead.body.code, 'cursor-ahead');
  });

  test('the OpenAPI document lists the sync endpoints', async () => {
    const doc = (await (await fetch(t.url + OPENAPI_PATH)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const route of [
      SYNC_HTTP_ROUTES.changes,
      SYNC_HTTP_ROUTES.snapshot,
      SYNC_HTTP_ROUTES.checkIn,
      SYNC_HTTP_ROUTES.callback,
      OPERATOR_ROUTES.listCallbacks,
      OPERATOR_ROUTES.completeCallback,
    ]) {
      // The document writes a parameter OpenAPI's way: `{site}` for the table's `:site`.
      const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      assert.ok(doc.paths[path], path);
    }
  });
});
