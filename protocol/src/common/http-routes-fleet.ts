// The fleet's, the operator console's and the totems' routes: the fleet view and its actions, sign-in
// and the console's lists, the totem's agenda sync, enrollment, tokens, heartbeats and reports.
import { z } from 'zod';
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
import { route } from './http-routes.ts';
import { messageJobSchema, messageJobsQuerySchema } from './messages.ts';

const totemParams = z.object({ id: z.string().min(1).max(64) });

export const FLEET_ROUTES = {
  listMessages: route({
    method: 'GET',
    path: '/api/admin/messages',
    summary: 'Messages to citizens that fail, are retried or wait (no recipient in the answer)',
    access: 'supervisor',
    query: messageJobsQuerySchema,
    response: z.array(messageJobSchema),
  }),
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
