// Registers a handler for an entry of the protocol's route table (protocol/src/common/
// http-routes.ts): Fastify validates params, query and body with the entry's zod schemas, checks
// who may call it, serialises the answer with the response schema, and the OpenAPI document
// (GET /api/openapi.json) is generated from the same schemas. A handler gets parsed input and the
// signed-in account, and returns the answer; errors are thrown (HttpError and its kinds).
import {
  apiErrorSchema,
  type AccountRole,
  type HttpRoute,
  type RouteAccess,
  type RouteOutput,
} from '@sportello/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { operatorForSession, type OperatorIdentity } from '../auth/sessions.ts';
import type { TotemAuthenticator, TotemIdentity } from '../auth/totem-auth.ts';
import type { AuditLog } from '../fleet/audit.ts';
import type { Db } from '../db/open.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';
import { requireTotem, totemRateKey } from './totem-request.ts';
import type { ZodApp } from './routes-public.ts';

/** The signed-in account calling a route, with the name the audit log shows. */
export type Account = OperatorIdentity & { name: string };

type Parsed<R extends HttpRoute, K extends 'params' | 'query' | 'body'> = R[K] extends z.ZodType
  ? z.output<R[K]>
  : undefined;

export interface RouteCall<R extends HttpRoute> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  body: Parsed<R, 'body'>;
  who: R['access'] extends 'public' ? undefined : R['access'] extends 'totem' ? TotemIdentity : Account;
  req: FastifyRequest;
  reply: FastifyReply;
}

export type RouteHandler<R extends HttpRoute> = (call: RouteCall<R>) => Promise<RouteOutput<R>>;

const ROLES: Record<Exclude<RouteAccess, 'public' | 'account' | 'totem'>, AccountRole[]> = {
  supervisor: ['administrator', 'supervisor'],
  administrator: ['administrator'],
};

export interface AccessContext {
  db: Db;
  now: () => Date;
  totems: TotemAuthenticator;
  /** Refused accesses are recorded here. */
  audit: AuditLog;
  /** Requests per minute of one verified totem on totem routes without a limit of their own. Default 120. */
  totemRequestsPerMinute?: number;
}

/** The signed-in account if its role may use a route of this access; else 401, or 403 (audited). */
export async function authorize(
  ctx: AccessContext,
  req: FastifyRequest,
  access: RouteAccess,
): Promise<Account | TotemIdentity | undefined> {
  if (access === 'public') return undefined;
  if (access === 'totem') return requireTotem(ctx.totems, req);
  const token = bearer(req.headers.authorization, 'Bearer');
  const who = token ? await operatorForSession(ctx.db, token, ctx.now()) : null;
  if (!who) throw new HttpError(401, 'not-signed-in', 'Please sign in again.');
  const account = { ...who, name: who.username ?? who.id };
  if (access === 'account') return account;
  if (!who.role || !ROLES[access].includes(who.role)) {
    await ctx.audit.record({
      actor: account.name,
      action: 'admin-access-denied',
      target: `${req.method} ${req.routeOptions.url ?? req.url}`,
      result: 'refused',
      detail: `role ${who.role ?? 'none'}`,
    });
    throw new HttpError(403, 'forbidden', 'Your account cannot do this: ask an administrator.');
  }
  return account;
}

/** The first path segment after /api/ tags the route in the OpenAPI document (admin, operator…). */
function tagOf(path: string): string {
  return path.split('/')[2] ?? 'api';
}

/**
 * A route's limit. Per 'credential' means per verified totem (an unverified caller counts against
 * its address): never per Authorization header, which the caller chooses. Totem routes without a
 * limit of their own get the per-totem default, so totems behind one address do not share one.
 */
function rateLimitOf(route: HttpRoute, ctx: AccessContext, override?: HttpRoute['rateLimit']) {
  const limit =
    override ??
    route.rateLimit ??
    (route.access === 'totem'
      ? { max: ctx.totemRequestsPerMinute ?? 120, timeWindowMs: 60_000, per: 'credential' as const }
      : undefined);
  if (!limit) return undefined;
  return {
    max: limit.max,
    timeWindow: limit.timeWindowMs,
    ...(limit.per === 'credential'
      ? { keyGenerator: (req: FastifyRequest) => totemRateKey(ctx.totems, req) }
      : {}),
  };
}

/** What the server's configuration sets over a route's entry (a limit the operator tunes). */
export interface RouteOverrides {
  rateLimit?: NonNullable<HttpRoute['rateLimit']>;
}

export type RouteRegistrar = <R extends HttpRoute>(
  route: R,
  handler: RouteHandler<R>,
  overrides?: RouteOverrides,
) => void;

export function routeRegistrar(app: ZodApp, ctx: AccessContext): RouteRegistrar {
  return (route, handler, overrides) => {
    const response: Record<number, z.ZodType> = {
      [route.status ?? 200]: route.response,
      400: apiErrorSchema,
      404: apiErrorSchema,
      409: apiErrorSchema,
    };
    if (route.access !== 'public') Object.assign(response, { 401: apiErrorSchema, 403: apiErrorSchema });
    const rateLimit = rateLimitOf(route, ctx, overrides?.rateLimit);
    if (rateLimit) response[429] = apiErrorSchema;
    Object.assign(response, route.errors);
    app.route({
      method: route.method,
      url: route.path,
      ...(rateLimit ? { config: { rateLimit } } : {}),
      ...(route.bodyLimitBytes ? { bodyLimit: route.bodyLimitBytes } : {}),
      schema: {
        summary: route.summary,
        tags: [tagOf(route.path)],
        ...(route.access === 'public'
          ? {}
          : { security: [route.access === 'totem' ? { totem: [] } : { bearer: [] }] }),
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { querystring: route.query } : {}),
        ...(route.body ? { body: route.body } : {}),
        response,
      },
      handler: async (req, reply) => {
        const who = await authorize(ctx, req, route.access);
        const out = await handler({
          params: req.params,
          query: req.query,
          body: req.body,
          who,
          req,
          reply,
        } as unknown as RouteCall<typeof route>);
        return reply.status(route.status ?? 200).send(out);
      },
    });
  };
}
