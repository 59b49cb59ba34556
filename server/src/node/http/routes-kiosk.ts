// Endpoints for totems, authenticated with the totem credential ("Authorization: Totem id:secret").
import { kioskAgendaSchema } from '@sportello/protocol';
import { kioskAgenda } from '../agenda/kiosk-agenda.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';
import type { RouteContext, ZodApp } from './routes-public.ts';

export function registerKioskRoutes(r: ZodApp, ctx: RouteContext): void {
  r.get('/api/kiosk/agenda', { schema: { response: { 200: kioskAgendaSchema } } }, async (req) => {
    const totem = await ctx.totems.authenticate(bearer(req.headers.authorization, 'Totem'));
    if (!totem)
      throw new HttpError(401, 'totem-refused', 'This totem is not known or its credential is wrong.');
    return kioskAgenda(ctx.db, totem.siteId, ctx.now());
  });
}
