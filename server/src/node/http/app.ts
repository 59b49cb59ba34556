// The HTTP side: Fastify with zod schemas from protocol/ for validation and the OpenAPI document,
// a rate limit on every endpoint, errors that speak to the person who sees them.
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { OPENAPI_PATH } from '@sportello/protocol';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';
import { ConflictError, FieldError, HttpError } from './errors.ts';
import { DOMAIN_HTTP_STATUS, DomainError } from '../domain-error.ts';
import { registerPublicRoutes } from './routes-public.ts';
import { registerOperatorRoutes } from './routes-operator.ts';
import { registerKioskRoutes } from './routes-kiosk.ts';
import { registerSyncRoutes } from './routes-sync.ts';
import { registerTotemRoutes } from './routes-totem.ts';
import { registerAdminRoutes } from './routes-admin.ts';
import { registerCitizenRoutes } from './routes-citizen.ts';
import { registerAdministrationRoutes, type AdminRouteContext } from './routes-administration.ts';
import { routeRegistrar } from './route-table.ts';
import type { TrustFn } from './client-address.ts';

export async function buildHttpApp(
  ctx: AdminRouteContext & {
    log: Logger;
    rateLimitPerMinute: number;
    pagesDir: string | undefined;
    /** Which proxies to believe about the client address (config `trustProxy`); default none. */
    trust?: TrustFn;
    /** Per verified totem, on totem routes without a limit of their own. */
    totemRequestsPerMinute?: number;
  },
): Promise<FastifyInstance> {
  const app = Fastify({
    // The request log keeps method and URL, never the client's address: an IP address is
    // personal data, and no log line may hold any (M-4). Tokens travel in POST bodies, not URLs.
    loggerInstance: ctx.log.child(
      { component: 'http' },
      { serializers: { req: (req: FastifyRequest) => ({ method: req.method, url: req.url }) } },
    ) as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // req.ip, and with it every per-address limit, is the proxy's X-Forwarded-For client only when
    // the connection comes from a proxy the configuration trusts.
    ...(ctx.trust ? { trustProxy: ctx.trust } : {}),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if ((error as unknown) instanceof DomainError) {
      const d = error as unknown as DomainError;
      const statusCode = DOMAIN_HTTP_STATUS[d.code];
      return reply
        .status(statusCode)
        .send({ statusCode, error: 'DomainError', code: d.code, message: d.message });
    }
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send({
        statusCode: error.statusCode,
        error: error.name,
        code: error.code,
        message: error.message,
        ...error.extra,
        ...(error instanceof FieldError ? { fields: [{ field: error.field, message: error.reason }] } : {}),
        ...(error instanceof ConflictError ? { conflicts: error.conflicts } : {}),
      });
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      // Each refused field by its dotted path (`entries.0.end`), so a form can show the message
      // beside the field and the sentence names it too.
      const fields = error.validation.map((v) => ({
        field: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'request',
        message: v.message ?? 'is not valid',
      }));
      const details = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
      return reply
        .status(400)
        .send({ statusCode: 400, error: 'Bad Request', code: 'invalid-request', message: details, fields });
    }
    const status = typeof error.statusCode === 'number' && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send({
      statusCode: status,
      error: status === 500 ? 'Internal Server Error' : (error.name ?? 'Error'),
      code: status === 429 ? 'rate-limited' : status === 500 ? 'internal' : (error.code ?? 'bad-request'),
      message:
        status === 500 ? 'Something went wrong on our side: please try again in a moment.' : error.message,
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ statusCode: 404, error: 'Not Found', code: 'not-found', message: `Nothing at ${request.url}` }),
  );

  await app.register(cors, { origin: true });
  await app.register(rateLimit, { max: ctx.rateLimitPerMinute, timeWindow: 60_000 });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Sportello API',
        version: '0.1.0',
        description: 'Virtual public counter: agenda, booking, calls, fleet, administration.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An account session token' },
          totem: {
            type: 'apiKey',
            in: 'header',
            name: 'Authorization',
            description: '"Totem <bearer token>" (enrolled totems) or "Totem <id>:<secret>" (demo totems)',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  const api = app.withTypeProvider<ZodTypeProvider>();
  const on = routeRegistrar(api, {
    db: ctx.db,
    now: ctx.now,
    audit: ctx.fleet.audit,
    totems: ctx.totems,
    ...(ctx.totemRequestsPerMinute ? { totemRequestsPerMinute: ctx.totemRequestsPerMinute } : {}),
  });
  registerPublicRoutes(on, ctx);
  registerKioskRoutes(on, ctx);
  registerSyncRoutes(on, ctx);
  registerTotemRoutes(on, ctx);
  registerOperatorRoutes(on, ctx);
  registerAdminRoutes(on, ctx);
  registerAdministrationRoutes(on, ctx);
  registerCitizenRoutes(on, ctx);
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());

  if (ctx.pagesDir && existsSync(ctx.pagesDir)) {
    await app.register(fastifyStatic, { root: ctx.pagesDir, prefix: '/', index: ['index.html'] });
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/booking/'));
  } else if (ctx.pagesDir) {
    ctx.log.warn(
      { pagesDir: ctx.pagesDir },
      'built pages not found: run `npm run build` to serve the console',
    );
  }
  return app;
}

export function defaultPagesDir(repoRoot: string): string {
  return join(repoRoot, 'app', 'dist');
}
