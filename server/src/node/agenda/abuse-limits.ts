// Abuse limits on anonymous booking. One booking stays instant; a contact (e-mail or phone) holds
// at most a few open bookings; past a threshold a contact or a client address must confirm its
// e-mail or phone with a short code within minutes, or the held slot frees itself. The limits are
// checked inside the booking's transaction, so parallel requests cannot all slip under them.
import type { Db } from '../db/open.ts';
import type { ServerConfig } from '../config.ts';
import { HttpError } from '../http/errors.ts';

export type AbuseLimits = ServerConfig['abuse'];

export interface BookingRequester {
  email: string | null;
  phone: string | null;
  /** Keyed hash of the client address; undefined when the caller is trusted (seed, tests). */
  addressHash: string | undefined;
}

/** Throws when a limit refuses the booking; otherwise says whether it must be verified. */
export async function checkAbuseLimits(
  trx: Db,
  who: BookingRequester,
  limits: AbuseLimits,
  now: Date,
): Promise<{ verify: boolean }> {
  let contactOpen = 0;
  if (who.email || who.phone) {
    const row = await trx
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'booked')
      .where('slot_start', '>', now.toISOString())
      .where((eb) =>
        eb.or([
          ...(who.email ? [eb('email', '=', who.email)] : []),
          ...(who.phone ? [eb('phone', '=', who.phone)] : []),
        ]),
      )
      .executeTakeFirstOrThrow();
    contactOpen = Number(row.n);
  }
  if (contactOpen >= limits.maxOpenPerContact) {
    throw new HttpError(
      429,
      'too-many-bookings',
      `This e-mail or phone already holds ${contactOpen} open bookings: cancel one before booking again.`,
    );
  }
  let fromAddress = 0;
  if (who.addressHash) {
    const row = await trx
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('address_hash', '=', who.addressHash)
      .where('created_at', '>', new Date(now.getTime() - 86_400_000).toISOString())
      .executeTakeFirstOrThrow();
    fromAddress = Number(row.n);
  }
  if (fromAddress >= limits.maxPerAddressPerDay) {
    throw new HttpError(
      429,
      'too-many-bookings',
      'Too many bookings from this connection today: please try tomorrow.',
    );
  }
  const verify =
    contactOpen >= limits.verifyFromContactBookings || fromAddress >= limits.verifyFromAddressBookings;
  if (verify && !who.email && !who.phone) {
    throw new HttpError(
      429,
      'contact-needed',
      'Several bookings were made from this connection: please give an e-mail or phone to confirm this one.',
    );
  }
  return { verify };
}
