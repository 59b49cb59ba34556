// 007: administration. Services say what they ask at booking and where they are offered (totem,
// home); operators say which languages they speak; calendar exceptions close a day or change its
// hours, for one office or (office_id NULL) for every office: a public holiday.
// Portable DDL only (SQLite and PostgreSQL).
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .alterTable('services')
    .addColumn('questions', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  await db.schema
    .alterTable('services')
    .addColumn('at_totem', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .alterTable('services')
    .addColumn('from_home', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('operators')
    .addColumn('languages', 'text', (c) => c.notNull().defaultTo('["it"]'))
    .execute();
  await db.schema
    .createTable('calendar_exceptions')
    .addColumn('id', postgres ? 'serial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('office_id', 'text', (c) => c.references('offices.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('closed', 'integer', (c) => c.notNull())
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  // The slot calculation reads the exceptions of one date for every request.
  await db.schema
    .createIndex('calendar_exceptions_date')
    .on('calendar_exceptions')
    .columns(['date', 'office_id'])
    .execute();
  // Conflict checks read one service's future bookings (bookings_service_slot serves them) and one
  // operator's bookings of a day (for overlaps across services).
  await db.schema
    .createIndex('bookings_operator_slot')
    .on('bookings')
    .columns(['operator_id', 'slot_start'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('bookings_operator_slot').execute();
  await db.schema.dropTable('calendar_exceptions').execute();
  await db.schema.alterTable('operators').dropColumn('languages').execute();
  for (const column of ['from_home', 'at_totem', 'questions']) {
    await db.schema.alterTable('services').dropColumn(column).execute();
  }
}
