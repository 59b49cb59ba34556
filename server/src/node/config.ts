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
  /** Who runs the service: shown in the header and footer of the booking page and its legal pages. */
  municipality: z
    .strictObject({
      /** The municipality's name, e.g. "Comune di Pontedera". Default "Comune". */
      name: z.string().min(1).max(120).default('Comune'),
      /** Contact e-mail for citizens (data protection, accessibility, legal notes). Default none. */
      email: z.string().max(200).default(''),
      /**
       * URL of the accessibility statement published on form.agid.gov.it; without it the footer
       * links to the statement page of the booking page.
       */
      accessibilityStatementUrl: z.url().optional(),
    })
    .prefault({}),
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
  turn: z
    .strictObject({
      /**
       * TURN URLs handed to kiosks and consoles for networks that block UDP and the SFU's ports,
       * e.g. ["turns:turn.comune.example:443?transport=tcp"]. Default none (docs/turn.md).
       */
      urls: z.array(z.string().regex(/^turns?:/, 'a TURN URL starts with turn: or turns:')).default([]),
      /** The secret shared with coturn (static-auth-secret), at least 16 characters. Never in the repository. */
      secret: z.string().min(16).optional(),
      /** Seconds a TURN credential lasts; pages refresh it after two thirds. Default 3600. */
      credentialSeconds: z.number().int().min(60).max(86_400).default(3600),
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
      /**
       * Seconds a call survives one side's network outage (no media reaching the SFU, or a silent
       * socket): past it, the call ends on both sides and the citizen is offered a call-back (W-3).
       * Default 60.
       */
      outageSeconds: z.number().min(5).max(600).default(60),
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
  messages: z
    .strictObject({
      /** Outgoing e-mail over SMTP; without a host no e-mail is sent. */
      email: z
        .strictObject({
          /** SMTP server. Default none (e-mail off). */
          host: z.string().optional(),
          /** SMTP port. Default 587. */
          port: z.number().int().min(1).max(65535).default(587),
          /** true = TLS from the first byte (port 465); false = STARTTLS when offered. Default false. */
          secure: z.boolean().default(false),
          /** Refuse to send unless the server upgrades with STARTTLS. Default false. */
          requireTls: z.boolean().default(false),
          /** SMTP user name. Default none (no authentication). */
          user: z.string().optional(),
          /** SMTP password. Never put it in the repository. */
          password: z.string().optional(),
          /** Sender address. Default "Sportello <noreply@localhost>". */
          from: z.string().default('Sportello <noreply@localhost>'),
          /** Seconds an SMTP exchange may take before it counts as failed. Default 30. */
          timeoutSeconds: z.number().min(1).max(600).default(30),
        })
        .prefault({}),
      sms: z
        .strictObject({
          /** 'none', 'log' (to a separate file, for the demo) or 'http' (a gateway). Default none. */
          gateway: z.enum(['none', 'log', 'http']).default('none'),
          /** The gateway's URL (POST), for 'http'. */
          url: z.url().optional(),
          /** Header that carries the gateway's credential, e.g. "Authorization". */
          authHeader: z.string().default('Authorization'),
          /** The credential's value, e.g. "Bearer …". Never put it in the repository. */
          authValue: z.string().optional(),
          /** Request body; {{to}}, {{text}} and {{from}} are replaced (JSON-escaped). */
          bodyTemplate: z.string().default('{"to":"{{to}}","text":"{{text}}","from":"{{from}}"}'),
          /** Content-Type of the body. Default application/json. */
          contentType: z.string().default('application/json'),
          /** Sender name or number passed as {{from}}. Default Sportello. */
          from: z.string().default('Sportello'),
          /** File the 'log' gateway appends to. Default <dataDir>/sms-outbox.jsonl. */
          logFile: z.string().optional(),
        })
        .prefault({}),
      /** Minutes before the appointment reminders go. Default [1440, 60] (the day before, 1 hour before). */
      reminderMinutes: z
        .array(
          z
            .number()
            .int()
            .min(1)
            .max(60 * 24 * 14),
        )
        .max(5)
        .default([1440, 60]),
      /** Attempts before a message counts as failed (administrators see it). Default 8. */
      maxAttempts: z.number().int().min(1).max(50).default(8),
      /** First retry after this many seconds, doubling each time. Default 30. */
      retryBaseSeconds: z.number().min(1).max(3600).default(30),
      /** Longest wait between two attempts. Default 3600. */
      retryMaxSeconds: z.number().min(1).max(86_400).default(3600),
      /** Seconds between two looks at the job table. Default 15. */
      pollSeconds: z.number().min(1).max(3600).default(15),
    })
    .prefault({}),
  retention: z
    .strictObject({
      /** Days after the appointment its personal data (name, contacts, reason, call-back numbers) is purged. Default 30. */
      personalDataDays: z.number().int().min(1).max(3650).default(30),
    })
    .prefault({}),
  abuse: z
    .strictObject({
      /** Open (future, not cancelled) bookings one e-mail or phone may hold. Default 2. */
      maxOpenPerContact: z.number().int().min(1).max(100).default(2),
      /** Bookings one client address may make in 24 hours. Default 10. */
      maxPerAddressPerDay: z.number().int().min(1).max(10_000).default(10),
      /**
       * A contact with this many open bookings, or an address with this many in 24 hours, must
       * confirm its e-mail or phone with a code before the next booking holds. Default 1 and 3.
       */
      verifyFromContactBookings: z.number().int().min(1).max(100).default(1),
      verifyFromAddressBookings: z.number().int().min(1).max(10_000).default(3),
      /** Booking requests per minute from one client address (HTTP 429 beyond). Default 20. */
      bookingRequestsPerMinute: z.number().int().min(1).max(100_000).default(20),
      /** Minutes to type the verification code before the slot frees itself. Default 10. */
      verifyMinutes: z.number().int().min(1).max(120).default(10),
    })
    .prefault({}),
  /** Hours an operator session lasts. Default 12. */
  operatorSessionHours: z.number().min(1).max(72).default(12),
  /** Requests per minute per client address on public endpoints. Default 120. */
  rateLimitPerMinute: z.number().int().min(1).default(120),
  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For):
   * false (none, the default), true (any: only when the proxy is the sole way in), or the proxies'
   * addresses/subnets such as "127.0.0.1" or "loopback,10.0.0.0/8". Every per-address limit uses it.
   */
  trustProxy: z.union([z.boolean(), z.string().min(1), z.array(z.string().min(1))]).default(false),
  /**
   * Accepts the demo and development totem secrets ("Totem <id>:<secret>", checked with argon2).
   * Off by default: enrolled totems use signed bearer tokens. `npm start` and the tests turn it on.
   */
  demoSecrets: z.boolean().default(false),
  /** Limits on clients before and after they prove who they are (see README, "Abuse limits"). */
  clientLimits: z
    .strictObject({
      /**
       * socket.io handshakes (kiosk, console, media) per minute from one client address. High, since
       * a municipality's totems may share one address and all reconnect after a restart; a handshake
       * of a made-up totem costs one indexed read. Default 3000.
       */
      handshakesPerAddressPerMinute: z.number().int().min(1).default(3000),
      /** Refused totem secrets per minute from one address before its next ones are refused unheard. Default 20. */
      failedAuthPerAddressPerMinute: z.number().int().min(1).default(20),
      /** Kiosk handshakes per minute of one verified totem. Default 30. */
      handshakesPerTotemPerMinute: z.number().int().min(1).default(30),
      /**
       * Requests per minute of one verified totem on totem routes without a limit of their own
       * (agenda sync, configuration). Default: rateLimitPerMinute.
       */
      totemRequestsPerMinute: z.number().int().min(1).optional(),
    })
    .prefault({}),
  /** Folder of the built pages (operator console, booking page). Default app/dist. */
  pagesDir: z.string().optional(),
});
export type ServerConfig = z.infer<typeof configSchema>;
export type ServerConfigInput = z.input<typeof configSchema>;

