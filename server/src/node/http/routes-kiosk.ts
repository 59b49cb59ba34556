// Endpoints for totems, authenticated with the totem credential ("Authorization: Totem id:secret"),
// registered from the route table (KIOSK_ROUTES).
import { KIOSK_ROUTES } from '@sportello/protocol';
import { kioskAgenda } from '../agenda/kiosk-agenda.ts';
import type { RouteRegistrar } from './route-table.ts';
import type { RouteContext } from './routes-public.ts';

export function registerKioskRoutes(on: RouteRegistrar, ctx: RouteContext): void {
  on(KIOSK_ROUTES.agenda, async ({ who }) => kioskAgenda(ctx.db, who.siteId, ctx.now()));
}
