// The dispatcher's narrow reads of the stored queue: on every run it reads only what the policy
// needs to decide — the rings that ran out, held items past their time, items due a call-back
// offer, the operators holding an item, and the queued items of offices with a free operator —
// each through an index (migrations 005 and 008, EXPLAIN QUERY PLAN in 008-queue-dispatch.test.ts).
// The whole queue is read only for the views, after the rings have gone out.
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { CallItemRow } from './call-store.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** What the policy reads of an item (queue-views.ts toPolicyItem). */
export type PolicyRow = Pick<
  CallItemRow,
  | 'id'
  | 'kind'
  | 'office_id'
  | 'assigned_operator_id'
  | 'created_at'
  | 'seq'
  | 'not_before'
  | 'state'
  | 'operator_id'
  | 'held_since'
  | 'last_missed_by'
  | 'last_missed_at'
>;

const POLICY_COLUMNS = [
  'id',
  'kind',
  'office_id',
  'assigned_operator_id',
  'created_at',
  'seq',
  'not_before',
  'state',
  'operator_id',
  'held_since',
  'last_missed_by',
  'last_missed_at',
] as const;

/**
 * Items ringing or in a call (at most one per operator). The condition is written as the partial
 * index calls_live_operator has it: with bound values SQLite does not see that the index applies.
 */
export function holdingQuery(db: Db) {
  return db
    .selectFrom('calls')
    .selectAll()
    .where(sql<boolean>`state IN ('offered', 'accepted')`);
}

export function holdingItems(db: Db): Promise<CallItemRow[]> {
  return holdingQuery(db).execute();
}

/** Rings offered at or before this instant (ms): they ran out. */
export function ringsOfferedBy(holding: readonly CallItemRow[], atMs: number): CallItemRow[] {
  const cutoff = iso(atMs);
  return holding.filter(
    (r) => r.state === 'offered' && r.operator_id !== null && r.offered_at !== null && r.offered_at <= cutoff,
  );
}

/** Live items held since at or before this instant (ms). */
export function heldSince(db: Db, atMs: number): Promise<CallItemRow[]> {
  return heldQuery(db, atMs).execute();
}

export function heldQuery(db: Db, atMs: number) {
  return db
    .selectFrom('calls')
    .selectAll()
    .where('held_since', 'is not', null)
    .where('held_since', '<=', iso(atMs))
    .where('state', '<>', 'ended')
    .orderBy('held_since');
}

/** Waiting items queued at or before this instant (ms), not held, not yet offered a call-back. */
export function callbackCandidates(db: Db, queuedByMs: number): Promise<CallItemRow[]> {
  return callbackQuery(db, queuedByMs).execute();
}

export function callbackQuery(db: Db, queuedByMs: number) {
  return db
    .selectFrom('calls')
    .selectAll()
    .where('state', '<>', 'ended')
    .where('created_at', '<=', iso(queuedByMs))
    .where('state', '<>', 'accepted')
    .where('callback_offered_at', 'is', null)
    .where('held_since', 'is', null)
    .orderBy('created_at')
    .orderBy('seq');
}

/** The queued, not held items of these offices: all the policy can offer to their free operators. */
export async function queuedIn(db: Db, officeIds: readonly string[]): Promise<PolicyRow[]> {
  if (officeIds.length === 0) return [];
  return queuedQuery(db, officeIds).execute();
}

export function queuedQuery(db: Db, officeIds: readonly string[]) {
  return db
    .selectFrom('calls')
    .select(POLICY_COLUMNS)
    .where('state', '=', 'queued')
    .where('office_id', 'in', [...officeIds])
    .where('held_since', 'is', null);
}
