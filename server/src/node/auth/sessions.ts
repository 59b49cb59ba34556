// Operator sign-in and sessions, and totem credentials. Sessions are random tokens stored hashed,
// so a copy of the database does not let anyone sign in.
import type { Db } from '../db/open.ts';
import { HttpError } from '../http/errors.ts';
import { newToken, sha256Hex, verifyPassword } from './secrets.ts';

export interface OperatorIdentity {
  id: string;
  displayName: string;
}

export async function signInOperator(db: Db, username: string, password: string, hours: number, now: Date) {
  const op = await db
    .selectFrom('operators')
    .selectAll()
    .where('username', '=', username)
    .where('active', '=', 1)
    .executeTakeFirst();
  // Verify against a fixed hash when the user is unknown, so both cases take the same time.
  const ok = await verifyPassword(op?.password_hash ?? DUMMY_HASH, password);
  if (!op || !ok) throw new HttpError(401, 'bad-credentials', 'Wrong username or password.');
  const token = newToken();
  const expiresAt = new Date(now.getTime() + hours * 3_600_000).toISOString();
  await db
    .insertInto('operator_sessions')
    .values({ token_hash: sha256Hex(token), operator_id: op.id, expires_at: expiresAt })
    .execute();
  return { token, operator: { id: op.id, displayName: op.display_name }, expiresAt };
}

export async function operatorForSession(db: Db, token: string, now: Date): Promise<OperatorIdentity | null> {
  const row = await db
    .selectFrom('operator_sessions')
    .innerJoin('operators', 'operators.id', 'operator_sessions.operator_id')
    .select(['operators.id', 'operators.display_name'])
    .where('operator_sessions.token_hash', '=', sha256Hex(token))
    .where('operator_sessions.expires_at', '>', now.toISOString())
    .where('operators.active', '=', 1)
    .executeTakeFirst();
  return row ? { id: row.id, displayName: row.display_name } : null;
}

export interface TotemIdentity {
  id: string;
  siteId: string;
  name: string;
}

/**
 * Demo totem credentials ("<totem id>:<secret>"), checked with argon2. Provisioning replaces this
 * with key pairs; the check is cached per process so a reconnecting totem does not pay argon2 again.
 */
export class TotemAuthenticator {
  private readonly verified = new Map<string, TotemIdentity>();
  constructor(private readonly db: Db) {}

  async authenticate(credential: string | undefined): Promise<TotemIdentity | null> {
    if (!credential) return null;
    const cacheKey = sha256Hex(credential);
    const cached = this.verified.get(cacheKey);
    if (cached) return cached;
    const sep = credential.indexOf(':');
    if (sep <= 0) return null;
    const id = credential.slice(0, sep);
    const secret = credential.slice(sep + 1);
    const totem = await this.db.selectFrom('totems').selectAll().where('id', '=', id).executeTakeFirst();
    if (!(await verifyPassword(totem?.secret_hash ?? DUMMY_HASH, secret)) || !totem) return null;
    const identity = { id: totem.id, siteId: totem.site_id, name: totem.name };
    this.verified.set(cacheKey, identity);
    return identity;
  }
}

// argon2id hash of a random string nobody knows; used only to spend the same time on unknown users.
const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$3XQ7nq6tF8dWmKp3l4cS0mOPkY3kV3y7b5b2K0zq7Hc';
