// The agenda sync endpoints of a totem (see docs/sync-protocol.md): the change feed and snapshot of
// its own site, and its outbox of check-ins and call-back requests. All authenticated with the totem
// credential ("Authorization: Totem id:secret").
import {
  agendaChangesPageSchema,
  agendaChangesQuerySchema,
  agendaSnapshotSchema,
  apiErrorSchema,
  callbackReceiptSchema,
  callbackRequestSchema,
  checkInRequestSchema,
  checkInResponseSchema,
  IDEMPOTENT_REPLAY_HEADER,
  siteParamsSchema,
  SYNC_ROUTES,
} from '@sportello/protocol';
import type { FastifyReply } from 'fastify';
import { checkIn, recordCallback, toCheckInResponse } from '../agenda/kiosk-outbox.ts';
import { agendaChangesPage, agendaSnapshot } from '../agenda/sync-feed.ts';
import type { TotemIdentity } from '../auth/sessions.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';
import type { RouteContext, ZodApp } from './routes-public.ts';

const errors = { 401: apiErrorSchema, 403: apiErrorSchema };

async function requireTotem(ctx: RouteContext, authorization: string | undefined): Promise<TotemIdentity> {
  const totem = await ctx.totems.authenticate(bearer(authorization, 'Totem'));
  if (!totem)
    throw new HttpError(401, 'totem-refused', 'This totem is not known or its credential is wrong.');
  return totem;
}

async function requireSiteTotem(ctx: RouteContext, authorization: string | undefined, site: string) {
  const totem = await requireTotem(ctx, authorization);
  if (totem.siteId !== site) {
    throw new HttpError(
      403,
      'wrong-site',
      `Totem ${totem.id} belongs to site "${totem.siteId}", not "${site}".`,
    );
  }
  return totem;
}

function markReplay(reply: FastifyReply, replayed: boolean): void {
  if (replayed) void reply.header(IDEMPOTENT_REPLAY_HEADER, 'true');
}

export function registerSyncRoutes(r: ZodApp, ctx: RouteContext): void {
  r.get(
    SYNC_ROUTES.changes,
    {
      schema: {
        params: siteParamsSchema,
        querystring: agendaChangesQuerySchema,
        response: { 200: agendaChangesPageSchema, ...errors, 410: apiErrorSchema },
      },
    },
    async (req) => {
      await requireSiteTotem(ctx, req.headers.authorization, req.params.site);
      await ctx.agendaRetention.pruneIfDue();
      return agendaChangesPage(
        ctx.db,
        req.params.site,
        req.query,
        ctx.now(),
        ctx.agendaRetention.retentionHours,
      );
    },
  );
  r.get(
    SYNC_ROUTES.snapshot,
    { schema: { params: siteParamsSchema, response: { 200: agendaSnapshotSchema, ...errors } } },
    async (req) => {
      await requireSiteTotem(ctx, req.headers.authorization, req.params.site);
      return agendaSnapshot(ctx.db, req.params.site, ctx.now());
    },
  );
  r.post(
    SYNC_ROUTES.checkIns,
    {
      schema: {
        body: checkInRequestSchema,
        response: { 200: checkInResponseSchema, 401: apiErrorSchema, 409: apiErrorSchema },
      },
    },
    async (req, reply) => {
      const totem = await requireTotem(ctx, req.headers.authorization);
      const result = await checkIn(ctx.db, totem, req.body, ctx.now(), ctx.checkInWindow);
      if (result.ok && !result.replayed) ctx.onAgendaChanged(result.booking.officeId);
      markReplay(reply, result.replayed);
      return toCheckInResponse(req.body, result);
    },
  );
  r.post(
    SYNC_ROUTES.callbacks,
    {
      schema: {
        body: callbackRequestSchema,
        response: { 200: callbackReceiptSchema, 401: apiErrorSchema, 409: apiErrorSchema },
      },
    },
    async (req, reply) => {
      const totem = await requireTotem(ctx, req.headers.authorization);
      const outcome = await recordCallback(ctx.db, totem, req.body, ctx.now());
      if (!outcome.replayed) ctx.onCallbacksChanged();
      markReplay(reply, outcome.replayed);
      return outcome.response;
    },
  );
}
