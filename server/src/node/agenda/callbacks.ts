// The operators' call-back queue: requests left at totems, shown to the operators of the office that
// should call back (requests with no office are shown to everyone), oldest first.
import type { OperatorCallback } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import type { CallbacksTable } from '../db/schema.ts';
import { HttpError } from '../http/errors.ts';
import { withTransaction } from './change-log.ts';

function toView(c: CallbacksTable): OperatorCallback {
  return {
    id: c.id,
    status: c.status,
    phone: c.phone,
    bookingId: c.booking_id,
    officeId: c.office_id,
    totemId: c.totem_id,
    siteId: c.site_id,
    occurredAt: c.occurred_at,
    receivedAt: c.received_at,
    doneAt: c.done_at,
    doneBy: c.done_by,
  };
}

function visibleTo(db: Db, operatorId: string) {
  return db
    .selectFrom('callbacks')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('office_id', 'is', null),
        eb(
          'office_id',
          'in',
          eb.selectFrom('operator_offices').select('office_id').where('operator_id', '=', operatorId),
        ),
      ]),
    );
}

export async function listOpenCallbacks(
  db: Db,
  operatorId: string,
  limit: number,
): Promise<OperatorCallback[]> {
  const rows = await visibleTo(db, operatorId)
    .where('status', '=', 'open')
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toView);
}

/** Marks a call-back done; doing it twice answers the same, already-done item. */
export async function completeCallback(db: Db, operatorId: string, id: string, now: Date) {
  return withTransaction(db, async (trx) => {
    const row = await visibleTo(trx, operatorId).where('id', '=', id).executeTakeFirst();
    if (!row) throw new HttpError(404, 'callback-not-found', 'This call-back request is not in your queue.');
    if (row.status === 'done') return toView(row);
    const done = { status: 'done' as const, done_at: now.toISOString(), done_by: operatorId };
    await trx.updateTable('callbacks').set(done).where('id', '=', id).execute();
    return toView({ ...row, ...done });
  });
}

/** Every open call-back, oldest first: the live console queues pick theirs from it. */
export async function allOpenCallbacks(db: Db, limit: number): Promise<OperatorCallback[]> {
  const rows = await db
    .selectFrom('callbacks')
    .selectAll()
    .where('status', '=', 'open')
    .orderBy('received_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(toView);
}
