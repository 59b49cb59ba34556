// The enrolled totem's files in its data directory (names and shapes in protocol's fleet.ts, read
// by the kiosk core's identity.ts): written atomically with mode 0600, and the signed token request
// the self-test uses to speak to the server as this totem.
import {
  TOTEM_FILES,
  totemAssertionText,
  totemIdentityFileSchema,
  totemTokenSchema,
  type TotemIdentityFile,
  TOTEM_ROUTES,
} from '@sportello/protocol';
import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/sportello-kiosk';

/** Writes a file only its owner can read, atomically (temporary file, fsync, rename). */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

export function identityPresent(dir: string): boolean {
  return existsSync(join(dir, TOTEM_FILES.identity)) || existsSync(join(dir, TOTEM_FILES.privateKey));
}

export function readIdentity(dir: string): { info: TotemIdentityFile; key: KeyObject } | undefined {
  const file = join(dir, TOTEM_FILES.identity);
  const keyFile = join(dir, TOTEM_FILES.privateKey);
  if (!existsSync(file) || !existsSync(keyFile)) return undefined;
  const info = totemIdentityFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  return { info, key: createPrivateKey(readFileSync(keyFile, 'utf8')) };
}

/** The fingerprint the server shows for a public key (SHA-256 of its SPKI DER, base64). */
export function keyFingerprint(publicKeyDer: Buffer): string {
  return `SHA256:${createHash('sha256').update(publicKeyDer).digest('base64').replace(/=+$/, '')}`;
}

/** At most the first 6 characters of a secret, so that a screen or a log never holds it whole. */
export function masked(secret: string): string {
  return `${secret.slice(0, 6)}…`;
}

/** A bearer token for this totem (POST /api/totem/token with a signed request). */
export async function mintToken(serverUrl: string, totemId: string, key: KeyObject): Promise<string> {
  const claim = {
    totemId,
    timestamp: new Date().toISOString(),
    nonce: randomBytes(24).toString('base64url'),
  };
  const signature = sign(null, Buffer.from(totemAssertionText(claim)), key).toString('base64url');
  const res = await fetch(`${serverUrl}${TOTEM_ROUTES.token.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...claim, signature }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  if (!res.ok)
    throw new Error(`token refused (HTTP ${res.status} ${body.code ?? ''}): ${body.message ?? ''}`);
  return totemTokenSchema.parse(body).token;
}
