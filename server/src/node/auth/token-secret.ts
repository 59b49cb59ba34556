// The key that signs totem bearer tokens: from the configuration when given, else made once at
// first start in the data folder, readable only by the server's user. Never in the repository.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.ts';

export const TOKEN_SECRET_FILE = 'totem-token.key';

export function loadTokenSecret(dataDir: string, configured: string | undefined, log: Logger): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = join(dataDir, TOKEN_SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    // 'wx' fails if another process made it meanwhile; that one's key is then read below.
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      log.info({ file }, 'made a new key for totem tokens');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    // Anyone who reads this key can mint totem tokens: tighten it and say so.
    chmodSync(file, 0o600);
    log.warn({ file }, 'the totem token key was readable by others: permissions set to 0600');
  }
  const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (secret.length < 32)
    throw new Error(`${file} holds a key shorter than 32 bytes: delete it to make a new one`);
  return secret;
}
