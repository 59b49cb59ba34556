import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationTestDb } from './migration-test-db.ts';
import { claimDueJobs } from '../../messages/jobs.ts';
import { purgePersonalData } from '../../agenda/retention.ts';

const t = migrationTestDb();

test('006 migrates a 004 database with bookings: defaults filled, jobs work, down and up again', async () => {
  const migrator = t.migrator();
  assert.equal((await migrator.migrateTo('004-self-tests')).error, undefined);
  const db = t.opened.db;
  await db.insertInto('offices').values({ id: 'office', name: 'Office', walk_in: 1 }).execute();
  await db
    .insertInto('services')
    .values({ id: 'svc', office_id: 'office', name: 'S', slot_minutes: 20 })
    .execute();
  await t.opened.sqlite
    .prepare(
      `INSERT INTO bookings (id, code, service_id, office_id, operator_id, slot_start, slot_end, reason, name,
        email, phone, status, manage_token_hash, version, created_at, updated_at)
       VALUES ('b1', '123456780', 'svc', 'office', NULL, '2030-01-07T09:00:00.000Z', '2030-01-07T09:20:00.000Z',
        'reason', 'Mario Rossi', 'mario@example.org', '+39333', 'booked', 'h1', 1, '2030-01-01T08:00:00.000Z',
        '2030-01-01T08:00:00.000Z')`,
    )
    .run();

  const up = await migrator.migrateTo('006-messages');
  assert.equal(up.error, undefined);
  const b = await db.selectFrom('bookings').selectAll().executeTakeFirstOrThrow();
  assert.deepEqual(
    [b.language, b.ics_sequence, b.link_generation, b.purged_at, b.verify_expires_at],
    ['it', 0, 1, null, null],
  );
  const stamp = '2030-01-01T08:00:00.000Z';
  await db
    .insertInto('message_jobs')
    .values({
      booking_id: 'b1',
      kind: 'confirmation',
      channel: 'email',
      recipient: 'mario@example.org',
      language: 'it',
      due_at: stamp,
      status: 'pending',
      attempts: 0,
      created_at: stamp,
      updated_at: stamp,
    })
    .execute();
  const claimed = await claimDueJobs(db, new Date('2030-01-01T08:00:01Z'), 10, 60_000);
  assert.deepEqual(
    claimed.map((j) => [j.booking_id, j.status, j.attempts]),
    [['b1', 'sending', 1]],
  );
  assert.deepEqual(await claimDueJobs(db, new Date('2030-01-01T08:00:02Z'), 10, 60_000), [], 'claimed once');

  // Retention: purged after the appointment, the row stays for statistics. The purge is today's
  // code, written for the latest schema (009 adds the booking questions' answers it empties).
  assert.equal((await migrator.migrateToLatest()).error, undefined);
  const purged = await purgePersonalData(
    db,
    new Date('2030-02-07T00:00:00Z'),
    new Date('2030-02-07T00:00:00Z'),
  );
  assert.equal(purged.bookings, 1);
  const after = await db.selectFrom('bookings').selectAll().executeTakeFirstOrThrow();
  assert.deepEqual(
    [after.name, after.email, after.phone, after.reason, after.status],
    ['', null, null, '', 'booked'],
  );
  const job = await db.selectFrom('message_jobs').select('recipient').executeTakeFirstOrThrow();
  assert.equal(job.recipient, null);

  const down = await migrator.migrateTo('004-self-tests');
  assert.equal(down.error, undefined);
  assert.equal((await db.selectFrom('bookings').select('id').execute()).length, 1);
  assert.equal((await migrator.migrateTo('006-messages')).error, undefined);
  assert.equal(t.opened.sqlite.pragma('integrity_check', { simple: true }), 'ok');
});

test('006 hot queries read through their indexes (EXPLAIN QUERY PLAN)', () => {
  const plan = (sql: string) =>
    (t.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');
  // The delivery loop's claim query, every few seconds.
  assert.match(
    plan(
      "SELECT id FROM message_jobs WHERE status = 'pending' AND due_at <= '2030' ORDER BY due_at LIMIT 20",
    ),
    /USING (COVERING )?INDEX message_jobs_due/,
  );
  assert.doesNotMatch(
    plan(
      "SELECT id FROM message_jobs WHERE status = 'pending' AND due_at <= '2030' ORDER BY due_at LIMIT 20",
    ),
    /TEMP B-TREE/,
    'ordered by the index, no sort',
  );
  assert.match(
    plan("SELECT id FROM message_jobs WHERE status = 'sending' AND lease_until < '2030' LIMIT 20"),
    /USING INDEX message_jobs_due/,
  );
  assert.match(
    plan("SELECT * FROM message_jobs WHERE booking_id = 'b1'"),
    /USING INDEX message_jobs_booking/,
  );
  assert.match(
    plan("SELECT id FROM bookings WHERE purged_at IS NULL AND slot_end < '2030'"),
    /USING (COVERING )?INDEX bookings_unpurged_end/,
  );
  assert.match(
    plan(
      "SELECT count(*) FROM bookings WHERE status = 'booked' AND slot_start > '2030' AND (email = 'a' OR phone = 'b')",
    ),
    /INDEX bookings_email.*INDEX bookings_phone|MULTI-INDEX OR/s,
  );
  assert.match(
    plan("SELECT count(*) FROM bookings WHERE address_hash = 'h' AND created_at > '2030'"),
    /USING (COVERING )?INDEX bookings_address/,
  );
  assert.match(
    plan(
      "SELECT id FROM bookings WHERE verify_expires_at IS NOT NULL AND verify_expires_at <= '2030' AND status = 'booked'",
    ),
    /USING INDEX bookings_verify_expiry/,
  );
});
