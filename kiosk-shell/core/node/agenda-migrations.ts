// The schema history of the totem's agenda file (agenda.db). Each step runs once, in a transaction,
// and moves `user_version` on; agenda-store.test.ts checks each step and the lookup's query plan.
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
];
