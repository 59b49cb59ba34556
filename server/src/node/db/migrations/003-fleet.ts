// 003: provisioning and fleet. Account roles on operators; per-totem identity and status
// (`totem_fleet`), a bounded heartbeat history, single-use enrollment tokens, the nonces of signed
// token requests (replay protection), remote actions, and the audit log of administrative actions.
// Portable DDL only (SQLite and PostgreSQL).
import { PostgresAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (name: string) =>
    db.schema
      .createTable(name)
      .addColumn('id', postgres ? 'serial' : 'integer', (c) =>
        postgres ? c.primaryKey() : c.primaryKey().autoIncrement(),
      );

  // Every existing account stays an operator; administrators are promoted explicitly.
  await db.schema
    .alterTable('operators')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('operator'))
    .execute();

  // One row per totem once it is enrolled, seen or revoked; totems without a row are demo totems
  // that authenticate with a secret and have never reported.
  await db.schema
    .createTable('totem_fleet')
    .addColumn('totem_id', 'text', (c) => c.primaryKey().references('totems.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('status_reason', 'text')
    .addColumn('public_key', 'text')
    .addColumn('key_fingerprint', 'text')
    // Bumped at every enrollment and revocation: bearer tokens carry it, so old ones stop working.
    .addColumn('key_version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enrolled_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('last_heartbeat', 'text')
    .addColumn('clone_suspected_at', 'text')
    .execute();

  await serial('totem_heartbeats')
    .addColumn('totem_id', 'text', (c) => c.notNull().references('totems.id'))
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat', 'text', (c) => c.notNull())
    .execute();
  // History reads and trimming are "this totem's newest rows".
  await db.schema
    .createIndex('totem_heartbeats_totem')
    .on('totem_heartbeats')
    .columns(['totem_id', 'id'])
    .execute();

  await db.schema
    .createTable('enrollment_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull().references('sites.id'))
    .addColumn('totem_name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('totem_id', 'text')
    .addColumn('key_fingerprint', 'text')
    .execute();

  await db.schema
    .createTable('totem_nonces')
    .addColumn('totem_id', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('totem_nonces_pk', ['totem_id', 'nonce'])
    .execute();
  await db.schema.createIndex('totem_nonces_seen').on('totem_nonces').column('seen_at').execute();

  await db.schema
    .createTable('remote_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('totem_id', 'text', (c) => c.notNull().references('totems.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('detail', 'text')
    .addColumn('content_type', 'text')
    .addColumn('data', 'text')
    .execute();
  await db.schema
    .createIndex('remote_actions_totem')
    .on('remote_actions')
    .columns(['totem_id', 'requested_at'])
    .execute();

  await serial('audit_log')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'audit_log',
    'remote_actions',
    'totem_nonces',
    'enrollment_tokens',
    'totem_heartbeats',
    'totem_fleet',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.alterTable('operators').dropColumn('role').execute();
}
