// The video appointment from home: what the join page learns from its link, and what it asks of
// the kiosk namespace. The join page is a "totem" of its own for the queue: it connects to the
// kiosk namespace with the signed join token instead of a totem credential, and its call request
// names no booking or code (the token already proves which booking it is).
import { z } from 'zod';
import { bookingViewSchema } from './http-api.ts';

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * Where a join link stands now: `early` (before the check-in window opens, come back at
 * `opensAt`), `open` (join the queue now, until `closesAt`), `done` (the appointment took place).
 * Late, cancelled and invalid links answer with an error code instead (link-expired,
 * booking-cancelled, link-invalid), each with its own page.
 */
export const joinStateSchema = z.enum(['early', 'open', 'done']);
export type JoinState = z.infer<typeof joinStateSchema>;

export const joinViewSchema = z.object({
  state: joinStateSchema,
  opensAt: isoDateTime,
  closesAt: isoDateTime,
  serverTime: isoDateTime,
  booking: bookingViewSchema,
});
export type JoinView = z.infer<typeof joinViewSchema>;

/** Home → server on the kiosk namespace (same event as a totem's call request). */
export const homeCallRequestSchema = z.strictObject({
  kind: z.literal('booked'),
  checkInKey: z.uuid(),
});
export type HomeCallRequest = z.infer<typeof homeCallRequestSchema>;

/** The handshake auth of the join page on the kiosk namespace. */
export const homeAuthSchema = z.object({ join: z.string().min(20).max(400) });

/** The join page is a view of the booking page family; its link carries the token in the fragment (`#join=…`). */
export const JOIN_PAGE_PATH = '/booking/';
