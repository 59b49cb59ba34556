// Endpoints a totem calls for its identity and its place in the fleet, registered from the route
// table (TOTEM_ROUTES): enrollment with a single-use token, signed requests for short-lived bearer
// tokens, heartbeats, the results of remote actions, and self-test reports. Everything but
// enrollment and the token request needs "Authorization: Totem <token>"; the periodic calls are
// limited per credential, not per address (totems often share one public address).
import { TOTEM_ROUTES as R } from '@sportello/protocol';
import type { FleetService } from '../fleet/fleet-service.ts';
import type { RouteRegistrar } from './route-table.ts';
import type { RouteContext } from './routes-public.ts';

export type FleetRouteContext = RouteContext & { fleet: FleetService };

export function registerTotemRoutes(on: RouteRegistrar, ctx: FleetRouteContext): void {
  on(R.enroll, async ({ body, req }) => ctx.fleet.enrollment.enroll(body, req.ip));
  on(R.token, async ({ body, req }) => ctx.fleet.tokens.issue(body, req.ip));
  on(R.configuration, async ({ who }) => ctx.fleet.enrollment.siteConfiguration(who.id));
  on(R.heartbeat, async ({ body, who }) => ctx.fleet.heartbeat(who, body));
  on(R.actionResult, async ({ params, body, who }) => ctx.fleet.actions.complete(who.id, params.id, body));
  on(R.selfTest, async ({ body, who }) => ctx.fleet.selfTests.record(who.id, body));
}
