// Weekly video-slot schedules, and the exceptions and holidays that close a day or change its
// hours. A change never silently drops a booking: every booked appointment it would leave outside
// the schedule is a conflict. The change is refused (409, the conflicts listed) until the
// administrator confirms each listed booking by id; confirmed bookings stay booked and are
// honoured as they are, and new slots never overlap them. A booking made between the refusal and
// the confirmation is not in the confirmed list, so it refuses the change again.
import { ADMIN_MESSAGES } from '@sportello/protocol';
import type {
  AdminSchedule,
  CalendarException,
  ExceptionInput,
  ScheduleConflict,
  ScheduleEntry,
  ScheduleInput,
} from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import { withTransaction } from '../agenda/change-log.ts';
import { addDays, localClock, localDate, weekdayOf, zonedToUtc } from '../agenda/time-zone.ts';
import { ConflictError, FieldError, HttpError } from '../http/errors.ts';
import { adminDb } from './admin-db.ts';
import { exceptionsOn } from './calendar.ts';
import { readAdminService } from './catalogue.ts';
import { bookingFits, type DayException, type WeeklyEntry } from './opening-hours.ts';

export interface CalendarClock {
  timeZone: string;
  now: Date;
}

export async function readSchedule(db: Db, serviceId: string): Promise<AdminSchedule> {
  await readAdminService(db, serviceId);
  const rows = await db
    .selectFrom('schedules')
    .selectAll()
    .where('service_id', '=', serviceId)
    .orderBy('weekday')
    .orderBy('start_time')
    .orderBy('operator_id')
    .execute();
  return {
    serviceId,
    entries: rows.map((r) => ({
      operatorId: r.operator_id,
      weekday: r.weekday,
      start: r.start_time,
      end: r.end_time,
    })),
  };
}

async function checkEntries(db: Db, officeId: string, entries: ScheduleEntry[]): Promise<void> {
  const serving = new Set(
    (
      await db
        .selectFrom('operator_offices')
        .select('operator_id')
        .where('office_id', '=', officeId)
        .execute()
    ).map((r) => r.operator_id),
  );
  const accounts = await adminDb(db).selectFrom('operators').select(['id', 'active']).execute();
  for (const [i, e] of entries.entries()) {
    const account = accounts.find((a) => a.id === e.operatorId);
    if (!account) throw new FieldError(`entries.${i}.operatorId`, `there is no operator "${e.operatorId}"`);
    if (account.active !== 1)
      throw new FieldError(`entries.${i}.operatorId`, ADMIN_MESSAGES.accountDeactivated);
    if (!serving.has(e.operatorId)) {
      throw new FieldError(`entries.${i}.operatorId`, ADMIN_MESSAGES.operatorNotInOffice);
    }
    const clash = entries.findIndex(
      (o, j) =>
        j < i &&
        o.operatorId === e.operatorId &&
        o.weekday === e.weekday &&
        o.start < e.end &&
        e.start < o.end,
    );
    if (clash >= 0) {
      throw new FieldError(`entries.${i}.start`, `overlaps row ${clash + 1} for the same operator and day`);
    }
  }
}

/** The service's future booked appointments that would not fit the given schedule and exceptions. */
async function conflictsOf(
  db: Db,
  bookings: {
    id: string;
    service_id: string;
    office_id: string;
    operator_id: string | null;
    slot_start: string;
    slot_end: string;
  }[],
  scheduleOf: (serviceId: string) => Promise<WeeklyEntry[]>,
  exceptionsFor: (date: string, officeId: string) => Promise<DayException[]>,
  clock: CalendarClock,
): Promise<ScheduleConflict[]> {
  const names = new Map<string, string>();
  const out: ScheduleConflict[] = [];
  for (const b of bookings) {
    const start = new Date(b.slot_start);
    const date = localDate(start, clock.timeZone);
    const fit = bookingFits(
      await scheduleOf(b.service_id),
      weekdayOf(date),
      await exceptionsFor(date, b.office_id),
      {
        operatorId: b.operator_id,
        start: localClock(start, clock.timeZone),
        end:
          localDate(new Date(b.slot_end), clock.timeZone) === date
            ? localClock(new Date(b.slot_end), clock.timeZone)
            : '24:00',
      },
    );
    if (fit.ok) continue;
    if (!names.has(b.service_id)) names.set(b.service_id, (await readAdminService(db, b.service_id)).name);
    out.push({
      bookingId: b.id,
      serviceId: b.service_id,
      serviceName: names.get(b.service_id)!,
      operatorId: b.operator_id,
      slotStart: b.slot_start,
      slotEnd: b.slot_end,
      why: fit.why,
    });
  }
  return out;
}

/**
 * Only the bookings a change newly leaves out are its conflicts: those already outside the
 * schedule were confirmed by the administrator when that earlier change was saved, and asking
 * again at every later change would teach them to confirm without reading.
 */
async function newConflicts(
  before: ScheduleConflict[],
  after: ScheduleConflict[],
): Promise<ScheduleConflict[]> {
  const known = new Set(before.map((c) => c.bookingId));
  return after.filter((c) => !known.has(c.bookingId));
}

const liveBookingColumns = [
  'id',
  'service_id',
  'office_id',
  'operator_id',
  'slot_start',
  'slot_end',
] as const;

function refuseUnconfirmed(
  conflicts: ScheduleConflict[],
  accepted: string[] | undefined,
  what: string,
): void {
  const ok = new Set(accepted ?? []);
  const open = conflicts.filter((c) => !ok.has(c.bookingId));
  if (open.length > 0) {
    throw new ConflictError(
      `${what} would leave ${open.length} booked appointment(s) outside the schedule: ` +
        'confirm them to keep them as they are, or change the schedule.',
      conflicts,
    );
  }
}

