// The agenda sync endpoints of a totem (see docs/sync-protocol.md), registered from the route
// table (SYNC_HTTP_ROUTES): the change feed and snapshot of its own site, and its outbox of
// check-ins and call-back requests. All authenticated with the totem credential
// ("Authorization: Totem …").
import { IDEMPOTENT_REPLAY_HEADER, SYNC_HTTP_ROUTES as R } from '@sportello/protocol';
import type { FastifyReply } from 'fastify';
import { checkIn, recordCallback, toCheckInResponse } from '../agenda/kiosk-outbox.ts';
import { agendaChangesPage, agendaSnapshot } from '../agenda/sync-feed.ts';
import type { TotemIdentity } from '../auth/sessions.ts';
import { HttpError } from './errors.ts';
import type { RouteRegistrar } from './route-table.ts';
import type { RouteContext } from './routes-public.ts';

function markReplay(reply: FastifyReply, replayed: boolean): void {
  if (replayed) void reply.header(IDEMPOTENT_REPLAY_HEADER, 'true');
}

/** A totem reads only its own site's agenda. */
function ownSite(totem: TotemIdentity, site: string): void {
  if (totem.siteId !== site) {
    throw new HttpError(
      403,
      'wrong-site',
      `Totem ${totem.id} belongs to site "${totem.siteId}", not "${site}".`,
    );
  }
}

export function registerSyncRoutes(on: RouteRegistrar, ctx: RouteContext): void {
  on(R.changes, async ({ params, query, who }) => {
    ownSite(who, params.site);
    await ctx.agendaRetention.pruneIfDue();
    return agendaChangesPage(ctx.db, params.site, query, ctx.now(), ctx.agendaRetention.retentionHours);
  });
  on(R.snapshot, async ({ params, who }) => {
    ownSite(who, params.site);
    return agendaSnapshot(ctx.db, params.site, ctx.now());
  });
  on(R.checkIn, async ({ body, who, reply }) => {
    const result = await checkIn(ctx.db, who, body, ctx.now(), ctx.checkInWindow);
    if (result.ok && !result.replayed) ctx.onAgendaChanged(result.booking.officeId);
    markReplay(reply, result.replayed);
    return toCheckInResponse(body, result);
  });
  on(R.callback, async ({ body, who, reply }) => {
    const outcome = await recordCallback(ctx.db, who, body, ctx.now());
    if (!outcome.replayed) ctx.onCallbacksChanged();
    markReplay(reply, outcome.replayed);
    return outcome.response;
  });
}
