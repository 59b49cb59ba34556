// Recovery at start: the stored queue is made true again after a crash, a kill -9 or a restart.
// - A call that was in progress is over (its room died with the process): ended 'failed' with
//   detail 'interrupted', and its booking is booked again so that the citizen can call again.
// - An item that was ringing goes back to the queue, keeping its place (its queued time).
// - Every waiting item is held until its totem reconnects: the dispatcher does not offer it
//   meanwhile; a totem back within the recovery grace finds it as it was, one back later finds it
//   with the call-back offer, and one that never comes back has it ended abandoned.
// - Bookings left "checked in" by calls that never happened — rows of the old in-memory router,
//   or any crash between the two writes — are booked again.
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { setBookingStatus } from '../agenda/change-log.ts';
import { endItem } from './call-store.ts';

export interface RecoveryReport {
  interrupted: number;
  requeued: number;
  held: number;
  bookingsReleased: number;
}

export async function recoverAtStart(db: Db, log: Logger, now: Date): Promise<RecoveryReport> {
  const report: RecoveryReport = { interrupted: 0, requeued: 0, held: 0, bookingsReleased: 0 };
  const accepted = await db.selectFrom('calls').select('id').where('state', '=', 'accepted').execute();
  for (const { id } of accepted) {
    const e = await endItem(
      db,
      id,
      { from: ['accepted'], outcome: 'failed', endReason: 'connection-lost', detail: 'interrupted' },
      now,
    );
    if (e) report.interrupted++;
  }
  const requeued = await db
    .updateTable('calls')
    .set((eb) => ({ state: 'queued', operator_id: null, offered_at: null, version: eb('version', '+', 1) }))
    .where('state', '=', 'offered')
    .executeTakeFirst();
  report.requeued = Number(requeued.numUpdatedRows);
  const held = await db
    .updateTable('calls')
    .set((eb) => ({ held_since: now.toISOString(), version: eb('version', '+', 1) }))
    .where('state', '=', 'queued')
    .where('held_since', 'is', null)
    .executeTakeFirst();
  report.held = Number(held.numUpdatedRows);
  // Checked-in bookings whose calls are all over and none was served: the call did not happen.
  const stale = await db
    .selectFrom('bookings')
    .select('bookings.id')
    .where('bookings.status', '=', 'checked_in')
    .where((eb) =>
      eb.exists(eb.selectFrom('calls').select('calls.id').whereRef('calls.booking_id', '=', 'bookings.id')),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('calls')
            .select('calls.id')
            .whereRef('calls.booking_id', '=', 'bookings.id')
            .where((w) => w.or([w('calls.state', '<>', 'ended'), w('calls.outcome', '=', 'served')])),
        ),
      ),
    )
    .execute();
  for (const { id } of stale) {
    if (await setBookingStatus(db, id, ['checked_in'], 'booked', now)) report.bookingsReleased++;
  }
  if (Object.values(report).some((n) => n > 0)) log.info(report, 'call queue recovered');
  return report;
}
