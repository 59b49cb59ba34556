// `enroll`: gives this totem its identity. The Ed25519 key pair is made here and the private key
// stays here (mode 0600); the public key goes to the server with the administrator's single-use
// token, and the answer — the totem's id, its site and the site configuration — is kept beside it
// for the kiosk. Secrets are never printed in full.
import {
  PUBLIC_ROUTES,
  TOTEM_FILES,
  siteConfigurationSchema,
  type SiteConfiguration,
  TOTEM_ROUTES,
} from '@sportello/protocol';
import { generateKeyPairSync } from 'node:crypto';
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliContext, Command, ExitCode } from './command.ts';
import { EXIT, UsageError, parsedOrUsageError } from './command.ts';
import {
  DEFAULT_DATA_DIR,
  ensureDataDir,
  identityPresent,
  keyFingerprint,
  masked,
  readIdentity,
  writePrivateFile,
} from './totem-files.ts';

const HELP = `usage: sportello-provisioning enroll --server URL --token TOKEN [--name NAME] [--site SITE]
                                      [--data-dir DIR] [--force] [--json]

Enrolls this totem: makes its key pair (the private key never leaves the totem), registers it with the
administrator's single-use token, and keeps its identity and site configuration in the data directory.

options:
  --server URL        the central server, e.g. https://sportello.comune.example
  --token TOKEN       the enrollment token from the fleet page (spe1-…), valid 60 minutes, single use
  --name NAME         the totem's name (slot) the token was made for; refused if it differs
  --site SITE         the site id the token was made for; refused if it differs
  --data-dir DIR      where the kiosk keeps its data (default ${DEFAULT_DATA_DIR})
  --force             replace an existing identity (re-enrollment; the old key stops working)
  --json              print the result as one JSON document
  --help              this help

exit codes: 0 enrolled; 2 wrong command line, or already enrolled without --force;
            3 the server refused (the message says why and what to do); 4 server unreachable;
            1 unexpected failure.`;

/** What the technician should do after each refusal the server can give. */
const ADVICE: Record<string, string> = {
  'enrollment-token-unknown':
    'check that the token was copied whole; otherwise ask the administrator for a new one',
  'enrollment-token-used':
    'this token was already used by another totem: ask the administrator for a new one',
  'enrollment-replayed': 'this key is already enrolled: the totem is enrolled',
  'enrollment-token-expired': 'ask the administrator for a new token (they are valid 60 minutes by default)',
  'enrollment-wrong-site': 'use the token made for this site, or correct --site',
  'enrollment-wrong-slot': 'use the token made for this totem, or correct --name',
  'public-key-invalid': 'this is a bug in the provisioning tool: please report it',
  'site-unknown': 'the site of the token no longer exists: ask the administrator',
};

