import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationTestDb } from './migration-test-db.ts';

const t = migrationTestDb();
const NOW = '2030-01-07T09:00:00.000Z';

test('009 migrates a 008 database: existing bookings are at a totem with no answers; the join read is by key; down and up', async () => {
  const migrator = t.migrator();
  assert.equal((await migrator.migrateTo('008-queue-dispatch')).error, undefined);
  const db = t.opened.db;
  await db.insertInto('offices').values({ id: 'o', name: 'O', walk_in: 1 }).execute();
  await db.insertInto('services').values({ id: 's', office_id: 'o', name: 'S', slot_minutes: 20 }).execute();
  const booking = {
    id: 'b1',
    code: '123456789',
    service_id: 's',
    office_id: 'o',
    operator_id: null,
    slot_start: NOW,
    slot_end: NOW,
    reason: 'r',
    name: 'n',
    email: null,
    phone: null,
    status: 'booked' as const,
    manage_token_hash: 'h',
    version: 1,
    created_at: NOW,
    updated_at: NOW,
  };
  await db.insertInto('bookings').values(booking).execute();

  assert.equal((await migrator.migrateTo('009-home-video')).error, undefined);
  const row = await db
    .selectFrom('bookings')
    .select(['mode', 'answers'])
    .where('id', '=', 'b1')
    .executeTakeFirstOrThrow();
  assert.deepEqual(row, { mode: 'totem', answers: null });
  await db
    .insertInto('bookings')
    .values({ ...booking, id: 'b2', code: '987654321', manage_token_hash: 'h2', mode: 'home', answers: '[]' })
    .execute();
  // The join page reads one booking by its id (the link's claim): the primary key.
  const plan = t.opened.sqlite
    .prepare(
      "EXPLAIN QUERY PLAN SELECT mode, status FROM bookings JOIN services ON services.id = bookings.service_id WHERE bookings.id = 'b2'",
    )
    .all()
    .map((r) => (r as { detail: string }).detail)
    .join('\n');
  assert.match(plan, /SEARCH bookings USING INDEX sqlite_autoindex_bookings_1 \(id=\?\)/);

  assert.equal((await migrator.migrateTo('008-queue-dispatch')).error, undefined);
  const columns = t.opened.sqlite.prepare('PRAGMA table_info(bookings)').all() as { name: string }[];
  assert.ok(!columns.some((c) => c.name === 'mode' || c.name === 'answers'), 'down removes both columns');
  assert.equal((await migrator.migrateToLatest()).error, undefined);
});
