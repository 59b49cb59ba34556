// Endpoints a totem calls for its identity and its place in the fleet: enrollment with a single-use
// token, signed requests for short-lived bearer tokens, heartbeats, and the results of remote
// actions, and self-test reports. Everything but enrollment and the token request needs "Authorization: Totem <token>".
import {
  actionResultSchema,
  apiErrorSchema,
  enrollRequestSchema,
  heartbeatAnswerSchema,
  heartbeatSchema,
  remoteActionSchema,
  selfTestRecordSchema,
  selfTestReportSchema,
  siteConfigurationSchema,
  totemTokenRequestSchema,
  totemTokenSchema,
} from '@sportello/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { TotemIdentity } from '../auth/totem-auth.ts';
import type { FleetService } from '../fleet/fleet-service.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';
import type { RouteContext, ZodApp } from './routes-public.ts';

export type FleetRouteContext = RouteContext & { fleet: FleetService };

async function requireTotem(ctx: RouteContext, authorization: string | undefined): Promise<TotemIdentity> {
  const totem = await ctx.totems.authenticate(bearer(authorization, 'Totem'));
  if (!totem) {
    throw new HttpError(
      401,
      'totem-refused',
      'This totem is not known, its token expired, or it was revoked.',
    );
  }
  return totem;
}

/**
 * Totems of one municipality often share one public address (or the reverse proxy's): their
 * periodic calls are limited per credential, not per address, so they do not starve each other.
 */
const perTotem = {
  rateLimit: {
    max: 60,
    timeWindow: 60_000,
    keyGenerator: (req: FastifyRequest) => req.headers.authorization ?? req.ip,
  },
};

const errors = { 400: apiErrorSchema, 401: apiErrorSchema, 403: apiErrorSchema, 409: apiErrorSchema };

export function registerTotemRoutes(r: ZodApp, ctx: FleetRouteContext): void {
  r.post(
    '/api/enroll',
    {
      // Tokens are long random strings; the limit is there to keep the audit log readable.
      config: { rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: {
        body: enrollRequestSchema,
        response: { 200: siteConfigurationSchema, 410: apiErrorSchema, ...errors },
      },
    },
    async (req) => ctx.fleet.enrollment.enroll(req.body, req.ip),
  );
  r.post(
    '/api/totem/token',
    {
      config: { rateLimit: { max: 30, timeWindow: 60_000 } },
      schema: { body: totemTokenRequestSchema, response: { 200: totemTokenSchema, ...errors } },
    },
    async (req) => ctx.fleet.tokens.issue(req.body, req.ip),
  );
  r.get(
    '/api/totem/configuration',
    { schema: { response: { 200: siteConfigurationSchema, 401: apiErrorSchema } } },
    async (req) => {
      const totem = await requireTotem(ctx, req.headers.authorization);
      return ctx.fleet.enrollment.siteConfiguration(totem.id);
    },
  );
  r.post(
    '/api/totem/heartbeat',
    {
      config: perTotem,
      schema: { body: heartbeatSchema, response: { 200: heartbeatAnswerSchema, ...errors } },
    },
    async (req) => {
      const totem = await requireTotem(ctx, req.headers.authorization);
      return ctx.fleet.heartbeat(totem, req.body);
    },
  );
  r.post(
    '/api/totem/actions/:id/result',
    {
      // Screenshots and log bundles are larger than the API's usual 64 KiB.
      bodyLimit: 4 * 1024 * 1024,
      config: perTotem,
      schema: {
        params: z.object({ id: z.string().min(1).max(64) }),
        body: actionResultSchema,
        response: { 200: remoteActionSchema, 404: apiErrorSchema, ...errors },
      },
    },
    async (req) => {
      const totem = await requireTotem(ctx, req.headers.authorization);
      return ctx.fleet.actions.complete(totem.id, req.params.id, req.body);
    },
  );
  r.post(
    '/api/totem/self-test',
    {
      config: perTotem,
      schema: { body: selfTestReportSchema, response: { 201: selfTestRecordSchema, ...errors } },
    },
    async (req, reply) => {
      const totem = await requireTotem(ctx, req.headers.authorization);
      reply.code(201);
      return ctx.fleet.selfTests.record(totem.id, req.body);
    },
  );
}
