// The call queue as the kiosk and the console see it: queue status, the call-back offer, the
// truth told on (re)connect, the console's live queue and the paused-with-reason presence. The
// server is the only writer of these; both clients derive their types from here.
import { z } from 'zod';
import { operatorCallbackSchema } from './agenda-sync.ts';

const isoDateTime = z.iso.datetime({ offset: true });

/** Where a waiting item stands, as the kiosk shows it. */
export const queuePhaseSchema = z.enum([
  /** Arrived before its check-in window: it waits until the window opens. */
  'early',
  /** A booked item held for its own operator, who is online but busy or paused (grace period). */
  'grace',
  /** Waiting for any operator of the office. */
  'waiting',
  /** Ringing on a console now. */
  'ringing',
]);
export type QueuePhase = z.infer<typeof queuePhaseSchema>;

/** Server → kiosk, on every change of the queue that concerns this totem's item (within 1 s). */
export const queueStatusSchema = z.object({
  callId: z.string(),
  kind: z.enum(['booked', 'walk-in']),
  phase: queuePhaseSchema,
  /** 1 = next to be offered. Counts the items that the policy serves before this one. */
  position: z.number().int().min(1),
  /** Estimated seconds until an operator answers; null when no operator of the office is online. */
  estimatedWaitSeconds: z.number().int().min(0).nullable(),
  /** Seconds this item has waited so far (server clock). */
  waitedSeconds: z.number().int().min(0),
  /** True once the maximum wait has passed: the kiosk may show "call me back instead". */
  callbackOffered: z.boolean(),
});
export type QueueStatus = z.infer<typeof queueStatusSchema>;

/** Server → kiosk, once, when the item passes the maximum wait (or on reconnect after a restart). */
export const callbackOfferSchema = z.object({
  callId: z.string(),
  waitedSeconds: z.number().int().min(0),
});
export type CallbackOffer = z.infer<typeof callbackOfferSchema>;

/** Kiosk → server: "call me back instead" while waiting. The item ends with outcome 'missed'. */
export const callbackInsteadSchema = z.strictObject({
  callId: z.string().max(64),
  /**
   * The totem's outbox key for this call-back, as for POST /api/kiosk/callbacks: a later outbox
   * delivery of the same key gets this request's receipt instead of a second call-back.
   */
  idempotencyKey: z.uuid(),
  phone: z.string().regex(/^\+?[0-9 ]{6,20}$/, 'phone numbers are digits, optionally with a leading +'),
});
export type CallbackInstead = z.infer<typeof callbackInsteadSchema>;

/**
 * Kiosk → server: a booking code confirmed after the handset was lifted, while the walk-in
 * item is waiting or ringing. The same item becomes the booked call: checked in with this key (the
 * same check-in as call:request), offered to the booking's operator; its queued time is kept.
 */
export const callUpgradeSchema = z.strictObject({
  callId: z.string().max(64),
  bookingId: z.string().max(64),
  checkInKey: z.uuid(),
  /** The full keyed hash of the typed code: the totem matched a short tag, the server checks the code. */
  codeHash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type CallUpgrade = z.infer<typeof callUpgradeSchema>;

/** Server → kiosk on every connection (and as the answer to session:get): the call it has, or none. */
export const kioskSessionSchema = z.object({
  call: z
    .discriminatedUnion('phase', [
      z.object({ phase: z.literal('queued'), callId: z.string(), status: queueStatusSchema }),
      z.object({
        phase: z.literal('in-call'),
        callId: z.string(),
        /** A fresh media token for this call's room. */
        mediaToken: z.string(),
        operatorName: z.string(),
      }),
    ])
    .nullable(),
});
export type KioskSession = z.infer<typeof kioskSessionSchema>;

/** Why a console was paused by the server rather than by its operator. */
export const pauseReasonSchema = z.enum(['missed-rings']);
export type PauseReason = z.infer<typeof pauseReasonSchema>;

/** Server → console: presence, with the reason when the server paused it. */
export const presenceNoticeSchema = z.object({
  status: z.enum(['available', 'paused', 'busy']),
  reason: pauseReasonSchema.optional(),
  /** With reason 'missed-rings': how many rings in a row went unanswered. */
  missedRings: z.number().int().min(1).optional(),
});
export type PresenceNotice = z.infer<typeof presenceNoticeSchema>;

/** One waiting call in the console's live queue. */
export const consoleCallItemSchema = z.object({
  kind: z.enum(['booked', 'walk-in']),
  callId: z.string(),
  officeId: z.string(),
  officeName: z.string(),
  serviceName: z.string().nullable(),
  /** The reason the citizen gave when booking; null for walk-ins. */
  reason: z.string().nullable(),
  slotStart: isoDateTime.nullable(),
  queuedAt: isoDateTime,
  phase: queuePhaseSchema,
  /** The booking's own operator, if any; true when that is the console's operator. */
  assignedToYou: z.boolean(),
  /** The operator whose console rings now, if any. */
  ringingOperatorId: z.string().nullable(),
  /** The citizen joins by video from home (the join page), not from a totem. */
  fromHome: z.boolean().optional(),
});
export type ConsoleCallItem = z.infer<typeof consoleCallItemSchema>;

/** One open call-back in the same list. */
export const consoleCallbackItemSchema = operatorCallbackSchema.extend({ kind: z.literal('callback') });
export type ConsoleCallbackItem = z.infer<typeof consoleCallbackItemSchema>;

export const consoleQueueItemSchema = z.discriminatedUnion('kind', [
  consoleCallItemSchema,
  consoleCallbackItemSchema,
]);
export type ConsoleQueueItem = z.infer<typeof consoleQueueItemSchema>;

/**
 * Server → console: the whole live queue of the operator's offices, pushed on every change (calls
 * in the order the policy serves them, then open call-backs oldest first). `serverTime` lets the
 * console count waiting times on from the server's clock.
 */
export const consoleQueueSchema = z.object({
  serverTime: isoDateTime,
  items: z.array(consoleQueueItemSchema),
});
export type ConsoleQueue = z.infer<typeof consoleQueueSchema>;

/** Server → console on every connection (and as the answer to session:get). */
export const consoleSessionSchema = z.object({
  call: z
    .discriminatedUnion('phase', [
      z.object({ phase: z.literal('ringing'), callId: z.string() }),
      z.object({ phase: z.literal('in-call'), callId: z.string(), mediaToken: z.string() }),
    ])
    .nullable(),
});
export type ConsoleSession = z.infer<typeof consoleSessionSchema>;
