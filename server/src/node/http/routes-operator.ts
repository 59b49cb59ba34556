// Operator sign-in (rate-limited hard: it is where passwords are guessed) and the call history
// the console shows.
import { OPERATOR_ROUTES as R } from '@sportello/protocol';
import { completeCallback, listOpenCallbacks } from '../agenda/callbacks.ts';
import { signInOperator } from '../auth/sessions.ts';
import type { RouteRegistrar } from './route-table.ts';
import type { RouteContext } from './routes-public.ts';

export function bearer(header: string | undefined, scheme: string): string | undefined {
  if (!header) return undefined;
  const [s, value] = header.split(' ', 2);
  return s === scheme && value ? value : undefined;
}

export function registerOperatorRoutes(on: RouteRegistrar, ctx: RouteContext): void {
  on(R.signIn, async ({ body }) =>
    signInOperator(ctx.db, body.username, body.password, ctx.operatorSessionHours, ctx.now()),
  );
  on(R.listCalls, async ({ query, who }) => {
    const rows = await ctx.db
      .selectFrom('calls')
      .selectAll()
      .where('operator_id', '=', who.id)
      .orderBy('created_at', 'desc')
      .limit(query.limit)
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
  });
  // The call-back queue: requests citizens left at totems, with the phone number to call.
  on(R.listCallbacks, async ({ query, who }) => listOpenCallbacks(ctx.db, who.id, query.limit));
  on(R.completeCallback, async ({ params, who }) => {
    const done = await completeCallback(ctx.db, who.id, params.id, ctx.now());
    ctx.onCallbacksChanged();
    return done;
  });
}
