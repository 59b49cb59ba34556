// Self-test reports sent by `provisioning self-test` on a totem: stored as received, a bounded number
// per totem, the latest shown in the administrators' totem detail.
import { selfTestReportSchema, type SelfTestRecord, type SelfTestReport } from '@sportello/protocol';
import type { Generated, Kysely } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Database } from '../db/schema.ts';
import type { AuditLog } from './audit.ts';

export interface TotemSelfTestsTable {
  id: Generated<number>;
  totem_id: string;
  received_at: string;
  /** 1 when no check failed. */
  passed: number;
  /** The report as sent, JSON. */
  report: string;
}

type SelfTestTables = { totem_self_tests: TotemSelfTestsTable };

export interface SelfTestsOptions {
  db: Db;
  audit: AuditLog;
  now: () => Date;
  /** Reports kept per totem. Default 20. */
  keep?: number;
}

export class SelfTests {
  private readonly db: Kysely<Database & SelfTestTables>;

  constructor(private readonly o: SelfTestsOptions) {
    this.db = o.db.withTables<SelfTestTables>() as unknown as Kysely<Database & SelfTestTables>;
  }

  async record(totemId: string, report: SelfTestReport): Promise<SelfTestRecord> {
    const passed = report.checks.every((c) => c.status !== 'fail');
    const receivedAt = this.o.now().toISOString();
    const row = await this.db
      .insertInto('totem_self_tests')
      .values({
        totem_id: totemId,
        received_at: receivedAt,
        passed: passed ? 1 : 0,
        report: JSON.stringify(report),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Older reports beyond the kept number go: the latest ones tell the totem's story.
    const keep = this.o.keep ?? 20;
    const cutoff = await this.db
      .selectFrom('totem_self_tests')
      .select('id')
      .where('totem_id', '=', totemId)
      .orderBy('id', 'desc')
      .offset(keep)
      .limit(1)
      .executeTakeFirst();
    if (cutoff) {
      await this.db
        .deleteFrom('totem_self_tests')
        .where('totem_id', '=', totemId)
        .where('id', '<=', cutoff.id)
        .execute();
    }
    const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
    await this.o.audit.record({
      actor: `totem:${totemId}`,
      action: 'self-test',
      target: totemId,
      result: passed ? 'ok' : 'failed',
      detail: passed ? `${report.checks.length} checks` : `failed: ${failed.join(', ')}`,
    });
    return { id: Number(row.id), receivedAt, passed, report };
  }

  async latest(totemId: string): Promise<SelfTestRecord | null> {
    const row = await this.db
      .selectFrom('totem_self_tests')
      .selectAll()
      .where('totem_id', '=', totemId)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    const report = selfTestReportSchema.safeParse(JSON.parse(row.report));
    if (!report.success) return null;
    return { id: Number(row.id), receivedAt: row.received_at, passed: row.passed === 1, report: report.data };
  }
}
