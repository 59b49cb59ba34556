// Contracts of the citizen's links and messages: the manage token and the signed single-purpose
// link tokens travel in request bodies (never in a path or query that the request log records),
// the pages for cancel/reschedule links, the verification code of the abuse limits, and the
// administrators' view of the message jobs.
import { z } from 'zod';
import { bookingViewSchema } from './http-api.ts';

const isoDateTime = z.iso.datetime({ offset: true });

/** Languages messages are written in; the first is the default. */
export const MESSAGE_LANGUAGES = ['it', 'en'] as const;

/** The secret of the confirmation page's own link (/booking/#manage=…), in a POST body. */
export const manageTokenBodySchema = z.strictObject({ token: z.string().min(20).max(100) });

/** What a link sent in a message may do; a token signed for one purpose does nothing else. */
export const linkPurposeSchema = z.enum(['cancel', 'reschedule', 'join']);
export type LinkPurpose = z.infer<typeof linkPurposeSchema>;

export const linkTokenBodySchema = z.strictObject({ token: z.string().min(20).max(400) });

/** The booking behind a valid link, with what the link allows until when. */
export const linkViewSchema = z.object({
  purpose: linkPurposeSchema,
  expiresAt: isoDateTime,
  serviceId: z.string(),
  booking: bookingViewSchema,
});
export type LinkView = z.infer<typeof linkViewSchema>;

export const rescheduleBodySchema = z.strictObject({
  token: z.string().min(20).max(400),
  slotStart: isoDateTime,
});

/**
 * Why a link did nothing, each with its own page: tampered or unknown, past its expiry, superseded
 * by a later message (already used to reschedule), or for a booking already cancelled or used.
 */
export const LINK_FAILURES = [
  'link-invalid',
  'link-expired',
  'link-used',
  'booking-cancelled',
  'booking-not-movable',
] as const;

export const verifyBookingSchema = z.strictObject({
  token: z.string().min(20).max(100),
  code: z.string().regex(/^\d{6}$/, 'the code has 6 digits'),
});

export const messageJobSchema = z.object({
  id: z.number().int(),
  bookingId: z.string().nullable(),
  kind: z.enum(['confirmation', 'reminder', 'cancellation', 'rescheduled', 'verification']),
  channel: z.enum(['email', 'sms']),
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'cancelled']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  dueAt: isoDateTime,
  sentAt: isoDateTime.nullable(),
});
export type MessageJob = z.infer<typeof messageJobSchema>;

export const messageJobsQuerySchema = z.object({
  /** 'failing': failed, or retried at least once and not yet sent (default); 'pending'; 'all'. */
  filter: z.enum(['failing', 'pending', 'all']).default('failing'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
