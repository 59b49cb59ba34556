// Account sign-in and sessions (operators, supervisors, administrators: one table, a role each).
// Sessions are random tokens stored hashed, so a copy of the database does not let anyone sign in.
// Totem credentials live in totem-auth.ts and are re-exported here for existing imports.
import type { AccountRole } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import { fleetDb } from '../fleet/fleet-db.ts';
import { HttpError } from '../http/errors.ts';
import { newToken, sha256Hex, verifyPassword } from './secrets.ts';

export { TotemAuthenticator, type TotemIdentity } from './totem-auth.ts';

export interface OperatorIdentity {
  id: string;
  displayName: string;
  /** Absent only on identities made before roles existed. */
  role?: AccountRole;
  username?: string;
}

export async function signInOperator(db: Db, username: string, password: string, hours: number, now: Date) {
  const op = await fleetDb(db)
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
  return { token, operator: { id: op.id, displayName: op.display_name, role: op.role }, expiresAt };
}

export async function operatorForSession(db: Db, token: string, now: Date): Promise<OperatorIdentity | null> {
  const row = await fleetDb(db)
    .selectFrom('operator_sessions')
    .innerJoin('operators', 'operators.id', 'operator_sessions.operator_id')
    .select(['operators.id', 'operators.display_name', 'operators.role', 'operators.username'])
    .where('operator_sessions.token_hash', '=', sha256Hex(token))
    .where('operator_sessions.expires_at', '>', now.toISOString())
    .where('operators.active', '=', 1)
    .executeTakeFirst();
  return row ? { id: row.id, displayName: row.display_name, role: row.role, username: row.username } : null;
}

// argon2id hash of a random string nobody knows; used only to spend the same time on unknown users.
const DUMMY_HASH =
  '$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$3XQ7nq6tF8dWmKp3l4cS0mOPkY3kV3y7b5b2K0zq7Hc';
