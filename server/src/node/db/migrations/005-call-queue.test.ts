import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Kysely } from 'kysely';
import { migrationTestDb } from './migration-test-db.ts';
import { insertItem, liveItemOfTotem, liveItems, recentHandleTimes } from '../../calls/call-store.ts';

const t = migrationTestDb();

function oldCall(id: string, over: Record<string, unknown>) {
  return {
    id,
    kind: 'walk-in',
    booking_id: null,
    totem_id: 't',
    operator_id: null,
    created_at: '2030-01-07T09:00:00.000Z',
    answered_at: null,
    ended_at: null,
    duration_seconds: null,
    end_reason: null,
    ...over,
  };
}

test('005 migrates calls of the in-memory router: outcomes backfilled, unended ones interrupted; down and up', async () => {
  const migrator = t.migrator();
  assert.equal((await migrator.migrateTo('004-self-tests')).error, undefined);
  const db = t.opened.db as never as Kysely<Record<string, Record<string, unknown>>>;
  await db.insertInto('offices').values({ id: 'o', name: 'O', walk_in: 1 }).execute();
  await db.insertInto('sites').values({ id: 's', name: 'S', site_key: 'k' }).execute();
  await db
    .insertInto('totems')
    .values({ id: 't', site_id: 's', name: 'T', secret_hash: 'x', created_at: '2030-01-01T00:00:00Z' })
    .execute();
  const answered = { answered_at: '2030-01-07T09:01:00.000Z', ended_at: '2030-01-07T09:05:00.000Z' };
  await db
    .insertInto('calls')
    .values([
      oldCall('served', { ...answered, end_reason: 'hangup-operator' }),
      oldCall('abandoned', { ended_at: '2030-01-07T09:02:00.000Z', end_reason: 'hangup-kiosk' }),
      oldCall('failed', { ...answered, end_reason: 'media-failure' }),
      // Two never-ended rows of the same totem (a restart of the old router): both interrupted.
      oldCall('cut-1', {}),
      oldCall('cut-2', { created_at: '2030-01-07T10:00:00.000Z' }),
    ])
    .execute();
  assert.equal((await migrator.migrateTo('005-call-queue')).error, undefined);
  const rows = await t.opened.db.selectFrom('calls').select(['id', 'state', 'outcome', 'detail']).execute();
  const outcome = Object.fromEntries(rows.map((r) => [r.id, `${r.state}/${r.outcome}/${r.detail ?? ''}`]));
  assert.deepEqual(outcome, {
    served: 'ended/served/',
    abandoned: 'ended/abandoned/',
    failed: 'ended/failed/',
    'cut-1': 'ended/failed/interrupted',
    'cut-2': 'ended/failed/interrupted',
  });
  // One live item per totem, enforced by the database for every process.
  const item = {
    kind: 'walk-in' as const,
    bookingId: null,
    totemId: 't',
    siteId: 's',
    officeId: 'o',
    assignedOperatorId: null,
    notBefore: null,
    now: new Date('2030-01-07T11:00:00.000Z'),
  };
  assert.equal(await insertItem(t.opened.db, { ...item, id: 'live-1' }), true);
  assert.equal(await insertItem(t.opened.db, { ...item, id: 'live-2' }), false);
  assert.equal((await liveItemOfTotem(t.opened.db, 't'))?.id, 'live-1');
  assert.deepEqual(
    (await liveItems(t.opened.db)).map((r) => r.id),
    ['live-1'],
  );
  assert.deepEqual(await recentHandleTimes(t.opened.db, 'o', 5), []);
  await t.opened.db.deleteFrom('calls').where('id', '=', 'live-1').execute();
  assert.equal((await migrator.migrateTo('004-self-tests')).error, undefined);
  assert.equal((await migrator.migrateTo('005-call-queue')).error, undefined);
});

test('005 hot queries use their indexes (EXPLAIN QUERY PLAN)', async () => {
  const plan = (sql: string) =>
    (t.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');
  // The dispatcher's snapshot: every live item in arrival order.
  assert.match(
    plan("SELECT * FROM calls WHERE state <> 'ended' ORDER BY created_at, seq"),
    /USING INDEX calls_live\b/,
  );
  // A totem's live item (every request, every reconnect).
  assert.match(
    plan("SELECT * FROM calls WHERE totem_id = 't' AND state <> 'ended'"),
    /USING INDEX calls_live_totem/,
  );
  // The wait estimate's recent handle times of an office.
  assert.match(
    plan(
      "SELECT duration_seconds FROM calls WHERE office_id = 'o' AND outcome = 'served' ORDER BY ended_at DESC LIMIT 20",
    ),
    /USING INDEX calls_office_outcome/,
  );
  // The conditional transitions find their row by primary key.
  assert.match(
    plan("UPDATE calls SET state = 'offered' WHERE id = 'x' AND state = 'queued'"),
    /USING INDEX sqlite_autoindex_calls_1|USING PRIMARY KEY/,
  );
});
