// 004: self-test reports. Each run of `provisioning self-test` on a totem is kept as sent (JSON) with
// whether it passed; the fleet page shows the latest. Portable DDL only (SQLite and PostgreSQL).
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('totem_self_tests')
    .addColumn('id', postgres ? 'serial' : 'integer', (c) =>
      postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('totem_id', 'text', (c) => c.notNull().references('totems.id'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('report', 'text', (c) => c.notNull())
    .execute();
  // The only read is "this totem's newest reports".
  await db.schema
    .createIndex('totem_self_tests_totem')
    .on('totem_self_tests')
    .columns(['totem_id', 'id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('totem_self_tests').execute();
}
