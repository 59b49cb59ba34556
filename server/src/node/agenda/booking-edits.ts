// Back-office edits of a booking that the feed must carry as tombstones: moving it to another slot
// or office (the old office's sites get a tombstone, the new one's an upsert) and deleting it
// outright (e.g. data retention). No endpoint calls them yet; the feed already expresses both. A
// caller must push `agenda:changed` for every office returned (old and new), after the commit.
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/errors.ts';
import { recordBookingChange, withTransaction } from './change-log.ts';

export interface BookingMove {
  serviceId: string;
  operatorId: string | null;
  slotStart: string;
  slotEnd: string;
}

/** Moves a booked (not yet used) booking; the caller has checked that the new slot is free. */
export async function moveBooking(db: Db, bookingId: string, to: BookingMove, now: Date) {
  return withTransaction(db, async (trx) => {
    const before = await trx
      .selectFrom('bookings')
      .select(['office_id', 'status'])
      .where('id', '=', bookingId)
      .executeTakeFirst();
    if (!before) throw new HttpError(404, 'booking-not-found', `There is no booking "${bookingId}".`);
    if (before.status !== 'booked') {
      throw new HttpError(
        409,
        'booking-not-movable',
        'Only a booking not yet used or cancelled can be moved.',
      );
    }
    const service = await trx
      .selectFrom('services')
      .select(['id', 'office_id'])
      .where('id', '=', to.serviceId)
      .executeTakeFirst();
    if (!service) throw new HttpError(404, 'service-not-found', `There is no service "${to.serviceId}".`);
    const row = await trx
      .updateTable('bookings')
      .set((eb) => ({
        service_id: service.id,
        office_id: service.office_id,
        operator_id: to.operatorId,
        slot_start: new Date(to.slotStart).toISOString(),
        slot_end: new Date(to.slotEnd).toISOString(),
        updated_at: now.toISOString(),
        version: eb('version', '+', 1),
      }))
      .where('id', '=', bookingId)
      .returning('version')
      .executeTakeFirstOrThrow();
    await recordBookingChange(trx, {
      bookingId,
      officeId: service.office_id,
      previousOfficeId: before.office_id,
      version: row.version,
      kind: 'upsert',
      now,
    });
    return { version: row.version, officeId: service.office_id, previousOfficeId: before.office_id };
  });
}

/** Deletes a booking that no call refers to; totems get a tombstone with the next version. */
export async function deleteBooking(db: Db, bookingId: string, now: Date) {
  return withTransaction(db, async (trx) => {
    const b = await trx
      .selectFrom('bookings')
      .select(['office_id', 'version'])
      .where('id', '=', bookingId)
      .executeTakeFirst();
    if (!b) throw new HttpError(404, 'booking-not-found', `There is no booking "${bookingId}".`);
    const call = await trx
      .selectFrom('calls')
      .select('id')
      .where('booking_id', '=', bookingId)
      .executeTakeFirst();
    if (call) {
      throw new HttpError(409, 'booking-has-calls', 'This booking has call records: cancel it instead.');
    }
    await trx.deleteFrom('bookings').where('id', '=', bookingId).execute();
    await recordBookingChange(trx, {
      bookingId,
      officeId: b.office_id,
      version: b.version + 1,
      kind: 'delete',
      now,
    });
    return { version: b.version + 1, officeId: b.office_id };
  });
}
