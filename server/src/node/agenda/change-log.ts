// The agenda change log: every booking write adds a pointer row (office, booking, version) in the
// same transaction, so a totem following the feed can never see a booking change without its row,
// nor a row without its change. The row's sequence number is the totems' cursor.
// On SQLite writers are serialised, so sequence order is commit order. A PostgreSQL deployment must
// keep it so (e.g. take a transaction-level advisory lock before inserting a change row), or a
// reader could pass a lower sequence that commits later.
import type { BookingsTable } from '../db/schema.ts';
import type { Db } from '../db/open.ts';

export type BookingStatus = BookingsTable['status'];

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export function withTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

/**
 * Runs several reads as one consistent view. SQLite's transactions already are; PostgreSQL needs
 * repeatable read, which the SQLite driver ignores.
 */
export function withReadTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().setIsolationLevel('repeatable read').execute(fn);
}

export interface BookingChange {
  bookingId: string;
  /** The office the booking belongs to after the write. */
  officeId: string;
  /** The office it belonged to before, when the write moved it; that office gets a tombstone. */
  previousOfficeId?: string | undefined;
  /** The booking's version after the write. */
  version: number;
  /** 'delete' when the booking stops being live everywhere (cancelled or deleted). */
  kind: 'upsert' | 'delete';
  now: Date;
}

/** Appends the change rows of one booking write. Call it inside the write's transaction. */
export async function recordBookingChange(trx: Db, change: BookingChange): Promise<void> {
  const stamp = change.now.toISOString();
  const rows: { office_id: string; booking_id: string; version: number; kind: 'upsert' | 'delete' }[] = [];
  if (change.previousOfficeId !== undefined && change.previousOfficeId !== change.officeId) {
    rows.push({
      office_id: change.previousOfficeId,
      booking_id: change.bookingId,
      version: change.version,
      kind: 'delete',
    });
  }
  rows.push({
    office_id: change.officeId,
    booking_id: change.bookingId,
    version: change.version,
    kind: change.kind,
  });
  await trx
    .insertInto('agenda_changes')
    .values(rows.map((r) => ({ ...r, created_at: stamp })))
    .execute();
}

/**
 * Moves a booking from one status to another if it is in one of `from`, bumping its version and
 * logging the change atomically. Returns null when the booking was not in an allowed status (a
 * concurrent writer got there first), so callers can tell who won.
 */
export async function setBookingStatus(
  db: Db,
  bookingId: string,
  from: readonly BookingStatus[],
  to: BookingStatus,
  now: Date,
): Promise<{ version: number; officeId: string } | null> {
  return withTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('bookings')
      .set((eb) => ({ status: to, updated_at: now.toISOString(), version: eb('version', '+', 1) }))
      .where('id', '=', bookingId)
      .where('status', 'in', [...from])
      .returning(['version', 'office_id'])
      .executeTakeFirst();
    if (!row) return null;
    await recordBookingChange(trx, {
      bookingId,
      officeId: row.office_id,
      version: row.version,
      kind: to === 'cancelled' ? 'delete' : 'upsert',
      now,
    });
    return { version: row.version, officeId: row.office_id };
  });
}
