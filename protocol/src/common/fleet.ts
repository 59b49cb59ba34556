// Provisioning and fleet contracts: enrollment, totem identity tokens, heartbeats, remote actions,
// the administrators' fleet view and the audit log. Written once; the server validates with these
// schemas and the fleet page, the kiosk core and the provisioning CLI derive their types from them.
import { z } from 'zod';

const id = z.string().min(1).max(64);
const isoDateTime = z.iso.datetime({ offset: true });
/** A bounded map of short names to short strings (versions, device details). */
const smallRecord = <T extends z.ZodType>(value: T) =>
  z.record(z.string().min(1).max(40), value).refine((r) => Object.keys(r).length <= 32, 'at most 32 entries');

/* Accounts ------------------------------------------------------------------------------------ */

/** Who may do what: operators answer calls; supervisors also read the fleet and the audit log;
 * administrators also enroll, revoke and send remote actions. */
export const accountRoleSchema = z.enum(['administrator', 'supervisor', 'operator']);
export type AccountRole = z.infer<typeof accountRoleSchema>;

/* Enrollment ---------------------------------------------------------------------------------- */

export const createEnrollmentSchema = z.strictObject({
  siteId: id,
  /** The totem slot: the name the totem will have (re-using an existing name re-enrolls it). */
  totemName: z.string().trim().min(1).max(100),
  /** Minutes the token stays valid; default from the server configuration (60). */
  validMinutes: z.number().int().min(1).max(1440).optional(),
});
export type CreateEnrollment = z.infer<typeof createEnrollmentSchema>;

export const enrollmentTokenSchema = z.object({
  /** Single-use secret, shown once; the server keeps only its hash. */
  token: z.string(),
  siteId: id,
  totemName: z.string(),
  expiresAt: isoDateTime,
  /** The same token as a URI for a QR code: sportello://enroll?server=…&site=…&slot=…&token=… */
  uri: z.string(),
});
export type EnrollmentToken = z.infer<typeof enrollmentTokenSchema>;

/** An Ed25519 public key: SPKI PEM text or a JWK ({ kty: 'OKP', crv: 'Ed25519', x }). */
export const publicKeyInputSchema = z.union([
  z.string().min(40).max(2000),
  z.looseObject({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(40).max(60) }),
]);

