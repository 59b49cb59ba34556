// The schema history of the totem's agenda file (agenda.db). Each step runs once, in a transaction,
// and moves `user_version` on; agenda-migrations.test.ts checks the steps, agenda-cache.test.ts the
// lookup's query plan.
import type { Migration } from './agenda-store.ts';

export const AGENDA_MIGRATIONS: readonly Migration[] = [
  // 1. The first cache: one row per booking, looked up by the code's HMAC. `IF NOT EXISTS` because
  //    files made before migrations were numbered already hold these tables at user_version 0.
  (db) =>
    db.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        booking_id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL,
        slot_start TEXT NOT NULL,
        slot_end TEXT NOT NULL,
        office_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        operator_id TEXT,
        status TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS entries_code_hash ON entries (code_hash);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `),
  // 2. The change feed: tombstones (with the hash of cancelled bookings, for C-5), the shadow table
  //    a snapshot is loaded into before the swap, and the local "used here" mark of a check-in.
  (db) =>
    db.exec(`
      ALTER TABLE entries ADD COLUMN used_version INTEGER;
      CREATE TABLE tombstones (
        booking_id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        reason TEXT NOT NULL,
        code_hash TEXT,
        seen_at TEXT NOT NULL
      );
      CREATE INDEX tombstones_code_hash ON tombstones (code_hash);
      CREATE INDEX entries_slot_start ON entries (slot_start);
      CREATE INDEX tombstones_seen_at ON tombstones (seen_at);
      CREATE TABLE entries_shadow (
        booking_id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL,
        slot_start TEXT NOT NULL,
        slot_end TEXT NOT NULL,
        office_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        operator_id TEXT,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        used_version INTEGER
      );
    `),
  // 3. Least data (C-4): a full HMAC beside its key gives the code back in a minute (10^8 tries), so
  //    the cache keeps only a 16-bit tag of it (docs/sync-protocol.md, "Least data"). Rows already
  //    here are cut down in place, so the totem still answers offline right after the upgrade; with
  //    secure_delete on, the overwritten bytes are zeroed. The server sends tags from now on.
  (db) =>
    db.exec(`
      DROP INDEX entries_code_hash;
      DROP INDEX tombstones_code_hash;
      ALTER TABLE entries RENAME COLUMN code_hash TO code_tag;
      ALTER TABLE tombstones RENAME COLUMN code_hash TO code_tag;
      ALTER TABLE entries_shadow RENAME COLUMN code_hash TO code_tag;
      UPDATE entries SET code_tag = substr(code_tag, 1, 4);
      UPDATE tombstones SET code_tag = substr(code_tag, 1, 4) WHERE code_tag IS NOT NULL;
      DELETE FROM entries_shadow;
      CREATE INDEX entries_code_tag ON entries (code_tag);
      CREATE INDEX tombstones_code_tag ON tombstones (code_tag);
    `),
];
