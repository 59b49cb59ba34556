// Administrative endpoints: the fleet view, enrollment tokens, revocation, remote actions and the
// audit log. Supervisors read; administrators also act; operators get 403 (and the attempt is
// audited). Signed in with the same session as the operator console ("Authorization: Bearer").
import {
  apiErrorSchema,
  auditEntrySchema,
  auditQuerySchema,
  createEnrollmentSchema,
  enrollmentTokenSchema,
  fleetSiteSchema,
  fleetTotemDetailSchema,
  fleetTotemSchema,
  remoteActionSchema,
  requestActionSchema,
  revokeSchema,
  type AccountRole,
} from '@sportello/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { operatorForSession, type OperatorIdentity } from '../auth/sessions.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';
import type { FleetRouteContext } from './routes-totem.ts';
import type { ZodApp } from './routes-public.ts';

const READERS: AccountRole[] = ['administrator', 'supervisor'];
const ACTORS: AccountRole[] = ['administrator'];

const totemParams = z.object({ id: z.string().min(1).max(64) });
const errors = {
  401: apiErrorSchema,
  403: apiErrorSchema,
  404: apiErrorSchema,
  409: apiErrorSchema,
};

export function registerAdminRoutes(r: ZodApp, ctx: FleetRouteContext): void {
  /** The signed-in account, if its role is allowed; otherwise 401 or 403 (audited). */
  async function account(
    req: FastifyRequest,
    allowed: AccountRole[],
  ): Promise<OperatorIdentity & { name: string }> {
    const token = bearer(req.headers.authorization, 'Bearer');
    const who = token ? await operatorForSession(ctx.db, token, ctx.now()) : null;
    if (!who) throw new HttpError(401, 'not-signed-in', 'Please sign in again.');
    const name = who.username ?? who.id;
    if (!who.role || !allowed.includes(who.role)) {
      await ctx.fleet.audit.record({
        actor: name,
        action: 'admin-access-denied',
        target: `${req.method} ${req.routeOptions.url ?? req.url}`,
        result: 'refused',
        detail: `role ${who.role ?? 'none'}`,
      });
      throw new HttpError(403, 'forbidden', 'Your account cannot do this: ask an administrator.');
    }
    return { ...who, name };
  }

  r.get(
    '/api/admin/sites',
    { schema: { response: { 200: z.array(fleetSiteSchema), ...errors } } },
    async (req) => {
      await account(req, READERS);
      return ctx.fleet.sites();
    },
  );
  r.get(
    '/api/admin/totems',
    { schema: { response: { 200: z.array(fleetTotemSchema), ...errors } } },
    async (req) => {
      await account(req, READERS);
      return ctx.fleet.view.list();
    },
  );
  r.get(
    '/api/admin/totems/:id',
    {
      schema: {
        params: totemParams,
        querystring: z.object({ history: z.coerce.number().int().min(1).max(1000).default(50) }),
        response: { 200: fleetTotemDetailSchema, ...errors },
      },
    },
    async (req) => {
      await account(req, READERS);
      return ctx.fleet.detail(req.params.id, req.query.history);
    },
  );
  r.post(
    '/api/admin/totems/:id/revoke',
    { schema: { params: totemParams, body: revokeSchema, response: { 200: fleetTotemSchema, ...errors } } },
    async (req) => {
      const who = await account(req, ACTORS);
      await ctx.fleet.revoke(who.name, req.params.id, req.body.reason);
      return (await ctx.fleet.detail(req.params.id, 1)).totem;
    },
  );
  r.post(
    '/api/admin/totems/:id/actions',
    {
      schema: {
        params: totemParams,
        body: requestActionSchema,
        response: { 202: remoteActionSchema, ...errors },
      },
    },
    async (req, reply) => {
      const who = await account(req, ACTORS);
      return reply.status(202).send(await ctx.fleet.actions.request(who.name, req.params.id, req.body.kind));
    },
  );
  r.get(
    '/api/admin/actions/:id',
    { schema: { params: totemParams, response: { 200: remoteActionSchema, ...errors } } },
    async (req) => {
      await account(req, READERS);
      return ctx.fleet.actions.read(req.params.id);
    },
  );
  r.post(
    '/api/admin/enrollments',
    { schema: { body: createEnrollmentSchema, response: { 201: enrollmentTokenSchema, ...errors } } },
    async (req, reply) => {
      const who = await account(req, ACTORS);
      return reply.status(201).send(await ctx.fleet.enrollment.createToken(who.name, req.body));
    },
  );
  r.get(
    '/api/admin/audit',
    { schema: { querystring: auditQuerySchema, response: { 200: z.array(auditEntrySchema), ...errors } } },
    async (req) => {
      await account(req, READERS);
      return ctx.fleet.audit.list(req.query.limit, req.query.before);
    },
  );
}
