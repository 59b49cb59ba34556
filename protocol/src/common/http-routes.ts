// The HTTP route table: every route written once — method, path, schemas, who may call it. The
// server registers its handlers from these entries (server/src/node/http/route-table.ts), the
// pages call them through one client (app/shared/browser/api-client.ts), and the OpenAPI document
// is generated from the same schemas. A path appears nowhere else.
//
// Converted so far: administration, fleet, the operator console, totem sync and totem fleet
// calls. Still registered by hand: the public booking routes and the kiosk agenda route
// (routes-public.ts, routes-kiosk.ts).
import { z } from 'zod';
import {
  adminIdParamsSchema,
  adminOfficeSchema,
  adminOperatorSchema,
  adminScheduleSchema,
  adminServiceSchema,
  adminSiteSchema,
  calendarExceptionSchema,
  conflictErrorSchema,
  exceptionIdParamsSchema,
  exceptionInputSchema,
  exceptionSavedSchema,
  exceptionsQuerySchema,
  officeInputSchema,
  officeUpdateSchema,
  operatorInputSchema,
  operatorUpdateSchema,
  passwordResetSchema,
  scheduleInputSchema,
  scheduleSavedSchema,
  serviceInputSchema,
  serviceUpdateSchema,
  siteInputSchema,
  siteUpdateSchema,
} from './admin.ts';
import {
  actionResultSchema,
  auditEntrySchema,
  auditQuerySchema,
  createEnrollmentSchema,
  enrollmentTokenSchema,
  enrollRequestSchema,
  fleetTotemDetailSchema,
  fleetTotemSchema,
  heartbeatAnswerSchema,
  heartbeatSchema,
  remoteActionSchema,
  requestActionSchema,
  revokeSchema,
  selfTestRecordSchema,
  selfTestReportSchema,
  siteConfigurationSchema,
  totemTokenRequestSchema,
  totemTokenSchema,
} from './fleet.ts';
import { apiErrorSchema } from './http-api.ts';
import {
  agendaChangesPageSchema,
  agendaChangesQuerySchema,
  agendaSnapshotSchema,
  callbackParamsSchema,
  callbackReceiptSchema,
  callbackRequestSchema,
  checkInRequestSchema,
  checkInResponseSchema,
  operatorCallbackSchema,
  siteParamsSchema,
  SYNC_ROUTES,
} from './agenda-sync.ts';
import { callRecordSchema, operatorSessionSchema, operatorSignInSchema } from './http-api.ts';

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

const route = <const R extends HttpRoute>(r: R): R => r;
const conflicts = { 409: conflictErrorSchema } as const;

