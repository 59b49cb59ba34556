// 005: the call queue is stored. Each row of `calls` becomes a queue item with a state (queued,
// offered, accepted, ended) and, once ended, exactly one outcome; every transition is a conditional
// update checked by affected rows, so several server processes can share the table. Two partial
// unique indexes hold the invariants no process may break: one live item per totem and one
// offered-or-accepted item per operator. Portable DDL only (SQLite and PostgreSQL).
import { sql, type Kysely } from 'kysely';

const COLUMNS: [string, 'text' | 'integer'][] = [
  ['site_id', 'text'],
  ['office_id', 'text'],
  /** The booking's own operator: the policy offers the item to them first (grace period). */
  ['assigned_operator_id', 'text'],
  ['first_offered_at', 'text'],
  /** Start of the current offer; the ring times out from here. */
  ['offered_at', 'text'],
  /** An early arrival is not offered before this instant (its check-in window opening). */
  ['not_before', 'text'],
  /** Set at recovery for items whose totem has not reconnected yet: not offered meanwhile. */
  ['held_since', 'text'],
  ['callback_offered_at', 'text'],
  ['callback_id', 'text'],
  /** The operator who last let this item ring out, and when: not offered it again at once. */
  ['last_missed_by', 'text'],
  ['last_missed_at', 'text'],
  /** Why the item ended the way it did, for people reading the record (e.g. 'interrupted'). */
  ['detail', 'text'],
  ['outcome', 'text'],
];

/** Arrival order for items queued in the same millisecond (the insert takes the next number). */
const SEQ: [string, 'integer'] = ['seq', 'integer'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('calls')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('ended'))
    .execute();
  await db.schema
    .alterTable('calls')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  for (const [name, type] of [...COLUMNS, SEQ])
    await db.schema.alterTable('calls').addColumn(name, type).execute();
  // Rows written before 005: ended ones get their outcome from how they ended. Rows never ended
  // were cut off by a restart of the old in-memory router: recorded as interrupted, and recovery
  // at the next start gives their bookings back (see calls/recovery.ts).
  await sql`
    UPDATE calls SET outcome = CASE
      WHEN answered_at IS NOT NULL AND end_reason IN ('hangup-kiosk', 'hangup-operator') THEN 'served'
      WHEN answered_at IS NULL AND end_reason IN ('hangup-kiosk', 'connection-lost') THEN 'abandoned'
      WHEN end_reason = 'cancelled' THEN 'cancelled'
      ELSE 'failed' END
    WHERE ended_at IS NOT NULL`.execute(db);
  await sql`
    UPDATE calls SET outcome = 'failed', detail = 'interrupted', end_reason = 'connection-lost',
      ended_at = created_at
    WHERE ended_at IS NULL`.execute(db);
  await sql`CREATE UNIQUE INDEX calls_live_totem ON calls (totem_id) WHERE state <> 'ended'`.execute(db);
  await sql`CREATE UNIQUE INDEX calls_live_operator ON calls (operator_id) WHERE state IN ('offered', 'accepted')`.execute(
    db,
  );
  // The dispatcher's read: every live item, in arrival order.
  await sql`CREATE INDEX calls_live ON calls (created_at, seq) WHERE state <> 'ended'`.execute(db);
  // The wait estimate's read: an office's recent served calls.
  await db.schema
    .createIndex('calls_office_outcome')
    .on('calls')
    .columns(['office_id', 'outcome', 'ended_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['calls_live_totem', 'calls_live_operator', 'calls_live', 'calls_office_outcome']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const [name] of [...COLUMNS, SEQ].reverse())
    await db.schema.alterTable('calls').dropColumn(name).execute();
  await db.schema.alterTable('calls').dropColumn('version').execute();
  await db.schema.alterTable('calls').dropColumn('state').execute();
}
