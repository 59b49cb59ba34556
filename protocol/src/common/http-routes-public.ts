// The citizen's and the totem's public routes: health, who runs the service, offices, services,
// free slots, bookings, the confirmation page's manage token and the signed links of the messages,
// and the kiosk's agenda pull. Every token travels in a POST body, never in a path or query, so the
// request log (which records URLs) never holds one.
import { z } from 'zod';
import {
  bookingCreatedSchema,
  bookingViewSchema,
  createBookingSchema,
  healthSchema,
  kioskAgendaSchema,
  municipalitySchema,
  officeSchema,
  serviceSchema,
  slotDaySchema,
  slotDaysQuerySchema,
  slotSchema,
  slotsQuerySchema,
} from './http-api.ts';
import { route } from './http-routes.ts';
import {
  linkTokenBodySchema,
  linkViewSchema,
  manageTokenBodySchema,
  rescheduleBodySchema,
  verifyBookingSchema,
} from './messages.ts';
import { apiErrorSchema } from './http-api.ts';
import { joinViewSchema } from './home-video.ts';

const officeParams = z.object({ officeId: z.string().max(64) });
const serviceParams = z.object({ serviceId: z.string().max(64) });
/** Links are guessed at by nobody with a 256-bit secret, but each try still costs a lookup. */
const linkLimit = { max: 30, timeWindowMs: 60_000 } as const;
/** A link or token that is expired, used or for a cancelled booking answers 410 with its reason. */
const linkErrors = { 410: apiErrorSchema } as const;

export const PUBLIC_ROUTES = {
  health: route({
    method: 'GET',
    path: '/api/health',
    summary: 'Whether the server and its media workers run',
    access: 'public',
    response: healthSchema,
  }),
  municipality: route({
    method: 'GET',
    path: '/api/municipality',
    summary: "Who runs the service, for the citizen's pages",
    access: 'public',
    response: municipalitySchema,
  }),
  offices: route({
    method: 'GET',
    path: '/api/offices',
    summary: 'The offices a citizen can book with',
    access: 'public',
    response: z.array(officeSchema),
  }),
  services: route({
    method: 'GET',
    path: '/api/offices/:officeId/services',
    summary: "An office's services, with their questions, what to bring and channels",
    access: 'public',
    params: officeParams,
    response: z.array(serviceSchema),
  }),
  slots: route({
    method: 'GET',
    path: '/api/services/:serviceId/slots',
    summary: "A service's free slots of one day",
    access: 'public',
    params: serviceParams,
    query: slotsQuerySchema,
    response: z.array(slotSchema),
  }),
  slotDays: route({
    method: 'GET',
    path: '/api/services/:serviceId/slot-days',
    summary: "A service's free slots of several days in one request",
    access: 'public',
    params: serviceParams,
    query: slotDaysQuerySchema,
    response: z.array(slotDaySchema),
  }),
  book: route({
    method: 'POST',
    path: '/api/bookings',
    summary: 'Book a slot (instant confirmation; past the abuse limits, a code confirms the contact)',
    access: 'public',
    body: createBookingSchema,
    response: bookingCreatedSchema,
    status: 201,
    // The server sets the maximum from its configuration (citizen limits).
    rateLimit: { max: 10, timeWindowMs: 60_000 },
  }),
  readBooking: route({
    method: 'POST',
    path: '/api/bookings/manage',
    summary: "The booking behind the confirmation page's manage token",
    access: 'public',
    body: manageTokenBodySchema,
    response: bookingViewSchema,
    rateLimit: linkLimit,
    errors: linkErrors,
  }),
  cancelBooking: route({
    method: 'POST',
    path: '/api/bookings/manage/cancel',
    summary: 'Cancel with the manage token',
    access: 'public',
    body: manageTokenBodySchema,
    response: bookingViewSchema,
    rateLimit: linkLimit,
    errors: linkErrors,
  }),
  verifyBooking: route({
    method: 'POST',
    path: '/api/bookings/manage/verify',
    summary: "Confirm the contact with the code sent to it (the booking's hold becomes a booking)",
    access: 'public',
    body: verifyBookingSchema,
    response: bookingViewSchema,
    // Six digits: few tries per minute, so guessing one takes far longer than the hold lasts.
    rateLimit: { max: 5, timeWindowMs: 60_000 },
    errors: linkErrors,
  }),
  readLink: route({
    method: 'POST',
    path: '/api/bookings/link',
    summary: 'The booking behind a signed link of a message, and what the link allows',
    access: 'public',
    body: linkTokenBodySchema,
    response: linkViewSchema,
    rateLimit: linkLimit,
    errors: linkErrors,
  }),
  cancelByLink: route({
    method: 'POST',
    path: '/api/bookings/link/cancel',
    summary: 'Cancel with a signed cancel link',
    access: 'public',
    body: linkTokenBodySchema,
    response: linkViewSchema,
    rateLimit: linkLimit,
    errors: linkErrors,
  }),
  rescheduleByLink: route({
    method: 'POST',
    path: '/api/bookings/link/reschedule',
    summary: 'Move the booking to another free slot with a signed reschedule link',
    access: 'public',
    body: rescheduleBodySchema,
    response: linkViewSchema,
    rateLimit: linkLimit,
    errors: linkErrors,
  }),
  readJoin: route({
    method: 'POST',
    path: '/api/bookings/join',
    summary: 'Where a video appointment from home stands: early, open or done (late, cancelled: errors)',
    access: 'public',
    body: linkTokenBodySchema,
    response: joinViewSchema,
    rateLimit: linkLimit,
    errors: linkErrors,
  }),
} as const;

/** The kiosk's older agenda pull (the sync feed replaced it; still used to learn the site). */
export const KIOSK_ROUTES = {
  agenda: route({
    method: 'GET',
    path: '/api/kiosk/agenda',
    summary: "The totem's site agenda: code tags and times, no names",
    access: 'totem',
    response: kioskAgendaSchema,
  }),
} as const;

/** The OpenAPI document generated from every route table (served by the server, no schema of its own). */
export const OPENAPI_PATH = '/api/openapi.json';

/** The local WebSocket of the Chromium kiosk host (same origin as the kiosk page). */
export const KIOSK_HOST_SOCKET_PATH = '/api';
