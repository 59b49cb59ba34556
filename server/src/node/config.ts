// Server configuration: defaults, then an optional JSON file, then SPORTELLO_* environment
// variables. Validated once at start; a bad value stops the server with a message naming the field.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';

export const configSchema = z.strictObject({
  /** Address the HTTP server binds to. Default 127.0.0.1. */
  host: z.string().default('127.0.0.1'),
  /** HTTP port; 0 picks a free one. Default 8080. */
  port: z.number().int().min(0).max(65535).default(8080),
  /** URL at which kiosks and browsers reach this server; default http://host:port. */
  publicUrl: z.url().optional(),
  /** Folder for the SQLite database and other state. Default ./.data. */
  dataDir: z.string().default('.data'),
  /** pino log level. Default info. */
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** IANA time zone in which office schedules are written. Default Europe/Rome. */
  timeZone: z.string().default('Europe/Rome'),
  media: z
    .strictObject({
      /** mediasoup workers; default one per core. */
      workers: z.number().int().min(1).max(64).default(availableParallelism()),
      /** IP the SFU's transports listen on. Default 127.0.0.1. */
      listenIp: z.string().default('127.0.0.1'),
      /** Public IP announced in ICE candidates when the SFU is behind NAT. */
      announcedIp: z.string().optional(),
      /** UDP/TCP port range of the SFU. Default 40000–49999. */
      rtcMinPort: z.number().int().min(1024).max(65535).default(40000),
      rtcMaxPort: z.number().int().min(1024).max(65535).default(49999),
    })
    .prefault({}),
  calls: z
    .strictObject({
      /** Seconds an operator's console rings before the call goes to the next operator. Default 30. */
      ringTimeoutSeconds: z.number().min(1).max(600).default(30),
      /**
       * Seconds a kiosk or console whose connection dropped may take to come back before its call
       * ends. Short, so the other side is told within 5 s when a console is closed. Default 3.
       */
      reconnectGraceSeconds: z.number().min(0).max(120).default(3),
      /** Seconds a media token stays valid for joining a room. Default 60. */
      mediaTokenSeconds: z.number().min(5).max(3600).default(60),
      /**
       * Seconds a booked call waits for its own operator when that operator is online but busy or
       * paused, before it goes to the office's other operators (still ahead of walk-ins). Default 180.
       */
      bookedGraceSeconds: z.number().min(0).max(3600).default(180),
      /**
       * Booked calls go ahead of walk-ins, except walk-ins that have waited this many seconds longer
       * (ageing: nobody waits for ever behind bookings). Default 300.
       */
      walkInAgeingSeconds: z.number().min(0).max(7200).default(300),
      /** Seconds after an unanswered ring before the same call is offered to that operator again. Default 30. */
      missedRingRetrySeconds: z.number().min(0).max(3600).default(30),
      /** Unanswered rings in a row after which an operator's console is paused, with the reason. Default 2. */
      missedRingsToPause: z.number().int().min(1).max(100).default(2),
      /** Seconds of waiting after which the citizen is offered a call-back. Default 600. */
      maxWaitSeconds: z
        .number()
        .min(10)
        .max(24 * 3600)
        .default(600),
      /**
       * After a restart, seconds a totem with a waiting call may take to reconnect and find its call
       * as it was; later it is offered a call-back. Default 120.
       */
      recoveryGraceSeconds: z.number().min(0).max(3600).default(120),
      /** After a restart, seconds after which a waiting call whose totem never came back ends abandoned. Default 1800. */
      recoveryAbandonSeconds: z
        .number()
        .min(10)
        .max(24 * 3600)
        .default(1800),
      /** Handle time assumed for the wait estimate before an office has served calls. Default 300. */
      defaultHandleSeconds: z.number().min(10).max(7200).default(300),
    })
    .prefault({}),
  checkIn: z
    .strictObject({
      /** Minutes before the slot a code is accepted. Default 15. */
      earlyMinutes: z
        .number()
        .min(0)
        .max(24 * 60)
        .default(15),
      /** Minutes after the slot start a code is still accepted. Default 10. */
      lateMinutes: z
        .number()
        .min(0)
        .max(24 * 60)
        .default(10),
    })
    .prefault({}),
  sync: z
    .strictObject({
      /**
       * Hours the agenda change feed keeps changes and tombstones; a totem away longer gets 410 and
       * takes a full snapshot. Default 72.
       */
      tombstoneRetentionHours: z
        .number()
        .min(1)
        .max(24 * 365)
        .default(72),
    })
    .prefault({}),
  fleet: z
    .strictObject({
      /** Minutes an enrollment token stays valid when the administrator does not say. Default 60. */
      enrollmentTokenMinutes: z.number().int().min(1).max(1440).default(60),
      /** Minutes a totem's bearer token lasts; totems renew after two thirds of it. Default 15. */
      totemTokenMinutes: z.number().int().min(1).max(1440).default(15),
      /** Seconds a signed token request may be off the server clock. Default 300 (5 min). */
      clockSkewSeconds: z.number().int().min(10).max(3600).default(300),
      /**
       * Secret (at least 32 characters) that signs totem bearer tokens. When absent, one is made at
       * first start in <dataDir>/totem-token.key (mode 0600). Never put it in the repository.
       */
      tokenSecret: z.string().min(32).optional(),
      /** Seconds between totem heartbeats. Default 30. */
      heartbeatSeconds: z.number().int().min(5).max(3600).default(30),
      /** Heartbeats a totem may miss before it shows as "not seen since …". Default 3. */
      missedHeartbeats: z.number().int().min(1).max(100).default(3),
      /** Heartbeats kept per totem for its history. Default 200. */
      historySize: z.number().int().min(10).max(10_000).default(200),
      /** TURN servers handed to totems at enrollment. Default none. */
      turnServers: z
        .array(
          z.strictObject({
            urls: z.union([z.string(), z.array(z.string())]),
            username: z.string().optional(),
            credential: z.string().optional(),
          }),
        )
        .default([]),
      /** Languages a totem offers, first is the default. Default it, en. */
      languages: z.array(z.string().min(2).max(10)).min(1).default(['it', 'en']),
    })
    .prefault({}),
  /** Hours an operator session lasts. Default 12. */
  operatorSessionHours: z.number().min(1).max(72).default(12),
  /** Requests per minute per client address on public endpoints. Default 120. */
  rateLimitPerMinute: z.number().int().min(1).default(120),
  /** Folder of the built pages (operator console, booking page). Default app/dist. */
  pagesDir: z.string().optional(),
});
export type ServerConfig = z.infer<typeof configSchema>;
export type ServerConfigInput = z.input<typeof configSchema>;

