// Endpoints for totems, authenticated with the totem credential ("Authorization: Totem id:secret").
import { kioskAgendaSchema } from '@sportello/protocol';
import type { FastifyRequest } from 'fastify';
import { kioskAgenda } from '../agenda/kiosk-agenda.ts';
import { requireTotem, totemRateKey } from './totem-request.ts';
import type { RouteContext, ZodApp } from './routes-public.ts';

export function registerKioskRoutes(
  r: ZodApp,
  ctx: RouteContext & { totemRequestsPerMinute?: number },
): void {
  // Limited per verified totem, like the route table's totem routes (route-table.ts).
  const rateLimit = {
    max: ctx.totemRequestsPerMinute ?? 120,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => totemRateKey(ctx.totems, req),
  };
  r.get(
    '/api/kiosk/agenda',
    { config: { rateLimit }, schema: { response: { 200: kioskAgendaSchema } } },
    async (req) => {
      const totem = await requireTotem(
        ctx.totems,
        req,
        'This totem is not known or its credential is wrong.',
      );
      return kioskAgenda(ctx.db, totem.siteId, ctx.now());
    },
  );
}
