// 001: the first model — offices, services, operators, schedules, bookings, sites, totems,
// operator sessions and call records. Portable DDL only (SQLite and PostgreSQL).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('offices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('walk_in', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slot_minutes', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('operators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema
    .createTable('operator_offices')
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addPrimaryKeyConstraint('operator_offices_pk', ['operator_id', 'office_id'])
    .execute();
  await db.schema
    .createTable('schedules')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('weekday', 'integer', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('schedules_service')
    .on('schedules')
    .columns(['service_id', 'weekday'])
    .execute();
  await db.schema
    .createTable('bookings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addColumn('operator_id', 'text', (c) => c.references('operators.id'))
    .addColumn('slot_start', 'text', (c) => c.notNull())
    .addColumn('slot_end', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('manage_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // A code is unique among live bookings; finished and cancelled ones may share it later.
  await sql`CREATE UNIQUE INDEX bookings_live_code ON bookings (code) WHERE status IN ('booked', 'checked_in')`.execute(
    db,
  );
  await db.schema
    .createIndex('bookings_office_slot')
    .on('bookings')
    .columns(['office_id', 'slot_start'])
    .execute();
  await db.schema
    .createIndex('bookings_service_slot')
    .on('bookings')
    .columns(['service_id', 'slot_start'])
    .execute();
  await db.schema
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('site_offices')
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('office_id', 'text', (c) => c.notNull().references('offices.id'))
    .addPrimaryKeyConstraint('site_offices_pk', ['site_id', 'office_id'])
    .execute();
  await db.schema
    .createTable('totems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('operator_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operators.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('booking_id', 'text', (c) => c.references('bookings.id'))
    .addColumn('totem_id', 'text', (c) => c.notNull().references('totems.id'))
    .addColumn('operator_id', 'text', (c) => c.references('operators.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('ended_at', 'text')
    .addColumn('duration_seconds', 'real')
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema.createIndex('calls_created').on('calls').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'calls',
    'operator_sessions',
    'totems',
    'site_offices',
    'sites',
    'bookings',
    'schedules',
    'operator_offices',
    'operators',
    'services',
    'offices',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
