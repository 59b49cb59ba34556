// 009: the citizen at home. A booking says where the citizen will talk from (`mode`: 'totem' or
// 'home', a video call from the browser); it keeps the answers to its service's booking questions
// (JSON, purged by retention with the other personal fields). Portable DDL only (SQLite and
// PostgreSQL).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('bookings')
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('totem'))
    .execute();
  await db.schema.alterTable('bookings').addColumn('answers', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['answers', 'mode']) {
    await db.schema.alterTable('bookings').dropColumn(column).execute();
  }
}
