// What a totem may know of the agenda: for the offices reachable from its site, each booking's
// code as a 16-bit tag of its HMAC with the site key, its slot, ids and status. Never names,
// contacts, reasons or a full hash (a full hash and the key give the code back in a minute).
import { checkInWindow, codeTagOf, type KioskAgenda, type RejectReason } from '@sportello/protocol';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { setBookingStatus, withTransaction } from './change-log.ts';
import { HOME_SITE_ID } from '../calls/home-guests.ts';

export function codeHash(siteKeyBase64: string, code: string): string {
  return createHmac('sha256', Buffer.from(siteKeyBase64, 'base64')).update(code).digest('hex');
}

/** What a totem may hold of a code: the first 16 bits of its HMAC (docs/sync-protocol.md, "Least data"). */
export function codeTag(siteKeyBase64: string, code: string): string {
  return codeTagOf(codeHash(siteKeyBase64, code));
}

/** Compares two hex hashes in constant time; false when their lengths differ. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export async function siteOfficeIds(db: Db, siteId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('site_offices')
    .select('office_id')
    .where('site_id', '=', siteId)
    .execute();
  return rows.map((r) => r.office_id);
}

/** Bookings from yesterday to a week ahead; the full change feed replaces this pull later. */
export async function kioskAgenda(db: Db, siteId: string, now: Date): Promise<KioskAgenda> {
  const site = await db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirstOrThrow();
  const offices = await siteOfficeIds(db, siteId);
  const from = new Date(now.getTime() - 86_400_000).toISOString();
  const to = new Date(now.getTime() + 7 * 86_400_000).toISOString();
  const rows =
    offices.length === 0
      ? []
      : await db
          .selectFrom('bookings')
          .select([
            'id',
            'code',
            'slot_start',
            'slot_end',
            'office_id',
            'service_id',
            'operator_id',
            'status',
            'version',
          ])
          .where('office_id', 'in', offices)
          .where('slot_start', '>=', from)
          .where('slot_start', '<', to)
          .execute();
  return {
    siteId,
    siteKey: site.site_key,
    serverTime: now.toISOString(),
    entries: rows.map((r) => ({
      bookingId: r.id,
      codeTag: codeTag(site.site_key, r.code),
      slotStart: r.slot_start,
      slotEnd: r.slot_end,
      officeId: r.office_id,
      serviceId: r.service_id,
      operatorId: r.operator_id,
      status: r.status,
      version: r.version,
    })),
  };
}

/** The booking a check-in was accepted for. */
export interface CheckedInBooking {
  id: string;
  officeId: string;
  serviceId: string;
  operatorId: string | null;
  slotStart: string;
}

type ApplyResult =
  | {
      ok: true;
      booking: CheckedInBooking;
      version: number;
    }
  | { ok: false; reason: Extract<RejectReason, 'unknown' | 'cancelled' | 'used' | 'too-early' | 'too-late'> };

export interface CheckInAttempt {
  siteId: string;
  bookingId: string;
  /** The instant the window is judged at: now online, the (bounded) time of an offline check-in. */
  at: Date;
  now: Date;
  window: { earlyMinutes: number; lateMinutes: number };
  /**
   * The full HMAC of the code the citizen typed: the totem matched only a 16-bit tag, so a hash that
   * is not the booking's refuses the check-in as 'unknown'. Omitted only by the operator-side paths.
   */
  codeHash?: string | undefined;
}

/**
 * The server's own check of a totem's check-in: the totem's cache may be stale, so the booking's
 * site, status and window are checked again here, and the booking is marked checked in and logged
 * in the change feed atomically.
 */
export async function applyCheckIn(db: Db, a: CheckInAttempt): Promise<ApplyResult> {
  return withTransaction(db, async (trx) => {
    // A join page (calls/home-guests.ts) checks in only its own home booking; its signed link is
    // the proof a totem's typed code is, so there is no code hash to compare.
    const home = a.siteId === HOME_SITE_ID;
    const offices = home ? [] : await siteOfficeIds(trx, a.siteId);
    const b = await trx.selectFrom('bookings').selectAll().where('id', '=', a.bookingId).executeTakeFirst();
    if (!b || (home ? b.mode !== 'home' : !offices.includes(b.office_id)))
      return { ok: false, reason: 'unknown' };
    if (a.codeHash !== undefined && !home) {
      const site = await trx
        .selectFrom('sites')
        .select('site_key')
        .where('id', '=', a.siteId)
        .executeTakeFirstOrThrow();
      if (!sameHash(codeHash(site.site_key, b.code), a.codeHash)) return { ok: false, reason: 'unknown' };
    }
    if (b.status === 'cancelled') return { ok: false, reason: 'cancelled' };
    if (b.status !== 'booked') return { ok: false, reason: 'used' };
    const verdict = checkInWindow(Date.parse(b.slot_start), a.at.getTime(), a.window);
    if (verdict !== 'ok') return { ok: false, reason: verdict };
    // Two totems racing on one code: only the one whose update changed the row wins.
    const changed = await setBookingStatus(trx, b.id, ['booked'], 'checked_in', a.now);
    if (!changed) return { ok: false, reason: 'used' };
    return {
      ok: true,
      booking: {
        id: b.id,
        officeId: b.office_id,
        serviceId: b.service_id,
        operatorId: b.operator_id,
        slotStart: b.slot_start,
      },
      version: changed.version,
    };
  });
}
