// Public endpoints, registered from the route table (PUBLIC_ROUTES): health, offices, services,
// free slots, bookings.
import { PUBLIC_ROUTES as R, type Municipality } from '@sportello/protocol';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../db/open.ts';
import { addDays } from '../agenda/time-zone.ts';
import {
  createBooking,
  freeSlots,
  listOffices,
  listServices,
  type BookingEffects,
} from '../agenda/bookings.ts';
import type { AbuseLimits } from '../agenda/abuse-limits.ts';
import type { LinkSigner } from '../messages/links.ts';
import type { HomeGuests } from '../calls/home-guests.ts';
import type { MessagePlan } from '../messages/jobs.ts';
import type { AgendaRetention } from '../agenda/retention.ts';
import type { TotemAuthenticator } from '../auth/sessions.ts';
import type { CallRouter } from '../calls/call-router.ts';
import type { RouteRegistrar } from './route-table.ts';

export interface RouteContext {
  db: Db;
  timeZone: string;
  now: () => Date;
  version: string;
  startedAt: number;
  mediaWorkers: () => number;
  operatorSessionHours: number;
  totems: TotemAuthenticator;
  router: () => CallRouter;
  /** Tells the totems of every site of this office that its agenda changed (socket push). */
  onAgendaChanged: (officeId: string) => void;
  /** A call-back was recorded or done: the consoles' live queues are pushed again. */
  onCallbacksChanged: () => void;
  /** Prunes the change feed; the feed endpoint asks it to catch up before reading. */
  agendaRetention: AgendaRetention;
  /** Who runs the service (configuration `municipality`), for the citizen's pages. */
  municipality?: Municipality;
  /** Minutes around the slot start a check-in is accepted. */
  checkInWindow: { earlyMinutes: number; lateMinutes: number };
  /** Messages to citizens: what is sent, the limits, the link signer and the delivery loop. */
  citizen: {
    plan: MessagePlan;
    limits: AbuseLimits;
    signer: LinkSigner;
    /** The join links of video appointments from home. */
    homeGuests: HomeGuests;
    /** Nudges the delivery loop after a commit; never waits for a gateway. */
    kick: () => void;
  };
}

/** The effects of a booking write made by a request (its client address counts for the limits). */
export function bookingEffects(ctx: RouteContext, clientAddress: string): BookingEffects {
  return {
    messages: ctx.citizen.plan,
    limits: ctx.citizen.limits,
    addressHash: ctx.citizen.signer.addressHash(clientAddress),
    verificationCode: (id) => ctx.citizen.signer.verificationCode(id),
  };
}

export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export function registerPublicRoutes(on: RouteRegistrar, ctx: RouteContext): void {
  on(R.health, async () => ({
    status: ctx.mediaWorkers() > 0 ? ('ok' as const) : ('degraded' as const),
    version: ctx.version,
    uptimeSeconds: Math.round((Date.now() - ctx.startedAt) / 1000),
    mediaWorkers: ctx.mediaWorkers(),
  }));
  on(R.municipality, async () => ({
    name: ctx.municipality?.name ?? 'Comune',
    email: ctx.municipality?.email ?? '',
    ...(ctx.municipality?.accessibilityStatementUrl
      ? { accessibilityStatementUrl: ctx.municipality.accessibilityStatementUrl }
      : {}),
  }));
  on(R.offices, async () => listOffices(ctx.db));
  on(R.services, async ({ params }) => listServices(ctx.db, params.officeId));
  on(R.slots, async ({ params, query }) =>
    freeSlots(ctx.db, params.serviceId, query.date, ctx.timeZone, ctx.now()),
  );
  on(R.slotDays, async ({ params, query }) => {
    const days = [];
    for (let i = 0; i < query.days; i++) {
      const date = addDays(query.from, i);
      days.push({ date, slots: await freeSlots(ctx.db, params.serviceId, date, ctx.timeZone, ctx.now()) });
    }
    return days;
  });
  on(
    R.book,
    async ({ body, req }) => {
      const created = await createBooking(ctx.db, body, ctx.timeZone, ctx.now(), {
        effects: bookingEffects(ctx, req.ip),
      });
      ctx.citizen.kick();
      const service = await ctx.db
        .selectFrom('services')
        .select('office_id')
        .where('id', '=', body.serviceId)
        .executeTakeFirst();
      if (service) ctx.onAgendaChanged(service.office_id);
      return created;
    },
    { rateLimit: { max: ctx.citizen.limits.bookingRequestsPerMinute, timeWindowMs: 60_000 } },
  );
}
