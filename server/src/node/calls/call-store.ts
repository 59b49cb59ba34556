// The stored queue: every transition of a call item is one conditional update in one transaction
// (`… WHERE state = 'queued'` and so on), checked by its affected rows, so two server processes
// can never both offer, accept or end the same item. The partial unique indexes of migration 005
// refuse a second live item for a totem and a second held item for an operator; a refusal reads
// as "not applied", never as an error.
//
//   queued ──offer──▶ offered ──accept──▶ accepted ──end──▶ ended (served | failed)
//     ▲                 │
//     └──missed/decline─┘        queued | offered ──end──▶ ended (abandoned | missed | cancelled | failed)
import { sql, type Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { CallOutcome, CallState, CallsTable } from '../db/schema.ts';
import { setBookingStatus, withTransaction } from '../agenda/change-log.ts';

export type CallItemRow = Selectable<CallsTable>;

/** Which transitions a state allows: the store's table, matrix-tested in call-store.test.ts. */
export const TRANSITIONS: Record<CallState, readonly CallState[]> = {
  queued: ['offered', 'ended'],
  offered: ['queued', 'accepted', 'ended'],
  accepted: ['ended'],
  ended: [],
};

/** The outcomes an item may end with, by the state it ends from. */
export const OUTCOMES_FROM: Record<Exclude<CallState, 'ended'>, readonly CallOutcome[]> = {
  queued: ['abandoned', 'missed', 'cancelled', 'failed'],
  offered: ['abandoned', 'missed', 'cancelled', 'failed'],
  // 'abandoned' from accepted: the citizen hung up while the media room was being made.
  accepted: ['served', 'failed', 'transferred', 'abandoned'],
};

export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

export interface NewItem {
  id: string;
  kind: 'booked' | 'walk-in';
  bookingId: string | null;
  totemId: string;
  siteId: string;
  officeId: string;
  assignedOperatorId: string | null;
  notBefore: Date | null;
  now: Date;
}

/** Stores a new queued item; false when the totem already has a live one. */
export async function insertItem(db: Db, item: NewItem): Promise<boolean> {
  try {
    await db
      .insertInto('calls')
      .values({
        id: item.id,
        kind: item.kind,
        booking_id: item.bookingId,
        totem_id: item.totemId,
        operator_id: null,
        created_at: item.now.toISOString(),
        answered_at: null,
        ended_at: null,
        duration_seconds: null,
        end_reason: null,
        state: 'queued',
        version: 1,
        site_id: item.siteId,
        office_id: item.officeId,
        assigned_operator_id: item.assignedOperatorId,
        first_offered_at: null,
        offered_at: null,
        not_before: item.notBefore?.toISOString() ?? null,
        held_since: null,
        callback_offered_at: null,
        callback_id: null,
        last_missed_by: null,
        last_missed_at: null,
        detail: null,
        outcome: null,
        seq: sql<number>`(SELECT COALESCE(MAX(seq), 0) + 1 FROM calls)`,
      })
      .execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** A live item with what the console and the ring show of it. */
export type LiveItem = CallItemRow & {
  office_name: string | null;
  service_name: string | null;
  booking_reason: string | null;
  slot_start: string | null;
  totem_name: string | null;
};

/** Every live item, in arrival order, with its display names (one indexed read). */
export function liveItems(db: Db): Promise<LiveItem[]> {
  return liveItemsWhere(db);
}

/** These live items with their display names (the rings the dispatcher is about to send). */
export function liveItemsById(db: Db, ids: readonly string[]): Promise<LiveItem[]> {
  return ids.length === 0 ? Promise.resolve([]) : liveItemsWhere(db, ids);
}

function liveItemsWhere(db: Db, ids?: readonly string[]): Promise<LiveItem[]> {
  let q = db
    .selectFrom('calls')
    .leftJoin('offices', 'offices.id', 'calls.office_id')
    .leftJoin('bookings', 'bookings.id', 'calls.booking_id')
    .leftJoin('services', 'services.id', 'bookings.service_id')
    .leftJoin('totems', 'totems.id', 'calls.totem_id')
    .selectAll('calls')
    .select([
      'offices.name as office_name',
      'services.name as service_name',
      'bookings.reason as booking_reason',
      'bookings.slot_start as slot_start',
      'totems.name as totem_name',
    ])
    .where('calls.state', '<>', 'ended');
  if (ids) q = q.where('calls.id', 'in', [...ids]);
  return q.orderBy('calls.created_at').orderBy('calls.seq').execute();
}

type Details = Pick<
  LiveItem,
  'office_name' | 'service_name' | 'booking_reason' | 'slot_start' | 'totem_name'
>;

/**
 * The same snapshot for the dispatcher's views (statuses, console lists): the rows alone (one indexed read of one table),
 * with the names shown on rings and lists joined only for items it has not seen before (or whose
 * booking changed, Q-7). The cache holds display names only, never state.
 */
export class LiveSnapshot {
  private readonly details = new Map<string, { key: string; d: Details }>();

  async read(db: Db): Promise<LiveItem[]> {
    const rows = await db
      .selectFrom('calls')
      .selectAll()
      .where('state', '<>', 'ended')
      .orderBy('created_at')
      .orderBy('seq')
      .execute();
    const key = (r: CallItemRow) => `${r.kind}|${r.office_id}|${r.booking_id}`;
    const missing = rows.filter((r) => this.details.get(r.id)?.key !== key(r)).map((r) => r.id);
    if (missing.length > 0) {
      for (let i = 0; i < missing.length; i += 500) {
        for (const r of await liveItemsWhere(db, missing.slice(i, i + 500))) {
          const { office_name, service_name, booking_reason, slot_start, totem_name } = r;
          this.details.set(r.id, {
            key: key(r),
            d: { office_name, service_name, booking_reason, slot_start, totem_name },
          });
        }
      }
    }
    const live = new Set(rows.map((r) => r.id));
    for (const id of this.details.keys()) if (!live.has(id)) this.details.delete(id);
    const none: Details = {
      office_name: null,
      service_name: null,
      booking_reason: null,
      slot_start: null,
      totem_name: null,
    };
    return rows.map((r) => ({ ...r, ...(this.details.get(r.id)?.d ?? none) }));
  }
}

export function itemById(db: Db, id: string): Promise<CallItemRow | undefined> {
  return db.selectFrom('calls').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The live item of a totem, if any. */
export function liveItemOfTotem(db: Db, totemId: string): Promise<CallItemRow | undefined> {
  return db
    .selectFrom('calls')
    .selectAll()
    .where('totem_id', '=', totemId)
    .where('state', '<>', 'ended')
    .executeTakeFirst();
}

async function changed(run: () => Promise<{ numUpdatedRows: bigint }>): Promise<boolean> {
  try {
    return (await run()).numUpdatedRows === 1n;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** queued → offered to one operator. */
export function markOffered(db: Db, id: string, operatorId: string, now: Date): Promise<boolean> {
  const at = now.toISOString();
  return changed(() =>
    db
      .updateTable('calls')
      .set((eb) => ({
        state: 'offered',
        operator_id: operatorId,
        offered_at: at,
        first_offered_at: eb.fn.coalesce('first_offered_at', eb.val(at)),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .where('held_since', 'is', null)
      .executeTakeFirst(),
  );
}

/** offered → queued: declined or the ring ran out; remembered so that it goes to someone else first. */
export function backToQueue(db: Db, id: string, operatorId: string, now: Date): Promise<boolean> {
  return changed(() =>
    db
      .updateTable('calls')
      .set((eb) => ({
        state: 'queued',
        operator_id: null,
        offered_at: null,
        last_missed_by: operatorId,
        last_missed_at: now.toISOString(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', id)
      .where('state', '=', 'offered')
      .where('operator_id', '=', operatorId)
      .executeTakeFirst(),
  );
}

/** offered → accepted by the operator it rings for. */
export function markAccepted(db: Db, id: string, operatorId: string, now: Date): Promise<boolean> {
  return changed(() =>
    db
      .updateTable('calls')
      .set((eb) => ({ state: 'accepted', answered_at: now.toISOString(), version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'offered')
      .where('operator_id', '=', operatorId)
      .executeTakeFirst(),
  );
}

export interface Ending {
  from: readonly Exclude<CallState, 'ended'>[];
  outcome: CallOutcome;
  endReason: string;
  detail?: string | undefined;
  callbackId?: string | undefined;
  /** Only end it if it is still held by this operator (a hang-up by the operator). */
  operatorId?: string | undefined;
}

/**
 * Ends an item with its one outcome, and in the same transaction gives its booking its next
 * status: completed after a served call, booked again otherwise (the citizen may retry; never left
 * "checked in" by a call that did not happen). Returns the ended row, or undefined when another
 * transition got there first.
 */
export async function endItem(
  db: Db,
  id: string,
  e: Ending,
  now: Date,
): Promise<{ row: CallItemRow; bookingChanged: boolean } | undefined> {
  return withTransaction(db, async (trx) => {
    let q = trx
      .updateTable('calls')
      .set((eb) => ({
        state: 'ended',
        outcome: e.outcome,
        end_reason: e.endReason,
        detail: e.detail ?? null,
        callback_id: e.callbackId ?? eb.ref('callback_id'),
        ended_at: now.toISOString(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', id)
      .where('state', 'in', [...e.from]);
    if (e.operatorId !== undefined) q = q.where('operator_id', '=', e.operatorId);
    const row = await q.returningAll().executeTakeFirst();
    if (!row) return undefined;
    if (row.answered_at !== null) {
      const seconds = (now.getTime() - Date.parse(row.answered_at)) / 1000;
      await trx.updateTable('calls').set({ duration_seconds: seconds }).where('id', '=', id).execute();
      row.duration_seconds = seconds;
    }
    let bookingChanged = false;
    if (row.booking_id !== null) {
      const to = e.outcome === 'served' ? 'completed' : 'booked';
      bookingChanged = (await setBookingStatus(trx, row.booking_id, ['checked_in'], to, now)) !== null;
    }
    return { row, bookingChanged };
  });
}

/** A waiting walk-in becomes the booked call: same item, new office and operator. */
export function upgradeToBooked(
  db: Db,
  id: string,
  b: { bookingId: string; officeId: string; operatorId: string | null; notBefore: Date | null },
): Promise<boolean> {
  return changed(() =>
    db
      .updateTable('calls')
      .set((eb) => ({
        kind: 'booked',
        booking_id: b.bookingId,
        office_id: b.officeId,
        assigned_operator_id: b.operatorId,
        not_before: b.notBefore?.toISOString() ?? null,
        state: 'queued',
        operator_id: null,
        offered_at: null,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', id)
      .where('kind', '=', 'walk-in')
      .where('state', 'in', ['queued', 'offered'])
      .executeTakeFirst(),
  );
}

/** Recovery and the totem's return: hold or release an item while its totem is away. */
export function setHeld(db: Db, id: string, since: Date | null): Promise<boolean> {
  return changed(() =>
    db
      .updateTable('calls')
      .set((eb) => ({ held_since: since?.toISOString() ?? null, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .where('state', '=', 'queued')
      .executeTakeFirst(),
  );
}

/** Records that the call-back offer was made (once). */
export function markCallbackOffered(db: Db, id: string, now: Date): Promise<boolean> {
  return changed(() =>
    db
      .updateTable('calls')
      .set({ callback_offered_at: now.toISOString() })
      .where('id', '=', id)
      .where('state', 'in', ['queued', 'offered'])
      .where('callback_offered_at', 'is', null)
      .executeTakeFirst(),
  );
}

/** Recent handle times (answer to end, ms) of served calls, newest first, for the wait estimate. */
export async function recentHandleTimes(db: Db, officeId: string, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('calls')
    .select('duration_seconds')
    .where('office_id', '=', officeId)
    .where('outcome', '=', 'served')
    .orderBy('ended_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => (r.duration_seconds ?? 0) * 1000);
}
