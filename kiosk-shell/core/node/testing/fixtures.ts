// Small fixtures for the kiosk's cache tests: a fixed site key, a valid booking code derived from a
// booking id (so tests can name bookings and still type their codes), and feed rows.
import { codeTagOf, dammCheckDigit, type SyncedBooking } from '@sportello/protocol';
import { createHash, createHmac } from 'node:crypto';

export const SITE_KEY = Buffer.alloc(32, 9).toString('base64');
/** The slot of every fixture booking: the tests' "now" is inside its window. */
export const FIXTURE_SLOT = '2030-03-04T09:00:00.000Z';

export function codeFor(id: string): string {
  const digits = BigInt('0x' + createHash('sha256').update(id).digest('hex').slice(0, 15))
    .toString()
    .slice(-8)
    .padStart(8, '0');
  return digits + String(dammCheckDigit(digits));
}

export function codeHashFor(id: string, key = SITE_KEY): string {
  return createHmac('sha256', Buffer.from(key, 'base64')).update(codeFor(id)).digest('hex');
}

export function fixtureBooking(id: string, version: number, slotStart = FIXTURE_SLOT): SyncedBooking {
  const start = Date.parse(slotStart);
  return {
    bookingId: id,
    codeTag: codeTagOf(codeHashFor(id)),
    slotStart: new Date(start).toISOString(),
    slotEnd: new Date(start + 20 * 60_000).toISOString(),
    officeId: 'urp',
    serviceId: 'urp-info',
    operatorId: null,
    status: 'booked',
    version,
  };
}
