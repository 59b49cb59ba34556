// The agenda sync contract between the central server and a totem: the per-site change feed (an
// integer cursor, upserts and tombstones), the full snapshot a totem falls back to when its cursor
// is too old, and the totem's outbox of check-ins and call-back requests, each sent with an
// idempotency key so that a replay is answered with the stored result and applied only once.
// docs/sync-protocol.md explains how a totem is expected to use it.
import { z } from 'zod';
import { rejectReasonSchema } from './kiosk-api.ts';

const id = z.string().min(1).max(64);
const isoDateTime = z.iso.datetime({ offset: true });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'a code hash is 64 lowercase hex digits');

/**
 * Bits of the keyed hash of a booking code that a totem keeps: 16 (4 hex digits). Short on purpose:
 * each tag stands for about 10^8 / 2^16 ≈ 1,526 valid codes, so a stolen cache with its key names
 * none of them; a random wrong code matches a cached booking with odds of 1 in 65,536 per booking,
 * and the server checks the full code when the check-in arrives. docs/sync-protocol.md, "Least data".
 */
export const CODE_TAG_BITS = 16;
const CODE_TAG_HEX = CODE_TAG_BITS / 4;
export const codeTagSchema = z
  .string()
  .regex(/^[0-9a-f]{4}$/, `a code tag is ${CODE_TAG_HEX} lowercase hex digits (${CODE_TAG_BITS} bits)`);

/** The tag of a code: the first CODE_TAG_BITS bits of its full HMAC-SHA256 (lowercase hex). */
export function codeTagOf(fullHashHex: string): string {
  return fullHashHex.slice(0, CODE_TAG_HEX);
}

/** Route patterns (Fastify syntax); `syncPath` fills in the site for a client. */
export const SYNC_ROUTES = {
  changes: '/api/sites/:site/agenda/changes',
  snapshot: '/api/sites/:site/agenda/snapshot',
  checkIns: '/api/kiosk/check-ins',
  callbacks: '/api/kiosk/callbacks',
} as const;

export function syncPath(route: (typeof SYNC_ROUTES)[keyof typeof SYNC_ROUTES], siteId?: string): string {
  return siteId === undefined ? route : route.replace(':site', encodeURIComponent(siteId));
}

/** Set to "true" on a check-in or call-back answer that replays a stored result. */
export const IDEMPOTENT_REPLAY_HEADER = 'idempotent-replayed';

/**
 * Machine codes of the 410 answer of the feed: the totem must take a snapshot. `cursor-expired`:
 * changes after the cursor were pruned (the totem was away longer than the retention);
 * `cursor-ahead`: the cursor is beyond anything this server issued (e.g. restored from a backup).
 */
export const SYNC_GONE_CODES = ['cursor-expired', 'cursor-ahead'] as const;

/** A position in the feed: the sequence number of the last change the totem has applied. */
export const syncCursorSchema = z.number().int().min(0);
export type SyncCursor = z.infer<typeof syncCursorSchema>;

/** The statuses a totem can hold; cancelled bookings travel as tombstones instead. */
export const syncedBookingStatusSchema = z.enum(['booked', 'checked_in', 'completed']);

/** One booking as a totem may know it: no names, no contacts, no reason, no code in clear. */
export const syncedBookingSchema = z.object({
  bookingId: id,
  /** The first 16 bits of the HMAC-SHA256 of the 9-digit code keyed with the site key (codeTagOf). */
  codeTag: codeTagSchema,
  slotStart: isoDateTime,
  slotEnd: isoDateTime,
  officeId: id,
  serviceId: id,
  operatorId: id.nullable(),
  status: syncedBookingStatusSchema,
  /** Grows by one at every write of the booking; the highest version wins on the totem. */
  version: z.number().int().min(1),
});
export type SyncedBooking = z.infer<typeof syncedBookingSchema>;

/** Why a booking left this site's agenda. */
export const tombstoneReasonSchema = z.enum(['cancelled', 'moved', 'deleted']);
export type TombstoneReason = z.infer<typeof tombstoneReasonSchema>;

export const agendaUpsertSchema = z.object({
  seq: syncCursorSchema,
  op: z.literal('upsert'),
  booking: syncedBookingSchema,
});
export const agendaTombstoneSchema = z.object({
  seq: syncCursorSchema,
  op: z.literal('delete'),
  bookingId: id,
  /** The booking's version when it left; an upsert with a lower or equal version is stale. */
  version: z.number().int().min(1),
  reason: tombstoneReasonSchema,
  /** Present for cancelled bookings, so the totem can say "cancelled" rather than "unknown". */
  codeTag: codeTagSchema.optional(),
});
/** One entry of the feed. Entries are ordered by `seq`; the current state of the booking is sent. */
export const agendaChangeSchema = z.discriminatedUnion('op', [agendaUpsertSchema, agendaTombstoneSchema]);
export type AgendaChange = z.infer<typeof agendaChangeSchema>;