export const enrollCommand: Command = {
  name: 'enroll',
  summary: 'give this totem its identity with an enrollment token from the fleet page',
  help: HELP,
  async run(args, ctx) {
    const values = parsedOrUsageError(
      () =>
        parseArgs({
          args,
          strict: true,
          allowPositionals: false,
          options: {
            server: { type: 'string' },
            token: { type: 'string' },
            name: { type: 'string' },
            site: { type: 'string' },
            'data-dir': { type: 'string' },
            force: { type: 'boolean', default: false },
            json: { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
          },
        }).values,
    );
    if (values.help) {
      ctx.out(HELP);
      return EXIT.ok;
    }
    if (!values.server) throw new UsageError('--server URL is required');
    if (!values.token) throw new UsageError('--token TOKEN is required (from the fleet page)');
    const server = parseServer(values.server);
    const token = values.token.trim();
    if (token.length < 20 || token.length > 200 || /\s/.test(token))
      throw new UsageError(`the token ${masked(token)} does not look like an enrollment token (spe1-…)`);
    const dataDir = values['data-dir'] ?? DEFAULT_DATA_DIR;
    if (identityPresent(dataDir) && !values.force) {
      const who = safeRead(dataDir);
      ctx.err(
        `enroll: this totem is already enrolled${who ? ` as ${who}` : ''} (${dataDir}).\n` +
          'Add --force to replace its identity (the old key stops working once the new one is accepted).',
      );
      return EXIT.usage;
    }
    return enroll(ctx, {
      server,
      token,
      dataDir,
      json: values.json,
      ...(values.name ? { name: values.name } : {}),
      ...(values.site ? { site: values.site } : {}),
    });
  },
};

function parseServer(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--server must be a URL such as https://sportello.example.org, not "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`--server must be an http:// or https:// URL, not "${text}"`);
  return url.href.replace(/\/+$/, '');
}

function safeRead(dataDir: string): string | undefined {
  try {
    const id = readIdentity(dataDir);
    return id ? `${id.info.totemName} (${id.info.totemId}, site ${id.info.siteId})` : undefined;
  } catch {
    return undefined;
  }
}

interface EnrollInput {
  server: string;
  token: string;
  dataDir: string;
  json: boolean;
  name?: string;
  site?: string;
}

async function enroll(ctx: CliContext, o: EnrollInput): Promise<ExitCode> {
  ensureDataDir(o.dataDir);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const fingerprint = keyFingerprint(publicKey.export({ type: 'spki', format: 'der' }));
  // The new key is on disk before the server knows it: a token is burned on use, and a key lost
  // after that would need a new token. It takes its final name only once the server accepted it.
  const keyFile = join(o.dataDir, TOTEM_FILES.privateKey);
  const pendingKey = `${keyFile}.new`;
  writePrivateFile(pendingKey, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  let res: Response;
  try {
    res = await fetch(`${o.server}${TOTEM_ROUTES.enroll.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        token: o.token,
        publicKey: publicPem,
        versions: { provisioning: '0.1.0' },
        ...(o.name ? { totemName: o.name } : {}),
        ...(o.site ? { siteId: o.site } : {}),
      }),
      signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(20_000)]),
    });
  } catch (err) {
    rmSync(pendingKey, { force: true });
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    ctx.err(
      `enroll: the server ${o.server} cannot be reached: ${cause}.\n` +
        'Check the address, the network (cable, SIM/APN), DNS and the clock, then try again with the same token ' +
        `(it stays valid until used). Test with: curl ${o.server}${PUBLIC_ROUTES.health.path}`,
    );
    return EXIT.unreachable;
  }
  const text = await res.text();
  const body = parseJson(text);
  if (!res.ok) {
    rmSync(pendingKey, { force: true });
    const { code, message } = (body ?? {}) as { code?: string; message?: string };
    const advice =
      (code && ADVICE[code]) ??
      (res.status === 429 ? 'too many attempts: wait a minute and try again' : 'ask the administrator');
    if (o.json)
      ctx.out(JSON.stringify({ enrolled: false, status: res.status, code: code ?? null, message, advice }));
    ctx.err(
      `enroll: the server refused (HTTP ${res.status}${code ? ` ${code}` : ''}): ${message ?? text.slice(0, 200)}`,
    );
    ctx.err(`what to do: ${advice}`);
    return EXIT.refused;
  }
  const parsed = siteConfigurationSchema.safeParse(body);
  if (!parsed.success) {
    rmSync(pendingKey, { force: true });
    throw new Error(`the server's answer is not a site configuration: ${parsed.error.message}`);
  }
  const config = parsed.data;
  writePrivateFile(join(o.dataDir, TOTEM_FILES.configuration), JSON.stringify(config, null, 2));
  writePrivateFile(
    join(o.dataDir, TOTEM_FILES.identity),
    JSON.stringify(
      {
        totemId: config.totemId,
        totemName: config.totemName,
        siteId: config.siteId,
        serverUrl: o.server,
        enrolledAt: new Date().toISOString(),
        keyFingerprint: fingerprint,
      },
      null,
      2,
    ),
  );
  renameSync(pendingKey, keyFile);
  const summary = summarize(config, o, fingerprint);
  if (o.json) ctx.out(JSON.stringify(summary, null, 2));
  else for (const line of formatSummary(summary)) ctx.out(line);
  return EXIT.ok;
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function summarize(config: SiteConfiguration, o: EnrollInput, fingerprint: string) {
  return {
    enrolled: true,
    totemId: config.totemId,
    totemName: config.totemName,
    siteId: config.siteId,
    siteName: config.siteName,
    serverUrl: o.server,
    keyFingerprint: fingerprint,
    token: masked(o.token),
    dataDir: o.dataDir,
    // TURN credentials are secrets: only where the servers are.
    turnServers: config.turnServers.map((t) => (Array.isArray(t.urls) ? t.urls.join(' ') : t.urls)),
    languages: config.languages,
    offices: config.offices.map((x) => x.name),
    heartbeatSeconds: config.heartbeatSeconds,
  };
}

function formatSummary(s: ReturnType<typeof summarize>): string[] {
  return [
    `Enrolled: ${s.totemName} (${s.totemId}) at ${s.siteName} (${s.siteId})`,
    `  server          ${s.serverUrl}`,
    `  key fingerprint ${s.keyFingerprint} (compare with the fleet page)`,
    `  token used      ${s.token}`,
    `  data directory  ${s.dataDir} (private key and configuration, mode 0600)`,
    `  TURN servers    ${s.turnServers.length ? s.turnServers.join(', ') : 'none configured'}`,
    `  languages       ${s.languages.join(', ')}`,
    `  offices         ${s.offices.length ? s.offices.join(', ') : 'none'}`,
    `  heartbeat       every ${s.heartbeatSeconds} s`,
    'Next: run `sportello-provisioning self-test`, then start (or restart) the kiosk.',
  ];
}