/** Environment variables and the config path each one sets. */
const ENV_FIELDS: Record<string, { path: string[]; type: 'string' | 'number' }> = {
  SPORTELLO_HOST: { path: ['host'], type: 'string' },
  SPORTELLO_PORT: { path: ['port'], type: 'number' },
  SPORTELLO_PUBLIC_URL: { path: ['publicUrl'], type: 'string' },
  SPORTELLO_DATA_DIR: { path: ['dataDir'], type: 'string' },
  SPORTELLO_LOG_LEVEL: { path: ['logLevel'], type: 'string' },
  SPORTELLO_TIME_ZONE: { path: ['timeZone'], type: 'string' },
  SPORTELLO_MEDIA_WORKERS: { path: ['media', 'workers'], type: 'number' },
  SPORTELLO_MEDIA_LISTEN_IP: { path: ['media', 'listenIp'], type: 'string' },
  SPORTELLO_MEDIA_ANNOUNCED_IP: { path: ['media', 'announcedIp'], type: 'string' },
  SPORTELLO_RING_TIMEOUT_SECONDS: { path: ['calls', 'ringTimeoutSeconds'], type: 'number' },
  SPORTELLO_BOOKED_GRACE_SECONDS: { path: ['calls', 'bookedGraceSeconds'], type: 'number' },
  SPORTELLO_MAX_WAIT_SECONDS: { path: ['calls', 'maxWaitSeconds'], type: 'number' },
  SPORTELLO_MISSED_RINGS_TO_PAUSE: { path: ['calls', 'missedRingsToPause'], type: 'number' },
  SPORTELLO_SYNC_TOMBSTONE_RETENTION_HOURS: { path: ['sync', 'tombstoneRetentionHours'], type: 'number' },
  SPORTELLO_TOTEM_TOKEN_SECRET: { path: ['fleet', 'tokenSecret'], type: 'string' },
  SPORTELLO_HEARTBEAT_SECONDS: { path: ['fleet', 'heartbeatSeconds'], type: 'number' },
};
export const CONFIG_ENV_VARS = Object.keys(ENV_FIELDS);

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Builds the configuration. `overrides` come last (tests and the demo launcher use them); the
 * error message names every bad field and where its value came from.
 */
export function loadConfig(options: {
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  overrides?: ServerConfigInput;
}): ServerConfig {
  const env = options.env ?? {};
  let raw: Record<string, unknown> = {};
  const file = options.file ?? env.SPORTELLO_CONFIG;
  if (file) {
    try {
      raw = JSON.parse(readFileSync(resolve(file), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`configuration file ${file} cannot be read as JSON: ${(err as Error).message}`);
    }
  }
  const fromEnv = new Map<string, string>();
  for (const [name, field] of Object.entries(ENV_FIELDS)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parsed = field.type === 'number' ? Number(value) : value;
    setPath(raw, field.path, field.type === 'number' && Number.isNaN(parsed) ? value : parsed);
    fromEnv.set(field.path.join('.'), name);
  }
  const merged = { ...raw, ...options.overrides } as Record<string, unknown>;
  for (const key of ['media', 'calls', 'checkIn', 'sync', 'fleet'] as const) {
    const o = options.overrides?.[key];
    if (o) merged[key] = { ...(raw[key] as object | undefined), ...o };
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const field = issue.path.join('.') || '(root)';
      const source = fromEnv.get(field) ? ` (from ${fromEnv.get(field)})` : file ? ` (in ${file})` : '';
      return `  ${field}: ${issue.message}${source}`;
    });
    throw new ConfigError(`configuration is not valid:\n${lines.join('\n')}`);
  }
  const config = result.data;
  if (config.media.rtcMinPort > config.media.rtcMaxPort) {
    throw new ConfigError(
      'configuration is not valid:\n  media.rtcMinPort: must not be above media.rtcMaxPort',
    );
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timeZone });
  } catch {
    throw new ConfigError(
      `configuration is not valid:\n  timeZone: "${config.timeZone}" is not an IANA time zone`,
    );
  }
  return config;
}