/** Environment variables and the config path each one sets. */
const ENV_FIELDS: Record<
  string,
  { path: string[]; type: 'string' | 'number' | 'boolean' | 'proxy' | 'list' }
> = {
  SPORTELLO_TRUST_PROXY: { path: ['trustProxy'], type: 'proxy' },
  SPORTELLO_DEMO_SECRETS: { path: ['demoSecrets'], type: 'boolean' },
  SPORTELLO_HOST: { path: ['host'], type: 'string' },
  SPORTELLO_PORT: { path: ['port'], type: 'number' },
  SPORTELLO_PUBLIC_URL: { path: ['publicUrl'], type: 'string' },
  SPORTELLO_DATA_DIR: { path: ['dataDir'], type: 'string' },
  SPORTELLO_LOG_LEVEL: { path: ['logLevel'], type: 'string' },
  SPORTELLO_TIME_ZONE: { path: ['timeZone'], type: 'string' },
  SPORTELLO_MUNICIPALITY_NAME: { path: ['municipality', 'name'], type: 'string' },
  SPORTELLO_MUNICIPALITY_EMAIL: { path: ['municipality', 'email'], type: 'string' },
  SPORTELLO_MEDIA_WORKERS: { path: ['media', 'workers'], type: 'number' },
  SPORTELLO_MEDIA_LISTEN_IP: { path: ['media', 'listenIp'], type: 'string' },
  SPORTELLO_MEDIA_ANNOUNCED_IP: { path: ['media', 'announcedIp'], type: 'string' },
  SPORTELLO_TURN_URLS: { path: ['turn', 'urls'], type: 'list' },
  SPORTELLO_TURN_SECRET: { path: ['turn', 'secret'], type: 'string' },
  SPORTELLO_RING_TIMEOUT_SECONDS: { path: ['calls', 'ringTimeoutSeconds'], type: 'number' },
  SPORTELLO_CALL_OUTAGE_SECONDS: { path: ['calls', 'outageSeconds'], type: 'number' },
  SPORTELLO_BOOKED_GRACE_SECONDS: { path: ['calls', 'bookedGraceSeconds'], type: 'number' },
  SPORTELLO_MAX_WAIT_SECONDS: { path: ['calls', 'maxWaitSeconds'], type: 'number' },
  SPORTELLO_MISSED_RINGS_TO_PAUSE: { path: ['calls', 'missedRingsToPause'], type: 'number' },
  SPORTELLO_SYNC_TOMBSTONE_RETENTION_HOURS: { path: ['sync', 'tombstoneRetentionHours'], type: 'number' },
  SPORTELLO_TOTEM_TOKEN_SECRET: { path: ['fleet', 'tokenSecret'], type: 'string' },
  SPORTELLO_HEARTBEAT_SECONDS: { path: ['fleet', 'heartbeatSeconds'], type: 'number' },
  SPORTELLO_SMTP_HOST: { path: ['messages', 'email', 'host'], type: 'string' },
  SPORTELLO_SMTP_PORT: { path: ['messages', 'email', 'port'], type: 'number' },
  SPORTELLO_SMTP_USER: { path: ['messages', 'email', 'user'], type: 'string' },
  SPORTELLO_SMTP_PASSWORD: { path: ['messages', 'email', 'password'], type: 'string' },
  SPORTELLO_SMTP_FROM: { path: ['messages', 'email', 'from'], type: 'string' },
  SPORTELLO_SMS_GATEWAY: { path: ['messages', 'sms', 'gateway'], type: 'string' },
  SPORTELLO_SMS_URL: { path: ['messages', 'sms', 'url'], type: 'string' },
  SPORTELLO_SMS_AUTH_VALUE: { path: ['messages', 'sms', 'authValue'], type: 'string' },
  SPORTELLO_RETENTION_DAYS: { path: ['retention', 'personalDataDays'], type: 'number' },
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

/** An environment value in the type of its field; a value that fits none is kept, so zod names it. */
function parseEnv(type: 'string' | 'number' | 'boolean' | 'proxy' | 'list', value: string): unknown {
  if (type === 'number') return Number(value);
  // A list is written comma-separated: "turns:a:443?transport=tcp, turn:a:3478".
  if (type === 'list')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const flag = { true: true, '1': true, false: false, '0': false }[value.toLowerCase()];
  if (type === 'boolean') return flag ?? value;
  if (type === 'proxy') return flag ?? value;
  return value;
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
    const parsed = parseEnv(field.type, value);
    setPath(raw, field.path, field.type === 'number' && Number.isNaN(parsed) ? value : parsed);
    fromEnv.set(field.path.join('.'), name);
  }
  const merged = { ...raw, ...options.overrides } as Record<string, unknown>;
  for (const key of [
    'media',
    'turn',
    'calls',
    'checkIn',
    'sync',
    'fleet',
    'messages',
    'retention',
    'abuse',
    'clientLimits',
  ] as const) {
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
  if (config.turn.urls.length > 0 && !config.turn.secret) {
    throw new ConfigError(
      'configuration is not valid:\n  turn.secret: TURN URLs are set but not the secret shared with coturn ' +
        '(SPORTELLO_TURN_SECRET, its static-auth-secret)',
    );
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timeZone });
  } catch {
    throw new ConfigError(
      `configuration is not valid:\n  timeZone: "${config.timeZone}" is not an IANA time zone`,
    );
  }
  if (config.messages.sms.gateway === 'http' && !config.messages.sms.url) {
    throw new ConfigError(
      'configuration is not valid:\n  messages.sms.url: the http SMS gateway needs a URL',
    );
  }
  return config;
}
