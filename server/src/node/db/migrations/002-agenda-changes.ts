// 002: the agenda change feed and the totem outbox. `agenda_changes` is an ordered log of pointers
// (office, booking, version) written in the same transaction as every booking write; its sequence
// is the totems' cursor. `agenda_horizons` remembers, per site, the lowest cursor still servable
// after pruning. `check_ins` and `callbacks` store what totems send with an idempotency key, once.
// Portable DDL only (SQLite and PostgreSQL).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The sequence must never hand out a number twice, even after the newest rows are pruned:
  // SQLite's AUTOINCREMENT and PostgreSQL's serial both guarantee it.
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('agenda_changes')
    .addColumn('seq', postgres ? 'serial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('office_id', 'text', (c) => c.notNull())
    .addColumn('booking_id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The feed reads "changes of these offices after this cursor, in order"; pruning reads by age.
  await db.schema
    .createIndex('agenda_changes_office_seq')
    .on('agenda_changes')
    .columns(['office_id', 'seq'])
    .execute();
  await db.schema.createIndex('agenda_changes_created').on('agenda_changes').column('created_at').execute();

  await db.schema
    .createTable('agenda_horizons')
    .addColumn('site_id', 'text', (c) => c.primaryKey().references('sites.id'))
    .addColumn('min_cursor', 'integer', (c) => c.notNull())
    .execute();

  // A totem compares this with its own to know when every code hash it holds is stale.
  await db.schema
    .alterTable('sites')
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  // Bookings that exist before the feed get one change each, so totems can follow it from 0.
  await sql`
    INSERT INTO agenda_changes (office_id, booking_id, version, kind, created_at)
    SELECT office_id, id, version, CASE WHEN status = 'cancelled' THEN 'delete' ELSE 'upsert' END, updated_at
    FROM bookings ORDER BY updated_at, id`.execute(db);

  // booking_id is not a foreign key: a totem may report a booking the server no longer knows, and
  // that answer must be stored like any other.
  await db.schema
    .createTable('check_ins')
    .addColumn('idempotency_key', 'text', (c) => c.primaryKey())
    .addColumn('totem_id', 'text', (c) => c.notNull().references('totems.id'))
    .addColumn('booking_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('check_ins_booking').on('check_ins').column('booking_id').execute();

  await db.schema
    .createTable('callbacks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('totem_id', 'text', (c) => c.notNull().references('totems.id'))
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('booking_id', 'text')
    .addColumn('office_id', 'text')
    .addColumn('phone', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('done_by', 'text', (c) => c.references('operators.id'))
    .execute();
  await db.schema
    .createIndex('callbacks_status')
    .on('callbacks')
    .columns(['status', 'received_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['callbacks', 'check_ins', 'agenda_horizons', 'agenda_changes']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('sites').dropColumn('key_version').execute();
}
