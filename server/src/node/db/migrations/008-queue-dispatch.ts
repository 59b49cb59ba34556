// 008: indexes for the dispatcher's narrow reads, so that one dispatch with a long queue reads only
// what the policy needs: the queued items of the offices that have a free operator, the rings that
// ran out, the held items whose totem did not come back, and the arrival counter a new item takes.
// Indexes only (no data change); portable DDL (SQLite and PostgreSQL partial indexes).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Offers: the queued items of the free operators' offices, in arrival order.
  await sql`CREATE INDEX calls_queued_office ON calls (office_id, created_at, seq) WHERE state = 'queued'`.execute(
    db,
  );
  // The held items (a totem away since a restart): few, read every run.
  await sql`CREATE INDEX calls_held ON calls (held_since) WHERE held_since IS NOT NULL`.execute(db);
  // insertItem's MAX(seq): without it every new call scans the whole call history.
  await sql`CREATE INDEX calls_seq ON calls (seq)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['calls_queued_office', 'calls_held', 'calls_seq']) {
    await db.schema.dropIndex(index).execute();
  }
}
