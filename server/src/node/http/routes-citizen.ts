// The citizen's own links: the confirmation page's manage token, the signed cancel/reschedule
// links of the messages, the verification code of the abuse limits. Every token travels in a POST body, never in a path or query, so
// the request log (which records URLs) never holds one.
import {
  apiErrorSchema,
  bookingViewSchema,
  linkTokenBodySchema,
  linkViewSchema,
  manageTokenBodySchema,
  rescheduleBodySchema,
  verifyBookingSchema,
} from '@sportello/protocol';
import { cancelBooking, readBooking } from '../agenda/bookings.ts';
import { cancelByLink, readLink, rescheduleByLink, verifyBooking } from '../agenda/booking-links.ts';
import { bookingEffects, type RouteContext, type ZodApp } from './routes-public.ts';

const errors = { 400: apiErrorSchema, 404: apiErrorSchema, 409: apiErrorSchema, 410: apiErrorSchema };
/** Links are guessed at by nobody with a 256-bit secret, but each try still costs a lookup. */
const linkLimit = { rateLimit: { max: 30, timeWindow: 60_000 } };

export function registerCitizenRoutes(r: ZodApp, ctx: RouteContext): void {
  r.post(
    '/api/bookings/manage',
    {
      config: linkLimit,
      schema: { body: manageTokenBodySchema, response: { 200: bookingViewSchema, ...errors } },
    },
    async (req) => readBooking(ctx.db, req.body.token),
  );
  r.post(
    '/api/bookings/manage/cancel',
    {
      config: linkLimit,
      schema: { body: manageTokenBodySchema, response: { 200: bookingViewSchema, ...errors } },
    },
    async (req) => {
      const view = await cancelBooking(ctx.db, req.body.token, ctx.now(), bookingEffects(ctx, req.ip));
      ctx.citizen.kick();
      await notifyOffice(ctx, view.bookingId);
      return view;
    },
  );
  r.post(
    '/api/bookings/manage/verify',
    // Six digits: few tries per minute, so guessing one takes far longer than the hold lasts.
    {
      config: { rateLimit: { max: 5, timeWindow: 60_000 } },
      schema: { body: verifyBookingSchema, response: { 200: bookingViewSchema, ...errors } },
    },
    async (req) => {
      await verifyBooking(ctx.db, req.body.token, req.body.code, ctx.now(), bookingEffects(ctx, req.ip));
      ctx.citizen.kick();
      return readBooking(ctx.db, req.body.token);
    },
  );
  r.post(
    '/api/bookings/link',
    {
      config: linkLimit,
      schema: { body: linkTokenBodySchema, response: { 200: linkViewSchema, ...errors } },
    },
    async (req) => readLink(ctx.db, ctx.citizen.signer, req.body.token, ctx.now()),
  );
  r.post(
    '/api/bookings/link/cancel',
    {
      config: linkLimit,
      schema: { body: linkTokenBodySchema, response: { 200: linkViewSchema, ...errors } },
    },
    async (req) => {
      const done = await cancelByLink(
        ctx.db,
        ctx.citizen.signer,
        req.body.token,
        ctx.now(),
        bookingEffects(ctx, req.ip),
      );
      ctx.citizen.kick();
      ctx.onAgendaChanged(done.officeId);
      return done.view;
    },
  );
  r.post(
    '/api/bookings/link/reschedule',
    {
      config: linkLimit,
      schema: { body: rescheduleBodySchema, response: { 200: linkViewSchema, ...errors } },
    },
    async (req) => {
      const done = await rescheduleByLink(
        ctx.db,
        ctx.citizen.signer,
        req.body.token,
        req.body.slotStart,
        ctx.timeZone,
        ctx.now(),
        bookingEffects(ctx, req.ip),
      );
      ctx.citizen.kick();
      for (const office of new Set(done.officeIds)) ctx.onAgendaChanged(office);
      return done.view;
    },
  );
}

async function notifyOffice(ctx: RouteContext, bookingId: string): Promise<void> {
  const row = await ctx.db
    .selectFrom('bookings')
    .select('office_id')
    .where('id', '=', bookingId)
    .executeTakeFirst();
  if (row) ctx.onAgendaChanged(row.office_id);
}
