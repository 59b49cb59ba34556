// The HTTP route table: every route written once — method, path, schemas, who may call it. The
// server registers its handlers from these entries (server/src/node/http/route-table.ts), the
// pages call them through one client (app/shared/browser/api-client.ts), and the OpenAPI document
// is generated from the same schemas. A path appears nowhere else. The tables themselves are in
// http-routes-admin.ts (administration), http-routes-fleet.ts (fleet, operator console, totems)
// and http-routes-public.ts (booking, the citizen's links, the join page, the kiosk agenda).
import type { z } from 'zod';

/**
 * Who may call a route. `account`: any signed-in account (operator console); `supervisor`:
 * supervisors and administrators (reading); `administrator`: administrators only (changing).
 * Accounts sign in with POST /api/operator/session and send "Authorization: Bearer <token>".
 * `totem`: an enrolled or demo totem, "Authorization: Totem <token or id:secret>".
 */
export type RouteAccess = 'public' | 'account' | 'supervisor' | 'administrator' | 'totem';

export interface HttpRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify syntax: `/api/admin/offices/:id`. */
  path: string;
  summary: string;
  access: RouteAccess;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** The success status; 200 unless given. */
  status?: 200 | 201 | 202;
  /** Answers other than the standard error (e.g. the 409 that lists schedule conflicts). */
  errors?: Record<number, z.ZodType>;
  /**
   * A limit other than the server's default: per client address, or per totem credential (totems
   * of one municipality often share one public address, and must not starve each other).
   */
  rateLimit?: { max: number; timeWindowMs: number; per?: 'address' | 'credential' };
  /** A larger body than the API's usual 64 KiB (screenshots, log bundles). */
  bodyLimitBytes?: number;
}

/** Declares a route entry, keeping its literal types (for typed handlers and calls). */
export const route = <const R extends HttpRoute>(r: R): R => r;

/* Typing and paths, for the clients -------------------------------------------------------------- */

type Part<R extends HttpRoute, K extends 'params' | 'query' | 'body'> = R[K] extends z.ZodType
  ? { [P in K]: z.input<R[K]> }
  : { [P in K]?: undefined };
/** What a caller passes: `{ params, query, body }`, each present when the route has it. */
export type RouteInput<R extends HttpRoute> = Part<R, 'params'> & Part<R, 'query'> & Part<R, 'body'>;
export type RouteOutput<R extends HttpRoute> = z.output<R['response']>;

/** The path of a route with its parameters filled in (each one URI-encoded). */
export function routePath(route: HttpRoute, params?: Record<string, unknown>): string {
  return route.path.replace(/:([A-Za-z0-9_]+)/g, (_m, key: string) => {
    const value = params?.[key];
    if (value === undefined || value === null) throw new Error(`${route.path}: missing parameter ${key}`);
    return encodeURIComponent(String(value));
  });
}

/** The query string of a call ('' when there is none); undefined values are left out. */
export function routeQuery(query?: Record<string, unknown>): string {
  if (!query) return '';
  const pairs = Object.entries(query).filter(([, v]) => v !== undefined && v !== null);
  if (pairs.length === 0) return '';
  return `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}`;
}
