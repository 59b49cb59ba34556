// 006: messages to citizens and the data rules around them. A durable job per message (confirmation,
// reminder, cancellation, rescheduling, verification code) that a delivery loop claims, sends and
// records; per-booking fields for the citizen's language, the calendar invitation's sequence, the
// generation of the links sent (a reschedule makes earlier links stale), the e-mail/phone
// verification hold of the abuse limits, and the purge stamp of the retention job; a per-service
// "what to bring" text. Portable DDL only (SQLite and PostgreSQL).
import { PostgresAdapter, sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('message_jobs')
    .addColumn('id', postgres ? 'serial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    // No foreign key: a booking deleted by an administrator leaves its sent messages as history.
    .addColumn('booking_id', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    // Copied at enqueue time so a message goes where the citizen asked even if the booking changes;
    // emptied by the retention job.
    .addColumn('recipient', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The delivery loop's query: "pending (or stale sending) jobs due by now, oldest first".
  await db.schema.createIndex('message_jobs_due').on('message_jobs').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('message_jobs_booking').on('message_jobs').column('booking_id').execute();

  await db.schema
    .alterTable('bookings')
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('it'))
    .execute();
  await db.schema
    .alterTable('bookings')
    .addColumn('ics_sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('bookings')
    .addColumn('link_generation', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // Keyed hash of the client address (never the address itself): the per-address limit counts it.
  await db.schema.alterTable('bookings').addColumn('address_hash', 'text').execute();
  await db.schema.alterTable('bookings').addColumn('verify_code_hash', 'text').execute();
  await db.schema.alterTable('bookings').addColumn('verify_expires_at', 'text').execute();
  await db.schema.alterTable('bookings').addColumn('purged_at', 'text').execute();
  await db.schema.alterTable('services').addColumn('what_to_bring', 'text').execute();

  // Retention: "bookings not yet purged that ended before the cutoff".
  await db.schema
    .createIndex('bookings_unpurged_end')
    .on('bookings')
    .column('slot_end')
    .where(sql.ref('purged_at'), 'is', null)
    .execute();
  // Abuse limits: open bookings of one contact or one address.
  await db.schema.createIndex('bookings_email').on('bookings').columns(['email', 'status']).execute();
  await db.schema.createIndex('bookings_phone').on('bookings').columns(['phone', 'status']).execute();
  await db.schema
    .createIndex('bookings_address')
    .on('bookings')
    .columns(['address_hash', 'created_at'])
    .execute();
  // Holds waiting for their verification code.
  await db.schema
    .createIndex('bookings_verify_expiry')
    .on('bookings')
    .column('verify_expires_at')
    .where(sql.ref('verify_expires_at'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of [
    'bookings_verify_expiry',
    'bookings_address',
    'bookings_phone',
    'bookings_email',
    'bookings_unpurged_end',
  ]) {
    await db.schema.dropIndex(index).execute();
  }
  await db.schema.alterTable('services').dropColumn('what_to_bring').execute();
  for (const column of [
    'purged_at',
    'verify_expires_at',
    'verify_code_hash',
    'address_hash',
    'link_generation',
    'ics_sequence',
    'language',
  ]) {
    await db.schema.alterTable('bookings').dropColumn(column).execute();
  }
  await db.schema.dropTable('message_jobs').execute();
}