export const ADMIN_ROUTES = {
  listOffices: route({
    method: 'GET',
    path: '/api/admin/offices',
    summary: 'Every office, walk-in or not',
    access: 'supervisor',
    response: z.array(adminOfficeSchema),
  }),
  createOffice: route({
    method: 'POST',
    path: '/api/admin/offices',
    summary: 'Add an office',
    access: 'administrator',
    body: officeInputSchema,
    response: adminOfficeSchema,
    status: 201,
  }),
  updateOffice: route({
    method: 'PUT',
    path: '/api/admin/offices/:id',
    summary: 'Rename an office or change whether it takes walk-in calls',
    access: 'administrator',
    params: adminIdParamsSchema,
    body: officeUpdateSchema,
    response: adminOfficeSchema,
  }),
  listServices: route({
    method: 'GET',
    path: '/api/admin/services',
    summary: 'Every service with its duration, booking questions and channels',
    access: 'supervisor',
    response: z.array(adminServiceSchema),
  }),
  createService: route({
    method: 'POST',
    path: '/api/admin/services',
    summary: 'Add a service to an office',
    access: 'administrator',
    body: serviceInputSchema,
    response: adminServiceSchema,
    status: 201,
  }),
  updateService: route({
    method: 'PUT',
    path: '/api/admin/services/:id',
    summary: 'Change a service',
    access: 'administrator',
    params: adminIdParamsSchema,
    body: serviceUpdateSchema,
    response: adminServiceSchema,
  }),
  readSchedule: route({
    method: 'GET',
    path: '/api/admin/services/:id/schedule',
    summary: "A service's weekly video-slot schedule",
    access: 'supervisor',
    params: adminIdParamsSchema,
    response: adminScheduleSchema,
  }),
  saveSchedule: route({
    method: 'PUT',
    path: '/api/admin/services/:id/schedule',
    summary: "Replace a service's weekly schedule; 409 lists bookings it would leave out",
    access: 'administrator',
    params: adminIdParamsSchema,
    body: scheduleInputSchema,
    response: scheduleSavedSchema,
    errors: conflicts,
  }),
  listExceptions: route({
    method: 'GET',
    path: '/api/admin/exceptions',
    summary: 'Holidays, closed days and changed hours, from a date on',
    access: 'supervisor',
    query: exceptionsQuerySchema,
    response: z.array(calendarExceptionSchema),
  }),
  createException: route({
    method: 'POST',
    path: '/api/admin/exceptions',
    summary: 'Close a day or change its hours; 409 lists bookings it would leave out',
    access: 'administrator',
    body: exceptionInputSchema,
    response: exceptionSavedSchema,
    status: 201,
    errors: conflicts,
  }),
  deleteException: route({
    method: 'DELETE',
    path: '/api/admin/exceptions/:id',
    summary: 'Remove a holiday or exception (its day opens as usual)',
    access: 'administrator',
    params: exceptionIdParamsSchema,
    response: calendarExceptionSchema,
  }),
  listOperators: route({
    method: 'GET',
    path: '/api/admin/operators',
    summary: 'Every account with its role, offices and languages',
    access: 'supervisor',
    response: z.array(adminOperatorSchema),
  }),
  createOperator: route({
    method: 'POST',
    path: '/api/admin/operators',
    summary: 'Add an account with a first password',
    access: 'administrator',
    body: operatorInputSchema,
    response: adminOperatorSchema,
    status: 201,
  }),
  updateOperator: route({
    method: 'PUT',
    path: '/api/admin/operators/:id',
    summary:
      'Change an account; deactivating it ends its sessions and its console at once; 409 lists its booked appointments',
    access: 'administrator',
    params: adminIdParamsSchema,
    body: operatorUpdateSchema,
    response: adminOperatorSchema,
    errors: conflicts,
  }),
  resetPassword: route({
    method: 'POST',
    path: '/api/admin/operators/:id/password',
    summary: "Set a new password (the account's sessions end)",
    access: 'administrator',
    params: adminIdParamsSchema,
    body: passwordResetSchema,
    response: adminOperatorSchema,
  }),
  listSites: route({
    method: 'GET',
    path: '/api/admin/sites',
    summary: 'Every site, the offices its totems serve and how many totems it has',
    access: 'supervisor',
    response: z.array(adminSiteSchema),
  }),
  createSite: route({
    method: 'POST',
    path: '/api/admin/sites',
    summary: 'Add a site',
    access: 'administrator',
    body: siteInputSchema,
    response: adminSiteSchema,
    status: 201,
  }),
  updateSite: route({
    method: 'PUT',
    path: '/api/admin/sites/:id',
    summary: 'Rename a site or change which offices its totems serve',
    access: 'administrator',
    params: adminIdParamsSchema,
    body: siteUpdateSchema,
    response: adminSiteSchema,
  }),
} as const;

const totemParams = z.object({ id: z.string().min(1).max(64) });

export const FLEET_ROUTES = {
  listTotems: route({
    method: 'GET',
    path: '/api/admin/totems',
    summary: 'Every totem with its status',
    access: 'supervisor',
    response: z.array(fleetTotemSchema),
  }),
  readTotem: route({
    method: 'GET',
    path: '/api/admin/totems/:id',
    summary: 'One totem with its heartbeat history and recent actions',
    access: 'supervisor',
    params: totemParams,
    query: z.object({ history: z.coerce.number().int().min(1).max(1000).default(50) }),
    response: fleetTotemDetailSchema,
  }),
  revokeTotem: route({
    method: 'POST',
    path: '/api/admin/totems/:id/revoke',
    summary: 'Revoke a totem (its tokens stop working; it wipes its data)',
    access: 'administrator',
    params: totemParams,
    body: revokeSchema,
    response: fleetTotemSchema,
  }),
  requestAction: route({
    method: 'POST',
    path: '/api/admin/totems/:id/actions',
    summary: 'Send a remote action to a totem',
    access: 'administrator',
    params: totemParams,
    body: requestActionSchema,
    response: remoteActionSchema,
    status: 202,
  }),
  readAction: route({
    method: 'GET',
    path: '/api/admin/actions/:id',
    summary: 'A remote action and its result',
    access: 'supervisor',
    params: totemParams,
    response: remoteActionSchema,
  }),
  createEnrollment: route({
    method: 'POST',
    path: '/api/admin/enrollments',
    summary: 'A single-use enrollment token for a totem slot',
    access: 'administrator',
    body: createEnrollmentSchema,
    response: enrollmentTokenSchema,
    status: 201,
  }),
  listAudit: route({
    method: 'GET',
    path: '/api/admin/audit',
    summary: 'The audit log, newest first',
    access: 'supervisor',
    query: auditQuerySchema,
    response: z.array(auditEntrySchema),
  }),
} as const;

