// What the links in the messages do: show the booking, cancel it, move it to another free time of
// the same service, and confirm a held booking with its verification code. Every refusal has its
// own code (see LINK_FAILURES) so the page can say exactly why nothing changed (M-2).
import type { LinkPurpose, LinkView } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/errors.ts';
import type { LinkSigner } from '../messages/links.ts';
import { enqueueBookingMessages } from '../messages/jobs.ts';
import { sha256Hex } from '../auth/secrets.ts';
import { safeEqual } from '../auth/secrets.ts';
import { localDate } from './time-zone.ts';
import {
  bookingByToken,
  candidateSlots,
  cancelBookingById,
  nextFreeSlots,
  type BookingEffects,
} from './bookings.ts';
import { moveBooking } from './booking-edits.ts';
import { withTransaction } from './change-log.ts';

async function bookingOfLink(db: Db, signer: LinkSigner, token: string, purpose: LinkPurpose, now: Date) {
  const check = signer.verify(token, purpose, now);
  if (!check.ok) {
    throw check.reason === 'link-expired'
      ? new HttpError(410, 'link-expired', 'This link has expired: the appointment time has passed.')
      : new HttpError(
          404,
          'link-invalid',
          'This link is not valid: please use the one in your last message.',
        );
  }
  const b = await db
    .selectFrom('bookings')
    .innerJoin('services', 'services.id', 'bookings.service_id')
    .innerJoin('offices', 'offices.id', 'bookings.office_id')
    .select([
      'bookings.id',
      'bookings.service_id',
      'bookings.slot_start',
      'bookings.slot_end',
      'bookings.status',
      'bookings.reason',
      'bookings.link_generation',
      'bookings.purged_at',
      'services.name as service_name',
      'offices.name as office_name',
    ])
    .where('bookings.id', '=', check.claims.bookingId)
    .executeTakeFirst();
  if (!b || b.purged_at) {
    throw new HttpError(
      404,
      'link-invalid',
      'This link is not valid: please use the one in your last message.',
    );
  }
  if (b.status === 'cancelled')
    throw new HttpError(409, 'booking-cancelled', 'This booking was already cancelled.');
  if (b.status !== 'booked') {
    throw new HttpError(409, 'booking-not-movable', 'This booking has already been used at the totem.');
  }
  if (b.link_generation !== check.claims.generation) {
    throw new HttpError(
      409,
      'link-used',
      'This link was already used: the booking was moved since. Please use the link in your last message.',
    );
  }
  const view: LinkView = {
    purpose,
    expiresAt: new Date(check.claims.expiresAt).toISOString(),
    serviceId: b.service_id,
    booking: {
      bookingId: b.id,
      officeName: b.office_name,
      serviceName: b.service_name,
      slotStart: b.slot_start,
      slotEnd: b.slot_end,
      status: b.status,
      reason: b.reason,
    },
  };
  return view;
}

/** The booking behind a cancel or reschedule link; the token says which, and only that. */
export async function readLink(db: Db, signer: LinkSigner, token: string, now: Date): Promise<LinkView> {
  for (const purpose of ['cancel', 'reschedule'] as const) {
    if (signer.verify(token, purpose, now).ok) return bookingOfLink(db, signer, token, purpose, now);
  }
  // Tampered, expired, or a join link: the error of the cancel purpose says which.
  return bookingOfLink(db, signer, token, 'cancel', now);
}

export async function cancelByLink(
  db: Db,
  signer: LinkSigner,
  token: string,
  now: Date,
  effects: BookingEffects,
) {
  const view = await bookingOfLink(db, signer, token, 'cancel', now);
  const changed = await cancelBookingById(db, view.booking.bookingId, now, effects);
  return {
    view: { ...view, booking: { ...view.booking, status: 'cancelled' as const } },
    officeId: changed.officeId,
  };
}

/**
 * Moves the booking to another free time of its service. The old links stop working (the link
 * generation grows), the calendar invitation is replaced (SEQUENCE grows) and the totems get the
 * move through the change feed, all in one transaction.
 */
export async function rescheduleByLink(
  db: Db,
  signer: LinkSigner,
  token: string,
  slotStart: string,
  timeZone: string,
  now: Date,
  effects: BookingEffects,
) {
  return withTransaction(db, async (trx) => {
    const view = await bookingOfLink(trx, signer, token, 'reschedule', now);
    const start = new Date(slotStart);
    const { slots } = await candidateSlots(trx, view.serviceId, localDate(start, timeZone), timeZone, now);
    const slot = slots.find((s) => s.start === start.toISOString());
    if (!slot) {
      throw new HttpError(409, 'slot-not-free', 'This time is no longer free: please choose another one.', {
        nextSlots: await nextFreeSlots(trx, view.serviceId, start, timeZone, now),
      });
    }
    const moved = await moveBooking(
      trx,
      view.booking.bookingId,
      { serviceId: view.serviceId, operatorId: slot.operatorId, slotStart: slot.start, slotEnd: slot.end },
      now,
    );
    const b = await trx
      .updateTable('bookings')
      .set((eb) => ({
        ics_sequence: eb('ics_sequence', '+', 1),
        link_generation: eb('link_generation', '+', 1),
      }))
      .where('id', '=', view.booking.bookingId)
      .returning(['id', 'email', 'phone', 'language', 'slot_start'])
      .executeTakeFirstOrThrow();
    await enqueueBookingMessages(trx, b, 'rescheduled', effects.messages, now);
    return {
      view: { ...view, booking: { ...view.booking, slotStart: slot.start, slotEnd: slot.end } },
      officeIds: [moved.officeId, moved.previousOfficeId],
    };
  });
}

/** Confirms a held booking with the code sent to its contact; then its confirmation goes. */
export async function verifyBooking(
  db: Db,
  manageToken: string,
  code: string,
  now: Date,
  effects: BookingEffects,
) {
  return withTransaction(db, async (trx) => {
    const b = await bookingByToken(trx, manageToken);
    if (!b.verify_code_hash || !b.verify_expires_at) return; // nothing to confirm: already done
    if (b.status !== 'booked' || b.verify_expires_at <= now.toISOString()) {
      throw new HttpError(
        410,
        'verification-expired',
        'The time to confirm has passed and the slot was freed: please book again.',
      );
    }
    if (!safeEqual(sha256Hex(code), b.verify_code_hash)) {
      throw new HttpError(
        400,
        'verification-wrong',
        'This is not the code we sent: please check it and try again.',
      );
    }
    await trx
      .updateTable('bookings')
      .set({ verify_code_hash: null, verify_expires_at: null, updated_at: now.toISOString() })
      .where('id', '=', b.id)
      .execute();
    await enqueueBookingMessages(
      trx,
      { id: b.id, email: b.email, phone: b.phone, language: b.language, slot_start: b.slot_start },
      'confirmation',
      effects.messages,
      now,
    );
  });
}

/** Cancels held bookings whose code was not typed in time; returns the offices to notify. */
export async function releaseUnverified(db: Db, now: Date): Promise<string[]> {
  const expired = await db
    .selectFrom('bookings')
    .select('id')
    .where('verify_expires_at', 'is not', null)
    .where('verify_expires_at', '<=', now.toISOString())
    .where('status', '=', 'booked')
    .execute();
  const offices: string[] = [];
  for (const { id } of expired) {
    try {
      const changed = await cancelBookingById(db, id, now);
      offices.push(changed.officeId);
    } catch (err) {
      if (!(err instanceof HttpError)) throw err; // used or cancelled meanwhile: nothing to free
    }
  }
  return offices;
}
