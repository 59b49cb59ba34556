import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agendaChangesPage, agendaSnapshot } from '../../agenda/sync-feed.ts';
import { migrationTestDb } from './migration-test-db.ts';

const t = migrationTestDb();

function booking(id: string, code: string, status: 'booked' | 'cancelled', updatedAt: string) {
  return {
    id,
    code,
    service_id: 'svc',
    office_id: 'office',
    operator_id: null,
    slot_start: '2030-01-07T09:00:00.000Z',
    slot_end: '2030-01-07T09:20:00.000Z',
    reason: 'r',
    name: 'Mario Rossi',
    email: null,
    phone: null,
    status,
    manage_token_hash: `hash-${id}`,
    version: status === 'cancelled' ? 2 : 1,
    created_at: '2030-01-01T08:00:00.000Z',
    updated_at: updatedAt,
  };
}

test('002 migrates a 001 database with bookings: feed rows backfilled, then down and up again', async () => {
  const migrator = t.migrator();
  const first = await migrator.migrateTo('001-initial');
  assert.equal(first.error, undefined);
  const db = t.opened.db;
  await db.insertInto('offices').values({ id: 'office', name: 'Office', walk_in: 1 }).execute();
  await db
    .insertInto('services')
    .values({ id: 'svc', office_id: 'office', name: 'S', slot_minutes: 20 })
    .execute();
  await db
    .insertInto('sites')
    .values({ id: 'site', name: 'Site', site_key: Buffer.alloc(32, 1).toString('base64') })
    .execute();
  await db.insertInto('site_offices').values({ site_id: 'site', office_id: 'office' }).execute();
  await db
    .insertInto('bookings')
    .values([
      booking('b-live', '123456780', 'booked', '2030-01-01T09:00:00.000Z'),
      booking('b-gone', '123456781', 'cancelled', '2030-01-01T10:00:00.000Z'),
    ])
    .execute();

  const up = await migrator.migrateTo('002-agenda-changes');
  assert.equal(up.error, undefined);
  assert.deepEqual(
    up.results?.map((r) => r.migrationName),
    ['002-agenda-changes'],
  );
  const changes = await db.selectFrom('agenda_changes').selectAll().orderBy('seq').execute();
  assert.deepEqual(
    changes.map((c) => [c.booking_id, c.kind, c.version]),
    [
      ['b-live', 'upsert', 1],
      ['b-gone', 'delete', 2],
    ],
  );
  const site = await db.selectFrom('sites').select('key_version').executeTakeFirstOrThrow();
  assert.equal(site.key_version, 1);
  const page = await agendaChangesPage(
    db,
    'site',
    { cursor: 0, limit: 10 },
    new Date('2030-01-02T00:00:00Z'),
    72,
  );
  assert.deepEqual(
    page.changes.map((c) => c.op),
    ['upsert', 'delete'],
  );
  const snapshot = await agendaSnapshot(db, 'site', new Date('2030-01-02T00:00:00Z'));
  assert.equal(snapshot.cursor, page.cursor);
  assert.deepEqual(
    snapshot.bookings.map((b) => b.bookingId),
    ['b-live'],
  );

  // Down to 001 keeps the bookings; up again backfills the feed afresh.
  const down = await migrator.migrateTo('001-initial');
  assert.equal(down.error, undefined);
  assert.equal((await db.selectFrom('bookings').select('id').execute()).length, 2);
  assert.equal((await migrator.migrateTo('002-agenda-changes')).error, undefined);
  assert.equal((await db.selectFrom('agenda_changes').select('seq').execute()).length, 2);
  assert.equal(t.opened.sqlite.pragma('integrity_check', { simple: true }), 'ok');
});
