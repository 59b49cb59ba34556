// Endpoints for totems, authenticated with the totem credential ("Authorization: Totem id:secret").
import { kioskAgendaSchema } from '@sportello/protocol';
import { kioskAgenda } from '../agenda/kiosk-agenda.ts';
import { requireTotem } from './totem-request.ts';
import type { RouteContext, ZodApp } from './routes-public.ts';

export function registerKioskRoutes(r: ZodApp, ctx: RouteContext): void {
  r.get('/api/kiosk/agenda', { schema: { response: { 200: kioskAgendaSchema } } }, async (req) => {
    const totem = await requireTotem(ctx.totems, req, 'This totem is not known or its credential is wrong.');
    return kioskAgenda(ctx.db, totem.siteId, ctx.now());
  });
}
