// The citizen at home as the queue sees them: the join link's booking, where it stands in time
// (early, open, done; late and cancelled answer with their own errors), and the identity the join
// page gets on the kiosk namespace. The queue, the check-in and the call are those of a totem: the
// join page is one "totem" per home booking, on a site of its own that no administrator sees, so
// a home call takes the same path (checkIn(), the stored queue, sessions, media) as any other.
import { CHECK_IN_WINDOW, type JoinView } from '@sportello/protocol';
import { randomBytes } from 'node:crypto';
import type { TotemIdentity } from '../auth/sessions.ts';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/errors.ts';
import type { LinkSigner } from '../messages/links.ts';

/** The site of the home guests: its id cannot be an administrator's (ids start with [a-z0-9]). */
export const HOME_SITE_ID = '~home';
const HOME_TOTEM_PREFIX = '~home-';

export const isHomeGuest = (totem: { siteId: string }): boolean => totem.siteId === HOME_SITE_ID;

const invalid = () =>
  new HttpError(404, 'link-invalid', 'This link is not valid: please use the one in your last message.');

export interface HomeGuestsOptions {
  db: Db;
  signer: LinkSigner;
  now: () => Date;
  window?: { earlyMinutes: number; lateMinutes: number };
}

/** A join link lasts until the check-in window closes; after that it says "too late". */
export function joinLinkExpiry(slotStart: string, window: { lateMinutes: number } = CHECK_IN_WINDOW): number {
  return Date.parse(slotStart) + window.lateMinutes * 60_000;
}

export class HomeGuests {
  private readonly window: { earlyMinutes: number; lateMinutes: number };

  constructor(private readonly o: HomeGuestsOptions) {
    this.window = o.window ?? CHECK_IN_WINDOW;
  }

  /** The join page's view of its link; refusals are errors with their own codes (M-2). */
  async view(token: string): Promise<JoinView> {
    const now = this.o.now();
    const b = await this.booking(token, now);
    const start = Date.parse(b.slot_start);
    const opensAt = start - this.window.earlyMinutes * 60_000;
    const closesAt = start + this.window.lateMinutes * 60_000;
    const state = b.status === 'completed' ? 'done' : now.getTime() < opensAt ? 'early' : 'open';
    return {
      state,
      opensAt: new Date(opensAt).toISOString(),
      closesAt: new Date(closesAt).toISOString(),
      serverTime: now.toISOString(),
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
  }

  /**
   * The identity of a join page on the kiosk namespace, or undefined for a link that cannot join
   * (invalid, expired, cancelled). Its totem row is made on first use: the queue's records name a
   * totem, and this one holds no secret (it can never sign in as a totem).
   */
  async authenticate(token: string): Promise<(TotemIdentity & { bookingId: string }) | undefined> {
    const b = await this.booking(token, this.o.now()).catch(() => undefined);
    if (!b) return undefined;
    const id = `${HOME_TOTEM_PREFIX}${b.id}`;
    await this.ensureRows(id);
    return { id, siteId: HOME_SITE_ID, name: 'home', bookingId: b.id };
  }

  private async booking(token: string, now: Date) {
    const check = this.o.signer.verify(token, 'join', now);
    if (!check.ok) {
      throw check.reason === 'link-expired'
        ? new HttpError(410, 'link-expired', 'This link has expired: the time to join has passed.')
        : invalid();
    }
    const b = await this.o.db
      .selectFrom('bookings')
      .innerJoin('services', 'services.id', 'bookings.service_id')
      .innerJoin('offices', 'offices.id', 'bookings.office_id')
      .select([
        'bookings.id',
        'bookings.slot_start',
        'bookings.slot_end',
        'bookings.status',
        'bookings.reason',
        'bookings.mode',
        'bookings.link_generation',
        'bookings.purged_at',
        'services.name as service_name',
        'offices.name as office_name',
      ])
      .where('bookings.id', '=', check.claims.bookingId)
      .executeTakeFirst();
    if (!b || b.purged_at || b.mode !== 'home') throw invalid();
    if (b.status === 'cancelled') {
      throw new HttpError(409, 'booking-cancelled', 'This appointment was cancelled.');
    }
    if (b.link_generation !== check.claims.generation) {
      throw new HttpError(
        409,
        'link-used',
        'This link was replaced: the appointment was moved. Please use the link in your last message.',
      );
    }
    return b;
  }

  private async ensureRows(totemId: string): Promise<void> {
    const { db } = this.o;
    const now = this.o.now().toISOString();
    await db
      .insertInto('sites')
      .values({ id: HOME_SITE_ID, name: 'From home', site_key: randomBytes(32).toString('base64') })
      .onConflict((c) => c.column('id').doNothing())
      .execute();
    await db
      .insertInto('totems')
      .values({ id: totemId, site_id: HOME_SITE_ID, name: 'home', secret_hash: '', created_at: now })
      .onConflict((c) => c.column('id').doNothing())
      .execute();
  }
}
