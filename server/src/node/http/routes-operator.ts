// Operator sign-in (rate-limited hard: it is where passwords are guessed) and the call history
// the console shows.
import {
  apiErrorSchema,
  callbackParamsSchema,
  callRecordSchema,
  operatorCallbackSchema,
  operatorSessionSchema,
  operatorSignInSchema,
} from '@sportello/protocol';
import { z } from 'zod';
import { completeCallback, listOpenCallbacks } from '../agenda/callbacks.ts';
import { operatorForSession, signInOperator, type OperatorIdentity } from '../auth/sessions.ts';
import { HttpError } from './errors.ts';
import type { RouteContext, ZodApp } from './routes-public.ts';

export function bearer(header: string | undefined, scheme: string): string | undefined {
  if (!header) return undefined;
  const [s, value] = header.split(' ', 2);
  return s === scheme && value ? value : undefined;
}

async function requireOperator(
  ctx: RouteContext,
  authorization: string | undefined,
): Promise<OperatorIdentity> {
  const token = bearer(authorization, 'Bearer');
  const op = token ? await operatorForSession(ctx.db, token, ctx.now()) : null;
  if (!op) throw new HttpError(401, 'not-signed-in', 'Please sign in again.');
  return op;
}

export function registerOperatorRoutes(r: ZodApp, ctx: RouteContext): void {
  r.post(
    '/api/operator/session',
    {
      config: { rateLimit: { max: 10, timeWindow: 60_000 } },
      schema: { body: operatorSignInSchema, response: { 200: operatorSessionSchema } },
    },
    async (req) =>
      signInOperator(ctx.db, req.body.username, req.body.password, ctx.operatorSessionHours, ctx.now()),
  );
  r.get(
    '/api/operator/calls',
    {
      schema: {
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.array(callRecordSchema) },
      },
    },
    async (req) => {
      const op = await requireOperator(ctx, req.headers.authorization);
      const rows = await ctx.db
        .selectFrom('calls')
        .selectAll()
        .where('operator_id', '=', op.id)
        .orderBy('created_at', 'desc')
        .limit(req.query.limit)
        .execute();
      return rows.map((c) => ({
        id: c.id,
        kind: c.kind,
        bookingId: c.booking_id,
        totemId: c.totem_id,
        operatorId: c.operator_id,
        createdAt: c.created_at,
        answeredAt: c.answered_at,
        endedAt: c.ended_at,
        durationSeconds: c.duration_seconds,
        endReason: c.end_reason,
      }));
    },
  );
  // The call-back queue: requests citizens left at totems, with the phone number to call.
  r.get(
    '/api/operator/callbacks',
    {
      schema: {
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
        response: { 200: z.array(operatorCallbackSchema), 401: apiErrorSchema },
      },
    },
    async (req) => {
      const op = await requireOperator(ctx, req.headers.authorization);
      return listOpenCallbacks(ctx.db, op.id, req.query.limit);
    },
  );
  r.post(
    '/api/operator/callbacks/:id/done',
    {
      schema: {
        params: callbackParamsSchema,
        response: { 200: operatorCallbackSchema, 401: apiErrorSchema, 404: apiErrorSchema },
      },
    },
    async (req) => {
      const op = await requireOperator(ctx, req.headers.authorization);
      const done = await completeCallback(ctx.db, op.id, req.params.id, ctx.now());
      ctx.onCallbacksChanged();
      return done;
    },
  );
}
