// Reads of the calendar exceptions that the slot calculation and the conflict check share.
import type { Db } from '../db/open.ts';
import { adminDb } from './admin-db.ts';
import type { DayException } from './opening-hours.ts';

/** The exceptions that apply to an office on a local date: its own and every-office holidays. */
export async function exceptionsOn(db: Db, date: string, officeId: string): Promise<DayException[]> {
  const rows = await adminDb(db)
    .selectFrom('calendar_exceptions')
    .select(['closed', 'start_time', 'end_time'])
    .where('date', '=', date)
    .where((eb) => eb.or([eb('office_id', 'is', null), eb('office_id', '=', officeId)]))
    .execute();
  return rows.map((r) => ({ closed: r.closed === 1, start: r.start_time, end: r.end_time }));
}
