// Opening the totem's SQLite files: WAL mode, an integrity check at start, numbered migrations, and
// quarantine of a file that fails any of them. A corrupted file is renamed aside (kept for the
// technician) and a fresh one is made, so that a totem never crash-loops on a bad disk image: the
// agenda is rebuilt from the server, and the outbox starts empty (the loss is logged loudly).
import BetterSqlite3 from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One numbered schema step; `user_version` holds the number of the last one applied. */
export type Migration = (db: BetterSqlite3.Database) => void;

export interface OpenStoreOptions {
  /** Migrations in order; migration i brings the file to user_version i + 1. */
  migrations: readonly Migration[];
  /** `synchronous` of this connection: FULL where an acknowledged write must survive power loss. */
  synchronous: 'NORMAL' | 'FULL';
  log?: (msg: string, detail?: unknown) => void;
  /** Quarantined copies kept per file; older ones are deleted so that a bad disk cannot fill up. */
  keepQuarantined?: number;
}

export interface OpenedStore {
  db: BetterSqlite3.Database;
  /** Set when the file was found corrupted and replaced by an empty one: the path it was moved to. */
  quarantinedTo?: string;
}

function openChecked(file: string, o: OpenStoreOptions): BetterSqlite3.Database {
  const db = new BetterSqlite3(file);
  try {
    // The first statement reads the header: a file that is not a database fails here.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${o.synchronous}`);
    db.pragma('secure_delete = ON');
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity_check: ${String(check)}`);
    migrate(db, o.migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`schema version ${current} is newer than this software (${migrations.length})`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** Moves the file and its WAL and shared-memory companions aside; returns the new main path. */
function quarantine(file: string, keep: number): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  // The random tail keeps two quarantines in the same millisecond apart.
  const target = `${file}.corrupt-${stamp}-${randomBytes(3).toString('hex')}`;
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, target + suffix);
  }
  const dir = dirname(file);
  const prefix = `${basename(file)}.corrupt-`;
  const sets = readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && !f.endsWith('-wal') && !f.endsWith('-shm'))
    .sort();
  for (const old of sets.slice(0, Math.max(0, sets.length - keep))) {
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, old + suffix), { force: true });
  }
  return target;
}

/**
 * Opens (or creates) a store. A file that cannot be opened, fails `integrity_check` or cannot be
 * migrated is quarantined and replaced by a fresh one; if the fresh one fails too, the error is
 * thrown (the disk itself is at fault, which a restart does not cure: the supervisor reports it).
 */
export function openStore(file: string, o: OpenStoreOptions): OpenedStore {
  try {
    return { db: openChecked(file, o) };
  } catch (err) {
    const quarantinedTo = quarantine(file, o.keepQuarantined ?? 2);
    o.log?.(`database ${file} is unusable and was moved to ${quarantinedTo}; starting a fresh one`, err);
    return { db: openChecked(file, o), quarantinedTo };
  }
}
