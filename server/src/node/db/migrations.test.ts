import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Migrator } from 'kysely';
import { migrationProvider, MIGRATIONS } from './migrations/index.ts';
import { migrateToLatest, openDatabase } from './open.ts';
import { seedDemo } from './seed-demo.ts';

test('migrations are numbered and apply in order on an empty database', async () => {
  const names = Object.keys(MIGRATIONS);
  assert.deepEqual(names, [...names].sort(), 'listed in numeric order');
  for (const n of names) assert.match(n, /^\d{3}-[a-z0-9-]+$/);
  const { db, close } = openDatabase(':memory:');
  const applied = await migrateToLatest(db);
  assert.deepEqual(applied, names);
  assert.deepEqual(await migrateToLatest(db), [], 'a second run applies nothing');
  await close();
});

test('every migration goes down and up again with data in place', async () => {
  const { db, close } = openDatabase(':memory:');
  await migrateToLatest(db);
  await seedDemo(db, new Date('2026-11-23T09:00:00Z'), {
    passwords: { giulia: 'x', marco: 'y' },
    totemSecret: 'z',
  });
  const migrator = new Migrator({ db, provider: migrationProvider });
  const down = await migrator.migrateTo(Object.keys(MIGRATIONS)[0]!);
  assert.equal(down.error, undefined);
  const up = await migrator.migrateToLatest();
  assert.equal(up.error, undefined);
  await close();
});

test('hot queries use their indexes (EXPLAIN QUERY PLAN)', async () => {
  const { db, sqlite, close } = openDatabase(':memory:');
  await migrateToLatest(db);
  const plan = (sql: string) =>
    (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');
  assert.match(
    plan("SELECT id FROM bookings WHERE code = '123' AND status IN ('booked','checked_in')"),
    /USING (COVERING )?INDEX bookings_live_code/,
  );
  assert.match(
    plan("SELECT * FROM bookings WHERE office_id = 'urp' AND slot_start >= '2026' AND slot_start < '2027'"),
    /USING INDEX bookings_office_slot/,
  );
  assert.match(
    plan("SELECT * FROM schedules WHERE service_id = 's' AND weekday = 1"),
    /USING INDEX schedules_service/,
  );
  await close();
});