export const enrollRequestSchema = z.strictObject({
  token: z.string().min(20).max(200),
  publicKey: publicKeyInputSchema,
  /** When given, must match the slot the token was made for (guards against a mixed-up token). */
  totemName: z.string().trim().min(1).max(100).optional(),
  /** When given, must match the token's site (the technician's intended site). */
  siteId: id.optional(),
  versions: smallRecord(z.string().max(80)).optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export const turnServerSchema = z.object({
  urls: z.union([z.string(), z.array(z.string())]),
  username: z.string().optional(),
  credential: z.string().optional(),
});
export type TurnServer = z.infer<typeof turnServerSchema>;

export const siteConfigurationSchema = z.object({
  totemId: id,
  totemName: z.string(),
  siteId: id,
  siteName: z.string(),
  /** Base URL of the central server (HTTP API and socket.io). */
  serverUrl: z.string(),
  turnServers: z.array(turnServerSchema),
  languages: z.array(z.string()),
  /** Offices reachable from this totem. */
  offices: z.array(z.object({ id, name: z.string(), walkIn: z.boolean() })),
  /** Seconds between heartbeats. */
  heartbeatSeconds: z.number().int(),
  /** Device settings; empty until device configuration is managed centrally. */
  device: z.record(z.string(), z.unknown()),
});
export type SiteConfiguration = z.infer<typeof siteConfigurationSchema>;

/* Totem identity tokens ------------------------------------------------------------------------ */

/** The string a totem signs with its Ed25519 private key to obtain a bearer token. */
export function totemAssertionText(a: { totemId: string; timestamp: string; nonce: string }): string {
  return `sportello-totem-token\n${a.totemId}\n${a.timestamp}\n${a.nonce}`;
}

export const totemTokenRequestSchema = z.strictObject({
  totemId: id,
  /** ISO-8601 time of signing; refused when more than the allowed skew (5 min) from the server's. */
  timestamp: isoDateTime,
  /** Random, single-use (16–64 base64url characters). */
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'nonce must be 16–64 base64url characters'),
  /** base64url Ed25519 signature of totemAssertionText(). */
  signature: z.string().regex(/^[A-Za-z0-9_-]{80,100}$/, 'signature must be base64url'),
});
export type TotemTokenRequest = z.infer<typeof totemTokenRequestSchema>;

export const totemTokenSchema = z.object({
  /** Use as "Authorization: Totem <token>" and as socket.io auth { credential: <token> }. */
  token: z.string(),
  expiresAt: isoDateTime,
  /** Ask for the next token from this moment on (two thirds of the lifetime). */
  renewAfter: isoDateTime,
});
export type TotemToken = z.infer<typeof totemTokenSchema>;

/* Heartbeats ----------------------------------------------------------------------------------- */

export const totemStateSchema = z.enum(['idle', 'in-call', 'out-of-service']);
export type TotemState = z.infer<typeof totemStateSchema>;

export const deviceStatusSchema = z.object({
  status: z.enum(['ok', 'missing', 'error']),
  detail: z.string().max(200).optional(),
});

/**
 * What a totem reports every heartbeat interval (30 s). Not strict on purpose: a newer totem's
 * extra fields are dropped rather than refused, so a fleet can be upgraded one totem at a time.
 */
export const heartbeatSchema = z.object({
  state: totemStateSchema,
  /** Why the totem is out of service (shown to municipal IT). */
  reason: z.string().max(200).optional(),
  versions: smallRecord(z.string().max(80)).optional(),
  lastSync: z.object({ at: isoDateTime.nullable(), ageSeconds: z.number().nullable() }).optional(),
  devices: smallRecord(deviceStatusSchema).optional(),
  health: z.enum(['ok', 'degraded', 'failing']).optional(),
  /** Totem clock minus server clock, in milliseconds, as the totem measured it. */
  clockOffsetMs: z.number().optional(),
  diskFreeBytes: z.number().min(0).optional(),
  lastError: z
    .object({ at: isoDateTime, message: z.string().max(500) })
    .nullable()
    .optional(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

/* Remote actions ------------------------------------------------------------------------------- */

export const remoteActionKindSchema = z.enum([
  'restart-kiosk',
  'resync-agenda',
  'request-logs',
  'screenshot',
]);
export type RemoteActionKind = z.infer<typeof remoteActionKindSchema>;

/** Sent to one totem (socket event totem:action, and in the heartbeat answer). */
export const remoteActionNoticeSchema = z.object({ id, kind: remoteActionKindSchema });
export type RemoteActionNotice = z.infer<typeof remoteActionNoticeSchema>;

export const heartbeatAnswerSchema = z.object({
  heartbeatSeconds: z.number().int(),
  /** Actions not yet answered; the totem runs each id once. */
  actions: z.array(remoteActionNoticeSchema),
});
export type HeartbeatAnswer = z.infer<typeof heartbeatAnswerSchema>;

export const requestActionSchema = z.strictObject({ kind: remoteActionKindSchema });

export const actionResultSchema = z.strictObject({
  ok: z.boolean(),
  /** A sentence for municipal IT (what happened, or why it could not be done). */
  detail: z.string().max(1000).optional(),
  /** Base64 payload: a PNG screenshot or a compressed log bundle (at most 3 MB of base64). */
  data: z
    .string()
    .max(3 * 1024 * 1024)
    .optional(),
  contentType: z.string().max(100).optional(),
});
export type ActionResult = z.infer<typeof actionResultSchema>;

export const remoteActionSchema = z.object({
  id,
  totemId: id,
  kind: remoteActionKindSchema,
  status: z.enum(['queued', 'sent', 'done', 'failed', 'cancelled']),
  requestedBy: z.string(),
  requestedAt: isoDateTime,
  completedAt: isoDateTime.nullable(),
  detail: z.string().nullable(),
  contentType: z.string().nullable(),
  /** Present only when one action is read by its id. */
  data: z.string().nullable().optional(),
});
export type RemoteAction = z.infer<typeof remoteActionSchema>;

/* Fleet view ------------------------------------------------------------------------------------ */

export const fleetStatusSchema = z.enum([
  'online',
  'in-call',
  'out-of-service',
  'not-seen',
  'never-seen',
  'revoked',
]);
export type FleetStatus = z.infer<typeof fleetStatusSchema>;

export const fleetTotemSchema = z.object({
  id,
  name: z.string(),
  siteId: id,
  siteName: z.string(),
  status: fleetStatusSchema,
  /** Why it is out of service or revoked, as reported or as given by the administrator. */
  statusReason: z.string().nullable(),
  /** A kiosk socket of this totem is connected now. */
  connected: z.boolean(),
  lastSeenAt: isoDateTime.nullable(),
  enrolledAt: isoDateTime.nullable(),
  /** How it proves its identity: an enrolled key, a demo secret, or nothing (revoked). */
  credential: z.enum(['key', 'secret', 'none']),
  /** SHA-256 fingerprint of the enrolled public key. */
  keyFingerprint: z.string().nullable(),
  /** Last time a second connection with this identity was refused. */
  cloneSuspectedAt: isoDateTime.nullable(),
  heartbeat: heartbeatSchema.nullable(),
  pendingActions: z.number().int(),
});
export type FleetTotem = z.infer<typeof fleetTotemSchema>;

export const heartbeatRecordSchema = z.object({ receivedAt: isoDateTime, heartbeat: heartbeatSchema });
export const fleetTotemDetailSchema = z.object({
  totem: fleetTotemSchema,
  history: z.array(heartbeatRecordSchema),
  actions: z.array(remoteActionSchema),
  /** The latest report of `provisioning self-test` on this totem, if any. */
  lastSelfTest: z.lazy(() => selfTestRecordSchema.nullable()).optional(),
});
export type FleetTotemDetail = z.infer<typeof fleetTotemDetailSchema>;

export const revokeSchema = z.strictObject({ reason: z.string().trim().min(1).max(200).optional() });

/* Audit --------------------------------------------------------------------------------------- */

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: isoDateTime,
  /** Username, "totem:<id>", or "anonymous@<address>". */
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  result: z.enum(['ok', 'refused', 'failed']),
  detail: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Entries with a smaller id (for paging back). */
  before: z.coerce.number().int().optional(),
});

/* Totem data directory ------------------------------------------------------------------------- */

/**
 * The files an enrolled totem keeps in its data directory, written by `provisioning enroll` and read
 * by the kiosk core. The private key and the site configuration are mode 0600; revocation (P-3)
 * deletes all three.
 */
export const TOTEM_FILES = {
  /** The totem's Ed25519 private key, PKCS#8 PEM. Never leaves the totem. */
  privateKey: 'totem-key.pem',
  /** Who the totem is: totemIdentityFileSchema. */
  identity: 'totem-identity.json',
  /** The site configuration received at enrollment (siteConfigurationSchema). */
  configuration: 'site-configuration.json',
} as const;

export const totemIdentityFileSchema = z.object({
  totemId: id,
  totemName: z.string(),
  siteId: id,
  serverUrl: z.string(),
  enrolledAt: isoDateTime,
  /** SHA-256 of the public key (hex), as the fleet page shows it. */
  keyFingerprint: z.string(),
});
export type TotemIdentityFile = z.infer<typeof totemIdentityFileSchema>;

/* Self-test ------------------------------------------------------------------------------------ */

export const selfTestCheckSchema = z.object({
  /** Stable name: handset, keypad, camera, microphone, speaker, printer, clock, server, signaling, turn, disk. */
  name: z.string().min(1).max(60),
  status: z.enum(['pass', 'fail', 'warn', 'skipped']),
  /** What was seen, for the technician and municipal IT. */
  detail: z.string().max(500),
  /** What to do about a failure or a warning. */
  fix: z.string().max(500).optional(),
});
export type SelfTestCheck = z.infer<typeof selfTestCheckSchema>;

/** What `provisioning self-test` sends to POST /api/totem/self-test. */
export const selfTestReportSchema = z.object({
  startedAt: isoDateTime,
  finishedAt: isoDateTime,
  /** True when the technician answered the interactive steps (lift, keys, speaker). */
  interactive: z.boolean(),
  versions: smallRecord(z.string().max(80)).optional(),
  checks: z.array(selfTestCheckSchema).max(64),
});
export type SelfTestReport = z.infer<typeof selfTestReportSchema>;

export const selfTestRecordSchema = z.object({
  id: z.number().int(),
  receivedAt: isoDateTime,
  /** No check failed. */
  passed: z.boolean(),
  report: selfTestReportSchema,
});
export type SelfTestRecord = z.infer<typeof selfTestRecordSchema>;