export async function saveSchedule(
  db: Db,
  serviceId: string,
  input: ScheduleInput,
  clock: CalendarClock,
): Promise<AdminSchedule & { kept: ScheduleConflict[] }> {
  return withTransaction(db, async (trx) => {
    const service = await readAdminService(trx, serviceId);
    await checkEntries(trx, service.officeId, input.entries);
    const bookings = await trx
      .selectFrom('bookings')
      .select(liveBookingColumns)
      .where('service_id', '=', serviceId)
      .where('status', '=', 'booked')
      .where('slot_start', '>=', clock.now.toISOString())
      .orderBy('slot_start')
      .execute();
    const cache = new Map<string, DayException[]>();
    const exceptionsFor = async (date: string, officeId: string) => {
      if (!cache.has(date)) cache.set(date, await exceptionsOn(trx, date, officeId));
      return cache.get(date)!;
    };
    const current = (await readSchedule(trx, serviceId)).entries;
    const conflicts = await newConflicts(
      await conflictsOf(trx, bookings, async () => current, exceptionsFor, clock),
      await conflictsOf(trx, bookings, async () => input.entries, exceptionsFor, clock),
    );
    refuseUnconfirmed(conflicts, input.acceptConflicts, 'This schedule');
    await trx.deleteFrom('schedules').where('service_id', '=', serviceId).execute();
    if (input.entries.length > 0) {
      await trx
        .insertInto('schedules')
        .values(
          input.entries.map((e) => ({
            service_id: serviceId,
            operator_id: e.operatorId,
            weekday: e.weekday,
            start_time: e.start,
            end_time: e.end,
          })),
        )
        .execute();
    }
    return { ...(await readSchedule(trx, serviceId)), kept: conflicts };
  });
}

type ExceptionRow = {
  id: number;
  office_id: string | null;
  date: string;
  closed: number;
  start_time: string | null;
  end_time: string | null;
  label: string;
};
function toException(r: ExceptionRow): CalendarException {
  return {
    id: Number(r.id),
    officeId: r.office_id,
    date: r.date,
    closed: r.closed === 1,
    start: r.start_time,
    end: r.end_time,
    label: r.label,
  };
}

export async function listExceptions(db: Db, from: string | undefined): Promise<CalendarException[]> {
  let q = adminDb(db).selectFrom('calendar_exceptions').selectAll().orderBy('date').orderBy('id');
  if (from) q = q.where('date', '>=', from);
  return (await q.execute()).map(toException);
}

export async function createException(
  db: Db,
  input: ExceptionInput,
  actor: string,
  clock: CalendarClock,
): Promise<CalendarException & { kept: ScheduleConflict[] }> {
  return withTransaction(db, async (trx) => {
    if (input.officeId) {
      const office = await trx
        .selectFrom('offices')
        .select('id')
        .where('id', '=', input.officeId)
        .executeTakeFirst();
      if (!office) throw new FieldError('officeId', `there is no office "${input.officeId}"`);
    }
    const same = await adminDb(trx)
      .selectFrom('calendar_exceptions')
      .select('id')
      .where('date', '=', input.date)
      .where('office_id', input.officeId === null ? 'is' : '=', input.officeId)
      .executeTakeFirst();
    if (same) throw new FieldError('date', ADMIN_MESSAGES.exceptionExists);
    const added: DayException = {
      closed: input.closed,
      start: input.closed ? null : (input.start ?? null),
      end: input.closed ? null : (input.end ?? null),
    };
    let bookingsQuery = trx
      .selectFrom('bookings')
      .select(liveBookingColumns)
      .where('status', '=', 'booked')
      .where('slot_start', '>=', clock.now.toISOString())
      .where('slot_start', '>=', zonedToUtc(input.date, '00:00', clock.timeZone).toISOString())
      .where('slot_start', '<', zonedToUtc(addDays(input.date, 1), '00:00', clock.timeZone).toISOString());
    if (input.officeId) bookingsQuery = bookingsQuery.where('office_id', '=', input.officeId);
    const bookings = await bookingsQuery.orderBy('slot_start').execute();
    const schedules = new Map<string, WeeklyEntry[]>();
    const scheduleOf = async (serviceId: string) => {
      if (!schedules.has(serviceId)) schedules.set(serviceId, (await readSchedule(trx, serviceId)).entries);
      return schedules.get(serviceId)!;
    };
    const caused = await newConflicts(
      await conflictsOf(
        trx,
        bookings,
        scheduleOf,
        (date, officeId) => exceptionsOn(trx, date, officeId),
        clock,
      ),
      await conflictsOf(
        trx,
        bookings,
        scheduleOf,
        async (date, officeId) => [...(await exceptionsOn(trx, date, officeId)), added],
        clock,
      ),
    );
    refuseUnconfirmed(caused, input.acceptConflicts, 'This exception');
    const row = await adminDb(trx)
      .insertInto('calendar_exceptions')
      .values({
        office_id: input.officeId,
        date: input.date,
        closed: input.closed ? 1 : 0,
        start_time: added.start,
        end_time: added.end,
        label: input.label,
        created_by: actor,
        created_at: clock.now.toISOString(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { ...toException(row), kept: caused };
  });
}

export async function deleteException(db: Db, id: number): Promise<CalendarException> {
  const row = await adminDb(db)
    .deleteFrom('calendar_exceptions')
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new HttpError(404, 'exception-not-found', `There is no exception ${id}.`);
  return toException(row);
}
