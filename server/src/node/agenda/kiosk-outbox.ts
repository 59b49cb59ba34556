// What a totem's outbox delivers: check-ins (often made while offline) and call-back requests.
// Each carries an idempotency key made by the totem; the first delivery is applied and its answer
// stored in the same transaction, and every later delivery of the same key gets that stored answer
// without applying anything again — so a totem may resend until it hears back, safely.
import type {
  CallbackReceipt,
  CallbackRequest,
  CheckInRequest,
  CheckInResponse,
  RejectReason,
} from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import type { TotemIdentity } from '../auth/sessions.ts';
import type { Db } from '../db/open.ts';
import { DomainError } from '../domain-error.ts';
import { withTransaction } from './change-log.ts';
import { applyCheckIn, siteOfficeIds, type CheckedInBooking } from './kiosk-agenda.ts';

/** A check-in from a join page at home: its signed link stands for the typed code (no hash). */
export type HomeCheckIn = Omit<CheckInRequest, 'codeHash'> & { codeHash?: undefined };

/** The one result of a check-in, whichever channel brought it. */
export type CheckInResult =
  | { ok: true; booking: CheckedInBooking; version: number; replayed: boolean; receivedAt: string }
  | {
      ok: false;
      reason: Extract<RejectReason, 'unknown' | 'cancelled' | 'used' | 'too-early' | 'too-late'>;
      replayed: boolean;
      receivedAt: string;
    };

export interface OutboxOutcome<T> {
  response: T;
  /** True when this answer is the stored one of an earlier delivery. */
  replayed: boolean;
}

function keyReused(): DomainError {
  return new DomainError(
    'idempotency-key-reused',
    'This idempotency key was already used for a different request: make a new key for each one.',
  );
}

/**
 * Runs `first` unless `stored` finds an earlier answer. Under PostgreSQL two deliveries of one key
 * may race to the insert; the loser's transaction fails on the primary key and it reads the
 * winner's answer instead.
 */
async function once<T>(
  db: Db,
  stored: (trx: Db) => Promise<T | undefined>,
  first: (trx: Db) => Promise<OutboxOutcome<T>>,
): Promise<OutboxOutcome<T>> {
  try {
    return await withTransaction(db, async (trx) => {
      const earlier = await stored(trx);
      return earlier !== undefined ? { response: earlier, replayed: true } : first(trx);
    });
  } catch (err) {
    if (err instanceof DomainError) throw err;
    const earlier = await stored(db);
    if (earlier !== undefined) return { response: earlier, replayed: true };
    throw err;
  }
}

/**
 * The one check-in, whichever channel brings it: the socket's `call:request` and `call:upgrade`
 * (checkInKey) and the outbox's POST /api/kiosk/check-ins (idempotencyKey) are the same key, so
 * whichever delivery of a check-in comes second gets the first one's answer and nothing is
 * applied twice. The server judges the window at `occurredAt` (bounded by now), checks the
 * booking's site, status and code hash again, and records the answer atomically.
 */
