import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminDb } from '../../admin/admin-db.ts';
import { listAdminServices } from '../../admin/catalogue.ts';
import { listAdminOperators } from '../../admin/accounts.ts';
import { migrationTestDb } from './migration-test-db.ts';

const t = migrationTestDb();

test('007 migrates a 004 database: services offered at totems, operators speak Italian; down and up again', async () => {
  const migrator = t.migrator();
  assert.equal((await migrator.migrateTo('004-self-tests')).error, undefined);
  const db = t.opened.db;
  await db.insertInto('offices').values({ id: 'office', name: 'Office', walk_in: 1 }).execute();
  await db
    .insertInto('services')
    .values({ id: 'svc', office_id: 'office', name: 'S', slot_minutes: 20 })
    .execute();
  await db
    .insertInto('operators')
    .values({ id: 'op', username: 'op', display_name: 'Op', password_hash: 'x', active: 1 })
    .execute();

  const up = await migrator.migrateTo('007-administration');
  assert.equal(up.error, undefined);
  const [service] = await listAdminServices(db);
  assert.deepEqual(
    [service?.atTotem, service?.fromHome, service?.questions],
    [true, false, []],
    'existing services stay bookable at totems only, with no questions',
  );
  const [operator] = await listAdminOperators(db);
  assert.deepEqual(operator?.languages, ['it']);
  await adminDb(db)
    .insertInto('calendar_exceptions')
    .values({
      office_id: null,
      date: '2030-01-01',
      closed: 1,
      start_time: null,
      end_time: null,
      label: 'Capodanno',
      created_by: 'admin',
      created_at: '2029-12-01T00:00:00.000Z',
    })
    .execute();

  // The slot calculation reads one date's exceptions, and one day's bookings per request.
  const plan = (q: string) =>
    t.opened.sqlite
      .prepare(`EXPLAIN QUERY PLAN ${q}`)
      .all()
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
  assert.match(
    plan(
      "SELECT closed FROM calendar_exceptions WHERE date = '2030-01-01' AND (office_id IS NULL OR office_id = 'x')",
    ),
    /USING INDEX calendar_exceptions_date/,
  );
  assert.match(
    plan(
      "SELECT slot_start, slot_end FROM bookings WHERE operator_id IN ('op', 'op2') AND slot_start >= '2029-12-31' " +
        "AND slot_start < '2030-01-02' AND slot_end > '2030-01-01' AND status != 'cancelled'",
    ),
    /USING INDEX bookings_operator_slot/,
  );

  assert.equal((await migrator.migrateTo('004-self-tests')).error, undefined);
  assert.equal((await db.selectFrom('services').select('id').execute()).length, 1, 'services kept');
  assert.equal((await migrator.migrateTo('007-administration')).error, undefined);
  assert.equal(t.opened.sqlite.pragma('integrity_check', { simple: true }), 'ok');
});