export const agendaChangesQuerySchema = z.object({
  /** The `cursor` of the previous page or of a snapshot; 0 means "from the beginning". */
  cursor: z.coerce.number().int().min(0).default(0),
  /** At most this many entries per page. Default 500, at most 1000. */
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type AgendaChangesQuery = z.infer<typeof agendaChangesQuerySchema>;

export const agendaChangesPageSchema = z.object({
  changes: z.array(agendaChangeSchema),
  /** Where to continue from; never lower than the cursor that was asked for. */
  cursor: syncCursorSchema,
  /** True when more changes follow: ask again at once with the new cursor. */
  hasMore: z.boolean(),
  /** The server's clock, for the totem's offset (it takes no time-window decision without it). */
  serverTime: isoDateTime,
  /** When this differs from the totem's, its code hashes are stale: take a snapshot. */
  siteKeyVersion: z.number().int().min(1),
});
export type AgendaChangesPage = z.infer<typeof agendaChangesPageSchema>;

export const siteParamsSchema = z.object({ site: id });

export const agendaSnapshotSchema = z.object({
  siteId: id,
  /** Base64 HMAC key of the code tags; the totem keeps it out of its database dumps. */
  siteKey: z.string(),
  siteKeyVersion: z.number().int().min(1),
  /** The feed position this state corresponds to: continue the feed from here. */
  cursor: syncCursorSchema,
  serverTime: isoDateTime,
  /** Bookings whose slot starts at or after this instant (24 hours before serverTime). */
  since: isoDateTime,
  bookings: z.array(syncedBookingSchema),
});
export type AgendaSnapshot = z.infer<typeof agendaSnapshotSchema>;

/** A check-in the totem accepted (often while offline), sent once through its outbox. */
export const checkInRequestSchema = z.strictObject({
  /** A UUID made by the totem when the check-in happened and kept with it until acknowledged. */
  idempotencyKey: z.uuid(),
  bookingId: id,
  /**
   * The full HMAC-SHA256 of the code the citizen typed, with the site key. The totem only holds a
   * 16-bit tag, so its offline answer is a guess; the server compares this with the booking's own
   * code and refuses the check-in as 'unknown' when they differ.
   */
  codeHash: hex64,
  /** When the citizen checked in, on the server's time as the totem knows it. */
  occurredAt: isoDateTime,
});
export type CheckInRequest = z.infer<typeof checkInRequestSchema>;

/** Reasons the server may refuse a totem's check-in; a subset of the kiosk's reject reasons. */
export const checkInRefusalSchema = rejectReasonSchema.extract([
  'unknown',
  'cancelled',
  'used',
  'too-early',
  'too-late',
]);

export const checkInResponseSchema = z.discriminatedUnion('outcome', [
  z.object({
    idempotencyKey: z.uuid(),
    outcome: z.literal('accepted'),
    bookingId: id,
    /** The booking's version after the check-in; the feed brings the same version. */
    version: z.number().int().min(1),
    receivedAt: isoDateTime,
  }),
  z.object({
    idempotencyKey: z.uuid(),
    outcome: z.literal('refused'),
    bookingId: id,
    reason: checkInRefusalSchema,
    receivedAt: isoDateTime,
  }),
]);
export type CheckInResponse = z.infer<typeof checkInResponseSchema>;

/** A citizen asked to be called back (e.g. no operator, or the totem offline). */
export const callbackRequestSchema = z.strictObject({
  idempotencyKey: z.uuid(),
  bookingId: id.optional(),
  /** Kept only on the server; never sent back to any totem. */
  phone: z.string().regex(/^\+?[0-9 ]{6,20}$/, 'phone numbers are digits, optionally with a leading +'),
  occurredAt: isoDateTime,
});
export type CallbackRequest = z.infer<typeof callbackRequestSchema>;

export const callbackReceiptSchema = z.object({
  idempotencyKey: z.uuid(),
  callbackId: id,
  receivedAt: isoDateTime,
});
export type CallbackReceipt = z.infer<typeof callbackReceiptSchema>;

/** A call-back as the operator console lists it. */
export const operatorCallbackSchema = z.object({
  id,
  status: z.enum(['open', 'done']),
  phone: z.string(),
  bookingId: id.nullable(),
  /** The office that should call back: the booking's, or the site's walk-in office. */
  officeId: id.nullable(),
  totemId: id,
  siteId: id,
  occurredAt: isoDateTime,
  receivedAt: isoDateTime,
  doneAt: isoDateTime.nullable(),
  doneBy: id.nullable(),
});
export type OperatorCallback = z.infer<typeof operatorCallbackSchema>;
export const callbackParamsSchema = z.object({ id });