export async function checkIn(
  db: Db,
  totem: TotemIdentity,
  req: CheckInRequest | HomeCheckIn,
  now: Date,
  window: { earlyMinutes: number; lateMinutes: number },
): Promise<CheckInResult> {
  const outcome = await once<CheckInResponse>(
    db,
    async (trx) => {
      const row = await trx
        .selectFrom('check_ins')
        .selectAll()
        .where('idempotency_key', '=', req.idempotencyKey)
        .executeTakeFirst();
      if (!row) return undefined;
      if (row.totem_id !== totem.id || row.booking_id !== req.bookingId) throw keyReused();
      return JSON.parse(row.result) as CheckInResponse;
    },
    async (trx) => {
      const receivedAt = now.toISOString();
      // The window is judged when the citizen was there; a totem clock ahead of ours cannot push
      // that instant into the future.
      const occurred = new Date(req.occurredAt);
      const at = occurred.getTime() > now.getTime() ? now : occurred;
      const result = await applyCheckIn(trx, {
        siteId: totem.siteId,
        bookingId: req.bookingId,
        at,
        now,
        window,
        codeHash: req.codeHash,
      });
      const response: CheckInResponse = result.ok
        ? {
            idempotencyKey: req.idempotencyKey,
            outcome: 'accepted',
            bookingId: req.bookingId,
            version: result.version,
            receivedAt,
          }
        : {
            idempotencyKey: req.idempotencyKey,
            outcome: 'refused',
            bookingId: req.bookingId,
            reason: result.reason,
            receivedAt,
          };
      await trx
        .insertInto('check_ins')
        .values({
          idempotency_key: req.idempotencyKey,
          totem_id: totem.id,
          booking_id: req.bookingId,
          occurred_at: occurred.toISOString(),
          received_at: receivedAt,
          result: JSON.stringify(response),
        })
        .execute();
      return { response, replayed: false };
    },
  );
  const r = outcome.response;
  if (r.outcome === 'refused') {
    return { ok: false, reason: r.reason, replayed: outcome.replayed, receivedAt: r.receivedAt };
  }
  const b = await db
    .selectFrom('bookings')
    .select(['id', 'office_id', 'service_id', 'operator_id', 'slot_start'])
    .where('id', '=', r.bookingId)
    .executeTakeFirstOrThrow();
  return {
    ok: true,
    booking: {
      id: b.id,
      officeId: b.office_id,
      serviceId: b.service_id,
      operatorId: b.operator_id,
      slotStart: b.slot_start,
    },
    version: r.version,
    replayed: outcome.replayed,
    receivedAt: r.receivedAt,
  };
}

/** The HTTP edge's answer for a check-in result (the shape stored and replayed). */
export function toCheckInResponse(req: CheckInRequest, r: CheckInResult): CheckInResponse {
  return r.ok
    ? {
        idempotencyKey: req.idempotencyKey,
        outcome: 'accepted',
        bookingId: req.bookingId,
        version: r.version,
        receivedAt: r.receivedAt,
      }
    : {
        idempotencyKey: req.idempotencyKey,
        outcome: 'refused',
        bookingId: req.bookingId,
        reason: r.reason,
        receivedAt: r.receivedAt,
      };
}

/** The office that should call back: the booking's if it belongs to the site, else its walk-in office. */
async function callbackOffice(
  trx: Db,
  siteId: string,
  bookingId: string | undefined,
): Promise<string | null> {
  if (bookingId !== undefined) {
    const b = await trx
      .selectFrom('bookings')
      .select('office_id')
      .where('id', '=', bookingId)
      .executeTakeFirst();
    if (b && (await siteOfficeIds(trx, siteId)).includes(b.office_id)) return b.office_id;
  }
  const walkIn = await trx
    .selectFrom('site_offices as so')
    .innerJoin('offices as o', 'o.id', 'so.office_id')
    .select('o.id')
    .where('so.site_id', '=', siteId)
    .where('o.walk_in', '=', 1)
    .orderBy('o.id')
    .executeTakeFirst();
  return walkIn?.id ?? null;
}

export async function recordCallback(
  db: Db,
  totem: TotemIdentity,
  req: CallbackRequest,
  now: Date,
): Promise<OutboxOutcome<CallbackReceipt>> {
  return once(
    db,
    async (trx) => {
      const row = await trx
        .selectFrom('callbacks')
        .selectAll()
        .where('idempotency_key', '=', req.idempotencyKey)
        .executeTakeFirst();
      if (!row) return undefined;
      if (
        row.totem_id !== totem.id ||
        row.phone !== req.phone ||
        row.booking_id !== (req.bookingId ?? null)
      ) {
        throw keyReused();
      }
      return { idempotencyKey: row.idempotency_key, callbackId: row.id, receivedAt: row.received_at };
    },
    async (trx) => {
      const id = randomUUID();
      const receivedAt = now.toISOString();
      await trx
        .insertInto('callbacks')
        .values({
          id,
          idempotency_key: req.idempotencyKey,
          totem_id: totem.id,
          site_id: totem.siteId,
          booking_id: req.bookingId ?? null,
          office_id: await callbackOffice(trx, totem.siteId, req.bookingId),
          phone: req.phone,
          occurred_at: new Date(req.occurredAt).toISOString(),
          received_at: receivedAt,
          status: 'open',
          done_at: null,
          done_by: null,
        })
        .execute();
      return {
        response: { idempotencyKey: req.idempotencyKey, callbackId: id, receivedAt },
        replayed: false,
      };
    },
  );
}
