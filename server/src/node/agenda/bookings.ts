// The agenda: offices, services, free video slots and bookings. Every function takes the clock as
// a parameter so that tests decide what "now" is.
import { makeBookingCode, type BookingCreated, type CreateBooking, type Slot } from '@sportello/protocol';
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { newToken, sha256Hex } from '../auth/secrets.ts';
import { addDays, localDate, weekdayOf, zonedToUtc } from './time-zone.ts';
import { HttpError } from '../http/errors.ts';
import { recordBookingChange, setBookingStatus, withTransaction } from './change-log.ts';
import { enqueueBookingMessages, enqueueVerification, type MessagePlan } from '../messages/jobs.ts';
import { checkAbuseLimits, type AbuseLimits } from './abuse-limits.ts';
import { checkedAnswers, chosenMode, type ServiceChoices } from './booking-choices.ts';

/** What a booking write also does: the messages it sends and the limits it obeys. */
export interface BookingEffects {
  messages: MessagePlan;
  limits?: AbuseLimits | undefined;
  /** Keyed hash of the client address (per-address limit). */
  addressHash?: string | undefined;
  /** The booking's verification code, when the limits ask for one (derived from its id). */
  verificationCode?: ((bookingId: string) => string) | undefined;
}

const NO_MESSAGES: BookingEffects = { messages: { email: false, sms: false, reminderMinutes: [] } };
import { exceptionsOn } from '../admin/calendar.ts';
import { listAdminServices } from '../admin/catalogue.ts';
import { dayWindows } from '../admin/opening-hours.ts';

export async function listOffices(db: Db) {
  const rows = await db.selectFrom('offices').selectAll().orderBy('name').execute();
  return rows.map((o) => ({ id: o.id, name: o.name, walkIn: o.walk_in === 1 }));
}

export async function listServices(db: Db, officeId: string) {
  const office = await db.selectFrom('offices').select('id').where('id', '=', officeId).executeTakeFirst();
  if (!office) throw new HttpError(404, 'office-not-found', `There is no office "${officeId}".`);
  return (await listAdminServices(db))
    .filter((s) => s.officeId === officeId)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface CandidateSlot extends Slot {
  operatorId: string;
}

/**
 * Every (slot, operator) pair the schedules offer on a local date — narrowed by the day's
 * exceptions and holidays — minus past ones and any that would overlap a booking the operator
 * already holds (for any service: a schedule change may shift the grid, and an operator may take
 * several services at once, so matching start times is not enough).
 */
export async function candidateSlots(db: Db, serviceId: string, date: string, timeZone: string, now: Date) {
  const service = await db.selectFrom('services').selectAll().where('id', '=', serviceId).executeTakeFirst();
  if (!service) throw new HttpError(404, 'service-not-found', `There is no service "${serviceId}".`);
  const weekday = weekdayOf(date);
  // Only active operators offer slots: a deactivated account's schedule rows stay, unused.
  const schedules = await db
    .selectFrom('schedules')
    .innerJoin('operators', 'operators.id', 'schedules.operator_id')
    .select(['schedules.operator_id', 'schedules.start_time', 'schedules.end_time'])
    .where('schedules.service_id', '=', serviceId)
    .where('schedules.weekday', '=', weekday)
    .where('operators.active', '=', 1)
    .execute();
  const windows = dayWindows(
    schedules.map((s) => ({ operatorId: s.operator_id, weekday, start: s.start_time, end: s.end_time })),
    weekday,
    await exceptionsOn(db, date, service.office_id),
  );
  const dayStart = zonedToUtc(date, '00:00', timeZone).toISOString();
  const dayEnd = zonedToUtc(addDays(date, 1), '00:00', timeZone).toISOString();
  // The day's bookings of these operators, for any service. An appointment lasts at most a few
  // hours, so one that overlaps the day started at most a day before it (index bookings_operator_slot).
  const operators = [...new Set(windows.map((w) => w.operatorId))];
  const taken =
    operators.length === 0
      ? []
      : await db
          .selectFrom('bookings')
          .select(['operator_id', 'slot_start', 'slot_end'])
          .where('operator_id', 'in', operators)
          .where('slot_start', '>=', zonedToUtc(addDays(date, -1), '00:00', timeZone).toISOString())
          .where('slot_start', '<', dayEnd)
          .where('slot_end', '>', dayStart)
          .where('status', '!=', 'cancelled')
          .execute();
  const busy = (operatorId: string, from: number, to: number) =>
    taken.some(
      (b) => b.operator_id === operatorId && Date.parse(b.slot_start) < to && from < Date.parse(b.slot_end),
    );
  const out: CandidateSlot[] = [];
  const step = service.slot_minutes * 60_000;
  for (const w of windows) {
    const end = zonedToUtc(date, w.end, timeZone).getTime();
    for (let t = zonedToUtc(date, w.start, timeZone).getTime(); t + step <= end; t += step) {
      if (t <= now.getTime() || busy(w.operatorId, t, t + step)) continue;
      out.push({
        start: new Date(t).toISOString(),
        end: new Date(t + step).toISOString(),
        operatorId: w.operatorId,
      });
    }
  }
  return { service, slots: out };
}

export async function freeSlots(db: Db, serviceId: string, date: string, timeZone: string, now: Date) {
  const { slots } = await candidateSlots(db, serviceId, date, timeZone, now);
  const byStart = new Map<string, Slot>();
  for (const s of slots) byStart.set(s.start, { start: s.start, end: s.end });
  return [...byStart.values()].sort((a, b) => a.start.localeCompare(b.start));
}

/** A source of random decimal digits; the server's is the CSPRNG, tests inject their own. */
export type DigitSource = () => number;
const cryptoDigit: DigitSource = () => randomInt(10);

/**
 * Makes a code that no live (booked or checked-in) booking holds; codes of cancelled and completed
 * bookings may come back. The partial unique index `bookings_live_code` is the final guard.
 */
export async function unusedCode(db: Db, randomDigit: DigitSource = cryptoDigit): Promise<string> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = makeBookingCode(randomDigit);
    const clash = await db
      .selectFrom('bookings')
      .select('id')
      .where('code', '=', code)
      .where('status', 'in', ['booked', 'checked_in'])
      .executeTakeFirst();
    if (!clash) return code;
  }
  throw new Error('could not find a free booking code in 20 attempts');
}

