// The audit log of administrative and identity events: who did what to which target, when, and
// whether it was allowed. Written for every enrollment, token refusal, clone, revocation, remote
// action and refused access; never holds citizens' data or secrets.
import type { AuditEntry } from '@sportello/protocol';
import type { Logger } from '../logger.ts';
import type { FleetDb } from './fleet-db.ts';

export interface AuditRecord {
  actor: string;
  action: string;
  target?: string | null;
  result: AuditEntry['result'];
  detail?: string | null;
}

export class AuditLog {
  constructor(
    private readonly db: FleetDb,
    private readonly log: Logger,
    private readonly now: () => Date,
  ) {}

  /** Never throws: a failed audit write is logged, and the action it describes goes on. */
  async record(entry: AuditRecord): Promise<void> {
    const row = {
      at: this.now().toISOString(),
      actor: entry.actor.slice(0, 200),
      action: entry.action,
      target: entry.target?.slice(0, 200) ?? null,
      result: entry.result,
      detail: entry.detail?.slice(0, 1000) ?? null,
    };
    this.log.info({ audit: row }, `audit: ${row.action} ${row.result}`);
    try {
      await this.db.insertInto('audit_log').values(row).execute();
    } catch (err) {
      this.log.error({ err, audit: row }, 'could not write the audit log');
    }
  }

  async list(limit: number, before?: number): Promise<AuditEntry[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit);
    if (before !== undefined) q = q.where('id', '<', before);
    return (await q.execute()).map((r) => ({ ...r, id: Number(r.id) }));
  }
}
