// The per-site agenda feed and snapshot. A change row is only a pointer: the feed joins it with the
// booking's current row, so the newest version always wins and a booking that left the site's
// offices (cancelled, moved away, deleted) is sent as a tombstone. Both reads run in one
// transaction, so the cursor they return matches exactly the state they describe.
import {
  SYNC_ROUTES,
  syncPath,
  type AgendaChange,
  type AgendaChangesPage,
  type AgendaSnapshot,
  type SyncedBooking,
} from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/errors.ts';
import { withReadTransaction } from './change-log.ts';
import { codeTag } from './kiosk-agenda.ts';

/** How far back a snapshot reaches: bookings whose slot started in the last 24 hours stay usable. */
export const SNAPSHOT_LOOKBACK_MS = 24 * 3_600_000;

/** The hot query of the feed: this site's change rows after the cursor, with the current booking. */
export function changesAfterQuery(db: Db, siteId: string, cursor: number, limit: number) {
  return db
    .selectFrom('site_offices as so')
    .innerJoin('agenda_changes as c', 'c.office_id', 'so.office_id')
    .leftJoin('bookings as b', 'b.id', 'c.booking_id')
    .leftJoin('site_offices as here', (j) =>
      j.onRef('here.office_id', '=', 'b.office_id').on('here.site_id', '=', siteId),
    )
    .select([
      'c.seq',
      'c.booking_id',
      'c.version as change_version',
      'b.id as current_id',
      'b.code',
      'b.slot_start',
      'b.slot_end',
      'b.office_id',
      'b.service_id',
      'b.operator_id',
      'b.status',
      'b.version',
      'here.site_id as still_here',
    ])
    .where('so.site_id', '=', siteId)
    .where('c.seq', '>', cursor)
    .orderBy('c.seq')
    .limit(limit);
}

type ChangeRow = Awaited<ReturnType<ReturnType<typeof changesAfterQuery>['execute']>>[number];

function toChange(row: ChangeRow, siteKey: string): AgendaChange {
  if (row.current_id === null) {
    return {
      seq: row.seq,
      op: 'delete',
      bookingId: row.booking_id,
      version: row.change_version,
      reason: 'deleted',
    };
  }
  const version = row.version!;
  if (row.still_here === null) {
    return { seq: row.seq, op: 'delete', bookingId: row.booking_id, version, reason: 'moved' };
  }
  if (row.status === 'cancelled') {
    return {
      seq: row.seq,
      op: 'delete',
      bookingId: row.booking_id,
      version,
      reason: 'cancelled',
      codeTag: codeTag(siteKey, row.code!),
    };
  }
  return {
    seq: row.seq,
    op: 'upsert',
    booking: {
      bookingId: row.booking_id,
      codeTag: codeTag(siteKey, row.code!),
      slotStart: row.slot_start!,
      slotEnd: row.slot_end!,
      officeId: row.office_id!,
      serviceId: row.service_id!,
      operatorId: row.operator_id,
      status: row.status as SyncedBooking['status'],
      version,
    },
  };
}

async function siteOrThrow(trx: Db, siteId: string) {
  const site = await trx
    .selectFrom('sites')
    .select(['site_key', 'key_version'])
    .where('id', '=', siteId)
    .executeTakeFirst();
  if (!site) throw new HttpError(404, 'site-not-found', `There is no site "${siteId}".`);
  return site;
}

/** The newest sequence number ever issued (pruning always keeps the newest row), or 0. */
export async function feedHead(trx: Db): Promise<number> {
  const row = await trx
    .selectFrom('agenda_changes')
    .select((eb) => eb.fn.max('seq').as('head'))
    .executeTakeFirst();
  return Number(row?.head ?? 0);
}

export async function agendaChangesPage(
  db: Db,
  siteId: string,
  query: { cursor: number; limit: number },
  now: Date,
  retentionHours: number,
): Promise<AgendaChangesPage> {
  const snapshotHint = `fetch ${syncPath(SYNC_ROUTES.snapshot, siteId)} and continue from its cursor`;
  return withReadTransaction(db, async (trx) => {
    const site = await siteOrThrow(trx, siteId);
    const horizon = await trx
      .selectFrom('agenda_horizons')
      .select('min_cursor')
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    if (horizon && query.cursor < horizon.min_cursor) {
      throw new HttpError(
        410,
        'cursor-expired',
        `Cursor ${query.cursor} is older than the ${retentionHours} hours of changes this server keeps: ${snapshotHint}.`,
      );
    }
    const head = await feedHead(trx);
    if (query.cursor > head) {
      throw new HttpError(
        410,
        'cursor-ahead',
        `Cursor ${query.cursor} is beyond the newest change (${head}) of this server: ${snapshotHint}.`,
      );
    }
    const rows = await changesAfterQuery(trx, siteId, query.cursor, query.limit + 1).execute();
    const hasMore = rows.length > query.limit;
    const page = rows.slice(0, query.limit);
    // A booking written several times in the page is sent once, at its last position: every
    // pointer would carry the same current state anyway.
    const lastSeq = new Map(page.map((r) => [r.booking_id, r.seq]));
    const changes = page
      .filter((r) => lastSeq.get(r.booking_id) === r.seq)
      .map((r) => toChange(r, site.site_key));
    return {
      changes,
      cursor: hasMore ? page[page.length - 1]!.seq : head,
      hasMore,
      serverTime: now.toISOString(),
      siteKeyVersion: site.key_version,
    };
  });
}

export async function agendaSnapshot(db: Db, siteId: string, now: Date): Promise<AgendaSnapshot> {
  const since = new Date(now.getTime() - SNAPSHOT_LOOKBACK_MS).toISOString();
  return withReadTransaction(db, async (trx): Promise<AgendaSnapshot> => {
    const site = await siteOrThrow(trx, siteId);
    const cursor = await feedHead(trx);
    const rows = await trx
      .selectFrom('bookings as b')
      .innerJoin('site_offices as so', 'so.office_id', 'b.office_id')
      .select([
        'b.id',
        'b.code',
        'b.slot_start',
        'b.slot_end',
        'b.office_id',
        'b.service_id',
        'b.operator_id',
        'b.status',
        'b.version',
      ])
      .where('so.site_id', '=', siteId)
      .where('b.slot_start', '>=', since)
      .where('b.status', '!=', 'cancelled')
      .orderBy('b.slot_start')
      .orderBy('b.id')
      .execute();
    return {
      siteId,
      siteKey: site.site_key,
      siteKeyVersion: site.key_version,
      cursor,
      serverTime: now.toISOString(),
      since,
      bookings: rows.map((r) => ({
        bookingId: r.id,
        codeTag: codeTag(site.site_key, r.code),
        slotStart: r.slot_start,
        slotEnd: r.slot_end,
        officeId: r.office_id,
        serviceId: r.service_id,
        operatorId: r.operator_id,
        status: r.status as SyncedBooking['status'],
        version: r.version,
      })),
    };
  });
}
