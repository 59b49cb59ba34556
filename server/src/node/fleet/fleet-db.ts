// Table types of migration 003, kept beside the code that uses them: `fleetDb(db)` is the same
// connection seen with these tables added (Kysely's withTables), so no query is untyped.
import type { Generated, Kysely } from 'kysely';
import type { AccountRole } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import type { Database } from '../db/schema.ts';

export interface TotemFleetTable {
  totem_id: string;
  status: Generated<'active' | 'revoked'>;
  status_reason: string | null;
  /** SPKI PEM of the enrolled Ed25519 key. */
  public_key: string | null;
  key_fingerprint: string | null;
  key_version: Generated<number>;
  enrolled_at: string | null;
  revoked_at: string | null;
  last_seen_at: string | null;
  /** The latest heartbeat, as JSON. */
  last_heartbeat: string | null;
  clone_suspected_at: string | null;
}
export interface TotemHeartbeatsTable {
  id: Generated<number>;
  totem_id: string;
  received_at: string;
  heartbeat: string;
}
export interface EnrollmentTokensTable {
  token_hash: string;
  site_id: string;
  totem_name: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  totem_id: string | null;
  key_fingerprint: string | null;
}
export interface TotemNoncesTable {
  totem_id: string;
  nonce: string;
  seen_at: string;
}
export interface RemoteActionsTable {
  id: string;
  totem_id: string;
  kind: 'restart-kiosk' | 'resync-agenda' | 'request-logs' | 'screenshot';
  status: 'queued' | 'sent' | 'done' | 'failed' | 'cancelled';
  requested_by: string;
  requested_at: string;
  completed_at: string | null;
  detail: string | null;
  content_type: string | null;
  data: string | null;
}
export interface AuditLogTable {
  id: Generated<number>;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  result: 'ok' | 'refused' | 'failed';
  detail: string | null;
}

// A type alias, not an interface: withTables needs the implicit index signature.
export type FleetTables = {
  operators: { role: Generated<AccountRole> };
  totem_fleet: TotemFleetTable;
  totem_heartbeats: TotemHeartbeatsTable;
  enrollment_tokens: EnrollmentTokensTable;
  totem_nonces: TotemNoncesTable;
  remote_actions: RemoteActionsTable;
  audit_log: AuditLogTable;
};

export type FleetDb = Kysely<Database & FleetTables>;

export function fleetDb(db: Db): FleetDb {
  return db.withTables<FleetTables>() as unknown as FleetDb;
}