export const OPERATOR_ROUTES = {
  signIn: route({
    method: 'POST',
    path: '/api/operator/session',
    summary: 'Sign in (operators, supervisors, administrators)',
    access: 'public',
    body: operatorSignInSchema,
    response: operatorSessionSchema,
    // Where passwords are guessed.
    rateLimit: { max: 10, timeWindowMs: 60_000 },
  }),
  listCalls: route({
    method: 'GET',
    path: '/api/operator/calls',
    summary: "The signed-in operator's recent calls",
    access: 'account',
    query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    response: z.array(callRecordSchema),
  }),
  listCallbacks: route({
    method: 'GET',
    path: '/api/operator/callbacks',
    summary: 'Open call-back requests for the offices of the signed-in operator',
    access: 'account',
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    response: z.array(operatorCallbackSchema),
  }),
  completeCallback: route({
    method: 'POST',
    path: '/api/operator/callbacks/:id/done',
    summary: 'Mark a call-back request done',
    access: 'account',
    params: callbackParamsSchema,
    response: operatorCallbackSchema,
  }),
} as const;

const perTotem = { max: 60, timeWindowMs: 60_000, per: 'credential' } as const;

/** The totem's agenda sync (docs/sync-protocol.md): paths from SYNC_ROUTES, which the kiosk core uses. */
export const SYNC_HTTP_ROUTES = {
  changes: route({
    method: 'GET',
    path: SYNC_ROUTES.changes,
    summary: "The site's agenda changes after a cursor (410: take the snapshot)",
    access: 'totem',
    params: siteParamsSchema,
    query: agendaChangesQuerySchema,
    response: agendaChangesPageSchema,
    errors: { 410: apiErrorSchema },
  }),
  snapshot: route({
    method: 'GET',
    path: SYNC_ROUTES.snapshot,
    summary: "The site's whole agenda with its cursor and site key",
    access: 'totem',
    params: siteParamsSchema,
    response: agendaSnapshotSchema,
  }),
  checkIn: route({
    method: 'POST',
    path: SYNC_ROUTES.checkIns,
    summary: 'A check-in from the outbox, recorded exactly once per idempotency key',
    access: 'totem',
    body: checkInRequestSchema,
    response: checkInResponseSchema,
  }),
  callback: route({
    method: 'POST',
    path: SYNC_ROUTES.callbacks,
    summary: 'A call-back request from the outbox, recorded once',
    access: 'totem',
    body: callbackRequestSchema,
    response: callbackReceiptSchema,
  }),
} as const;

/** A totem's identity and place in the fleet. */
export const TOTEM_ROUTES = {
  enroll: route({
    method: 'POST',
    path: '/api/enroll',
    summary: "Enroll with a single-use token and the totem's public key",
    access: 'public',
    body: enrollRequestSchema,
    response: siteConfigurationSchema,
    errors: { 410: apiErrorSchema },
    // Tokens are long random strings; the limit is there to keep the audit log readable.
    rateLimit: { max: 30, timeWindowMs: 60_000 },
  }),
  token: route({
    method: 'POST',
    path: '/api/totem/token',
    summary: 'A short-lived bearer token for a signed request',
    access: 'public',
    body: totemTokenRequestSchema,
    response: totemTokenSchema,
    rateLimit: { max: 30, timeWindowMs: 60_000 },
  }),
  configuration: route({
    method: 'GET',
    path: '/api/totem/configuration',
    summary: "The totem's site configuration",
    access: 'totem',
    response: siteConfigurationSchema,
  }),
  heartbeat: route({
    method: 'POST',
    path: '/api/totem/heartbeat',
    summary: 'State, versions, sync age, devices, health; answers pending actions',
    access: 'totem',
    body: heartbeatSchema,
    response: heartbeatAnswerSchema,
    rateLimit: perTotem,
  }),
  actionResult: route({
    method: 'POST',
    path: '/api/totem/actions/:id/result',
    summary: 'The result of a remote action (a screenshot, a log bundle)',
    access: 'totem',
    params: z.object({ id: z.string().min(1).max(64) }),
    body: actionResultSchema,
    response: remoteActionSchema,
    rateLimit: perTotem,
    bodyLimitBytes: 4 * 1024 * 1024,
  }),
  selfTest: route({
    method: 'POST',
    path: '/api/totem/self-test',
    summary: "A self-test report from the technician's CLI",
    access: 'totem',
    body: selfTestReportSchema,
    response: selfTestRecordSchema,
    status: 201,
    rateLimit: perTotem,
  }),
} as const;

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
