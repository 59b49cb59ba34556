// The citizen's own links: the confirmation page's manage token, the signed cancel/reschedule
// links of the messages, the verification code of the abuse limits; registered from the route table
// (PUBLIC_ROUTES). Every token travels in a POST body, never in a path or query, so the request log
// (which records URLs) never holds one.
import { PUBLIC_ROUTES as R } from '@sportello/protocol';
import { cancelBooking, readBooking } from '../agenda/bookings.ts';
import { cancelByLink, readLink, rescheduleByLink, verifyBooking } from '../agenda/booking-links.ts';
import type { RouteRegistrar } from './route-table.ts';
import { bookingEffects, type RouteContext } from './routes-public.ts';

export function registerCitizenRoutes(on: RouteRegistrar, ctx: RouteContext): void {
  on(R.readBooking, async ({ body }) => readBooking(ctx.db, body.token));
  on(R.cancelBooking, async ({ body, req }) => {
    const view = await cancelBooking(ctx.db, body.token, ctx.now(), bookingEffects(ctx, req.ip));
    ctx.citizen.kick();
    await notifyOffice(ctx, view.bookingId);
    return view;
  });
  on(R.verifyBooking, async ({ body, req }) => {
    await verifyBooking(ctx.db, body.token, body.code, ctx.now(), bookingEffects(ctx, req.ip));
    ctx.citizen.kick();
    return readBooking(ctx.db, body.token);
  });
  on(R.readJoin, async ({ body }) => ctx.citizen.homeGuests.view(body.token));
  on(R.readLink, async ({ body }) => readLink(ctx.db, ctx.citizen.signer, body.token, ctx.now()));
  on(R.cancelByLink, async ({ body, req }) => {
    const done = await cancelByLink(
      ctx.db,
      ctx.citizen.signer,
      body.token,
      ctx.now(),
      bookingEffects(ctx, req.ip),
    );
    ctx.citizen.kick();
    ctx.onAgendaChanged(done.officeId);
    return done.view;
  });
  on(R.rescheduleByLink, async ({ body, req }) => {
    const done = await rescheduleByLink(
      ctx.db,
      ctx.citizen.signer,
      body.token,
      body.slotStart,
      ctx.timeZone,
      ctx.now(),
      bookingEffects(ctx, req.ip),
    );
    ctx.citizen.kick();
    for (const office of new Set(done.officeIds)) ctx.onAgendaChanged(office);
    return done.view;
  });
}

async function notifyOffice(ctx: RouteContext, bookingId: string): Promise<void> {
  const row = await ctx.db
    .selectFrom('bookings')
    .select('office_id')
    .where('id', '=', bookingId)
    .executeTakeFirst();
  if (row) ctx.onAgendaChanged(row.office_id);
}