export async function createBooking(
  db: Db,
  input: CreateBooking,
  timeZone: string,
  now: Date,
  options: { randomDigit?: DigitSource; effects?: BookingEffects } = {},
): Promise<BookingCreated> {
  const effects = options.effects ?? NO_MESSAGES;
  const start = new Date(input.slotStart);
  const date = localDate(start, timeZone);
  // One transaction from the free-slot check to the change log, so two citizens cannot take the
  // same slot and no totem sees the booking before its change row exists.
  return withTransaction(db, async (trx) => {
    const { service, slots } = await candidateSlots(trx, input.serviceId, date, timeZone, now);
    const choices = service as unknown as ServiceChoices;
    const mode = chosenMode(choices, input.mode);
    const answers = checkedAnswers(choices, input.answers);
    const slot = slots.find((s) => s.start === start.toISOString());
    if (!slot) {
      throw new HttpError(409, 'slot-not-free', 'This time is no longer free: please choose another one.', {
        nextSlots: await nextFreeSlots(trx, input.serviceId, start, timeZone, now),
      });
    }
    const who = { email: input.email ?? null, phone: input.phone ?? null, addressHash: effects.addressHash };
    const { verify } = effects.limits
      ? await checkAbuseLimits(trx, who, effects.limits, now)
      : { verify: false };
    const code = await unusedCode(trx, options.randomDigit);
    const manageToken = newToken();
    const id = randomUUID();
    const stamp = now.toISOString();
    await trx
      .insertInto('bookings')
      .values({
        id,
        code,
        service_id: service.id,
        office_id: service.office_id,
        operator_id: slot.operatorId,
        slot_start: slot.start,
        slot_end: slot.end,
        reason: input.reason,
        name: input.name,
        email: input.email ?? null,
        phone: input.phone ?? null,
        status: 'booked',
        manage_token_hash: sha256Hex(manageToken),
        version: 1,
        created_at: stamp,
        updated_at: stamp,
        language: input.language ?? 'it',
        address_hash: effects.addressHash ?? null,
        mode,
        answers,
      })
      .execute();
    await recordBookingChange(trx, {
      bookingId: id,
      officeId: service.office_id,
      version: 1,
      kind: 'upsert',
      now,
    });
    const contact = {
      id,
      email: who.email,
      phone: who.phone,
      language: input.language ?? 'it',
      slot_start: slot.start,
    };
    const created: BookingCreated = {
      bookingId: id,
      code,
      manageToken,
      slotStart: slot.start,
      slotEnd: slot.end,
    };
    const channel =
      verify && effects.verificationCode
        ? await enqueueVerification(trx, contact, effects.messages, now)
        : undefined;
    if (channel && effects.verificationCode && effects.limits) {
      // Held: the confirmation goes once the code is typed; unconfirmed, the slot frees itself.
      const expiresAt = new Date(now.getTime() + effects.limits.verifyMinutes * 60_000).toISOString();
      await trx
        .updateTable('bookings')
        .set({ verify_code_hash: sha256Hex(effects.verificationCode(id)), verify_expires_at: expiresAt })
        .where('id', '=', id)
        .execute();
      created.verification = { channel, expiresAt };
    } else {
      await enqueueBookingMessages(trx, contact, 'confirmation', effects.messages, now);
    }
    return created;
  });
}

