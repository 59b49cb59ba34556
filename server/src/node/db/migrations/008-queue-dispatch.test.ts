import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrationTestDb } from './migration-test-db.ts';
import { insertItem, markOffered } from '../../calls/call-store.ts';
import { fleetDb } from '../../fleet/fleet-db.ts';
import { sql, type CompiledQuery } from 'kysely';
import {
  callbackCandidates,
  callbackQuery,
  heldQuery,
  heldSince,
  holdingItems,
  holdingQuery,
  queuedIn,
  queuedQuery,
} from '../../calls/dispatch-reads.ts';

const t = migrationTestDb();
const NOW = new Date('2030-01-07T09:00:00.000Z');

const indexes = async () =>
  (
    await t.opened.db
      .selectFrom('sqlite_master' as never)
      .select('name' as never)
      .where('type' as never, '=', 'index' as never)
      .where('name' as never, 'like', 'calls_%' as never)
      .execute()
  )
    .map((r) => (r as { name: string }).name)
    .sort();

test('008 adds the dispatcher indexes over a queue in place; the narrow reads see it; down and up', async () => {
  const migrator = t.migrator();
  assert.equal((await migrator.migrateTo('007-administration')).error, undefined);
  const db = t.opened.db;
  await db.insertInto('offices').values({ id: 'o', name: 'O', walk_in: 1 }).execute();
  await db.insertInto('sites').values({ id: 's', name: 'S', site_key: 'k' }).execute();
  await db
    .insertInto('totems')
    .values(
      ['t1', 't2'].map((id) => ({
        id,
        site_id: 's',
        name: id,
        secret_hash: 'x',
        created_at: NOW.toISOString(),
      })),
    )
    .execute();
  await fleetDb(db)
    .insertInto('operators')
    .values({ id: 'op', username: 'op', display_name: 'Op', password_hash: 'x', active: 1 })
    .execute();
  const item = (id: string, totemId: string) => ({
    id,
    kind: 'walk-in' as const,
    bookingId: null,
    totemId,
    siteId: 's',
    officeId: 'o',
    assignedOperatorId: null,
    notBefore: null,
    now: NOW,
  });
  assert.equal(await insertItem(db, item('a', 't1')), true);
  assert.equal((await migrator.migrateTo('008-queue-dispatch')).error, undefined);
  assert.ok((await indexes()).includes('calls_queued_office'));
  assert.equal(await insertItem(db, item('b', 't2')), true);
  const seqs = await db.selectFrom('calls').select(['id', 'seq']).orderBy('seq').execute();
  assert.deepEqual(
    seqs.map((r) => r.id),
    ['a', 'b'],
  );
  assert.deepEqual((await queuedIn(db, ['o'])).map((r) => r.id).sort(), ['a', 'b']);
  assert.deepEqual(await queuedIn(db, ['elsewhere']), []);
  assert.equal(await markOffered(db, 'a', 'op', NOW), true);
  assert.deepEqual(
    (await queuedIn(db, ['o'])).map((r) => r.id),
    ['b'],
  );
  assert.deepEqual(
    (await holdingItems(db)).map((r) => r.id),
    ['a'],
  );
  await db.updateTable('calls').set({ held_since: NOW.toISOString() }).where('id', '=', 'b').execute();
  assert.deepEqual(await queuedIn(db, ['o']), [], 'a held item is not offered');
  assert.deepEqual(
    (await heldSince(db, NOW.getTime())).map((r) => r.id),
    ['b'],
  );
  assert.deepEqual(await heldSince(db, NOW.getTime() - 1), []);
  await db.updateTable('calls').set({ held_since: null }).where('id', '=', 'b').execute();
  assert.deepEqual(
    (await callbackCandidates(db, NOW.getTime())).map((r) => r.id),
    ['a', 'b'],
  );
  assert.deepEqual(await callbackCandidates(db, NOW.getTime() - 1), []);
  assert.equal((await migrator.migrateTo('007-administration')).error, undefined);
  assert.ok(!(await indexes()).includes('calls_queued_office'));
  assert.equal((await migrator.migrateTo('008-queue-dispatch')).error, undefined);
  assert.deepEqual(
    (await indexes()).filter((n) => ['calls_queued_office', 'calls_held', 'calls_seq'].includes(n)),
    ['calls_held', 'calls_queued_office', 'calls_seq'],
  );
});

test('008 the dispatcher reads through its indexes, as compiled (EXPLAIN QUERY PLAN)', () => {
  const db = t.opened.db;
  const plan = (c: CompiledQuery) =>
    (
      t.opened.sqlite.prepare(`EXPLAIN QUERY PLAN ${c.sql}`).all(...(c.parameters as unknown[])) as {
        detail: string;
      }[]
    )
      .map((r) => r.detail)
      .join(' | ');
  const at = NOW.getTime();
  // Every run: the queued items of the offices with a free operator.
  assert.match(plan(queuedQuery(db, ['o', 'p']).compile()), /SEARCH calls USING INDEX calls_queued_office/);
  // Every run: the items ringing or in a call (busy operators; rings that ran out).
  assert.match(plan(holdingQuery(db).compile()), /USING INDEX calls_live_operator/);
  // Every run: held items whose totem did not come back.
  assert.match(plan(heldQuery(db, at).compile()), /SEARCH calls USING INDEX calls_held/);
  // Every run: items waiting longer than the call-back threshold (a range of the live index).
  assert.match(
    plan(callbackQuery(db, at).compile()),
    /SEARCH calls USING INDEX calls_live \(created_at<\?\)/,
  );
  // Every new item: its arrival number, without scanning the call history.
  assert.match(
    plan(sql`SELECT COALESCE(MAX(seq), 0) + 1 FROM calls`.compile(db)),
    /USING COVERING INDEX calls_seq/,
  );
});
