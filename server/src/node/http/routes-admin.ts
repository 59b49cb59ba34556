// Administrative endpoints, registered from the route table (FLEET_ROUTES): the fleet view,
// enrollment tokens, revocation, remote actions and the audit log. Supervisors read;
// administrators also act; operators get 403 (and the attempt is audited). Signed in with the
// same session as the operator console ("Authorization: Bearer").
import { FLEET_ROUTES as R } from '@sportello/protocol';
import { listMessageJobs } from '../messages/jobs.ts';
import type { RouteRegistrar } from './route-table.ts';
import type { FleetRouteContext } from './routes-totem.ts';

export function registerAdminRoutes(on: RouteRegistrar, ctx: FleetRouteContext): void {
  on(R.listMessages, async ({ query }) => listMessageJobs(ctx.db, query));
  on(R.listTotems, async () => ctx.fleet.view.list());
  on(R.readTotem, async ({ params, query }) => ctx.fleet.detail(params.id, query.history));
  on(R.revokeTotem, async ({ params, body, who }) => {
    await ctx.fleet.revoke(who.name, params.id, body.reason);
    return (await ctx.fleet.detail(params.id, 1)).totem;
  });
  on(R.requestAction, async ({ params, body, who }) =>
    ctx.fleet.actions.request(who.name, params.id, body.kind),
  );
  on(R.readAction, async ({ params }) => ctx.fleet.actions.read(params.id));
  on(R.createEnrollment, async ({ body, who }) => ctx.fleet.enrollment.createToken(who.name, body));
  on(R.listAudit, async ({ query }) => ctx.fleet.audit.list(query.limit, query.before));
}