/** The next few free times of a service from an instant on, over the following two weeks. */
export async function nextFreeSlots(
  db: Db,
  serviceId: string,
  from: Date,
  timeZone: string,
  now: Date,
  count = 3,
) {
  const out: Slot[] = [];
  let date = localDate(from, timeZone);
  for (let i = 0; i < 14 && out.length < count; i++, date = addDays(date, 1)) {
    for (const s of await freeSlots(db, serviceId, date, timeZone, now)) {
      if (new Date(s.start).getTime() >= from.getTime() && out.length < count) out.push(s);
    }
  }
  return out;
}

export async function bookingByToken(db: Db, token: string) {
  const row = await db
    .selectFrom('bookings')
    .innerJoin('services', 'services.id', 'bookings.service_id')
    .innerJoin('offices', 'offices.id', 'bookings.office_id')
    .select([
      'bookings.id',
      'bookings.slot_start',
      'bookings.slot_end',
      'bookings.status',
      'bookings.reason',
      'bookings.service_id',
      'bookings.email',
      'bookings.phone',
      'bookings.language',
      'bookings.verify_code_hash',
      'bookings.verify_expires_at',
      'services.name as service_name',
      'offices.name as office_name',
    ])
    .where('bookings.manage_token_hash', '=', sha256Hex(token))
    .executeTakeFirst();
  if (!row) throw new HttpError(404, 'booking-not-found', 'No booking matches this link.');
  return row;
}

export async function readBooking(db: Db, token: string) {
  const b = await bookingByToken(db, token);
  return {
    bookingId: b.id,
    officeName: b.office_name,
    serviceName: b.service_name,
    slotStart: b.slot_start,
    slotEnd: b.slot_end,
    status: b.status,
    reason: b.reason,
  };
}

export async function cancelBooking(db: Db, token: string, now: Date, effects: BookingEffects = NO_MESSAGES) {
  const b = await bookingByToken(db, token);
  await cancelBookingById(db, b.id, now, effects);
  return readBooking(db, token);
}

/**
 * Cancels a booking not yet used, withdraws its pending reminders and sends the cancellation
 * (with the calendar's CANCEL under the next SEQUENCE), all in one transaction.
 */
export async function cancelBookingById(
  db: Db,
  bookingId: string,
  now: Date,
  effects: BookingEffects = NO_MESSAGES,
) {
  return withTransaction(db, async (trx) => {
    const changed = await setBookingStatus(trx, bookingId, ['booked'], 'cancelled', now);
    if (!changed) {
      throw new HttpError(409, 'booking-not-cancellable', 'This booking has already been used or cancelled.');
    }
    const b = await trx
      .updateTable('bookings')
      .set((eb) => ({ ics_sequence: eb('ics_sequence', '+', 1) }))
      .where('id', '=', bookingId)
      .returning(['id', 'email', 'phone', 'language', 'slot_start', 'verify_expires_at'])
      .executeTakeFirstOrThrow();
    // A booking still waiting for its verification never had a confirmation: nothing to undo.
    if (b.verify_expires_at) {
      await trx
        .updateTable('message_jobs')
        .set({ status: 'cancelled', updated_at: now.toISOString() })
        .where('booking_id', '=', bookingId)
        .where('status', '=', 'pending')
        .execute();
    } else {
      await enqueueBookingMessages(trx, b, 'cancellation', effects.messages, now);
    }
    return changed;
  });
}
