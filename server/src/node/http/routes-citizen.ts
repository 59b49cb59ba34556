// The citizen's own links: the confirmation page's manage token, the signed cancel/reschedule
// links of the messages, the verification code of the abuse limits; and the administrators' list
// of messages that fail or wait. Every token travels in a POST body, never in a path or query, so
// the request log (which records URLs) never holds one.
import {
  apiErrorSchema,
  bookingViewSchema,
  linkTokenBodySchema,
  linkViewSchema,
  manageTokenBodySchema,
  messageJobSchema,
  messageJobsQuerySchema,
  rescheduleBodySchema,
  verifyBookingSchema,
  type AccountRole,
} from '@sportello/protocol';
import { z } from 'zod';
import { cancelBooking, readBooking } from '../agenda/bookings.ts';
import { cancelByLink, readLink, rescheduleByLink, verifyBooking } from '../agenda/booking-links.ts';
import { operatorForSession } from '../auth/sessions.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';
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

  const READERS: AccountRole[] = ['administrator', 'supervisor'];
  r.get(
    '/api/admin/messages',
    {
      schema: {
        querystring: messageJobsQuerySchema,
        response: { 200: z.array(messageJobSchema), 401: apiErrorSchema, 403: apiErrorSchema },
      },
    },
    async (req) => {
      const token = bearer(req.headers.authorization, 'Bearer');
      const who = token ? await operatorForSession(ctx.db, token, ctx.now()) : null;
      if (!who) throw new HttpError(401, 'not-signed-in', 'Please sign in again.');
      if (!who.role || !READERS.includes(who.role)) {
        throw new HttpError(403, 'forbidden', 'Your account cannot do this: ask an administrator.');
      }
      let q = ctx.db.selectFrom('message_jobs').selectAll().orderBy('id', 'desc').limit(req.query.limit);
      if (req.query.filter === 'failing') {
        q = q.where((eb) =>
          eb.or([
            eb('status', '=', 'failed'),
            eb.and([eb('status', 'in', ['pending', 'sending']), eb('attempts', '>', 0)]),
          ]),
        );
      } else if (req.query.filter === 'pending') {
        q = q.where('status', 'in', ['pending', 'sending']);
      }
      // No recipient in the answer: the reason and the booking are enough to act on.
      return (await q.execute()).map((j) => ({
        id: j.id,
        bookingId: j.booking_id,
        kind: j.kind,
        channel: j.channel,
        status: j.status,
        attempts: j.attempts,
        lastError: j.last_error,
        dueAt: j.due_at,
        sentAt: j.sent_at,
      }));
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
