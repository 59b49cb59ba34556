// Retention, two kinds. Personal data (M-4): a booking's name, contacts, reason and client-address
// hash, the recipients of its messages, and call-back numbers are emptied a configured number of
// days after the appointment (or the call-back), keeping the anonymous rows for statistics.
// Pruning of the change feed. Change rows older than the retention go, and each site remembers the
// highest pruned sequence that concerned it: a totem whose cursor is below it has missed changes
// and gets 410 (take a snapshot). The newest row is never pruned, so the head of the feed never
// goes backwards and a cursor handed out once stays valid or expires, never silently rewinds.
import { sql } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { withTransaction } from './change-log.ts';

/** Prunes change rows created before `cutoff`; returns how many went. */
export async function pruneAgendaChanges(db: Db, cutoff: Date): Promise<number> {
  const before = cutoff.toISOString();
  return withTransaction(db, async (trx) => {
    const newest = await trx
      .selectFrom('agenda_changes')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    if (newest?.seq == null) return 0;
    const head = Number(newest.seq);
    const perSite = await trx
      .selectFrom('agenda_changes as c')
      .innerJoin('site_offices as so', 'so.office_id', 'c.office_id')
      .select(['so.site_id', (eb) => eb.fn.max('c.seq').as('seq')])
      .where('c.created_at', '<', before)
      .where('c.seq', '<', head)
      .groupBy('so.site_id')
      .execute();
    for (const p of perSite) {
      await trx
        .insertInto('agenda_horizons')
        .values({ site_id: p.site_id, min_cursor: Number(p.seq) })
        .onConflict((oc) =>
          oc.column('site_id').doUpdateSet({
            min_cursor: sql<number>`CASE WHEN excluded.min_cursor > agenda_horizons.min_cursor
              THEN excluded.min_cursor ELSE agenda_horizons.min_cursor END`,
          }),
        )
        .execute();
    }
    const deleted = await trx
      .deleteFrom('agenda_changes')
      .where('created_at', '<', before)
      .where('seq', '<', head)
      .executeTakeFirst();
    return Number(deleted.numDeletedRows);
  });
}

/**
 * Empties the personal fields of bookings that ended before `cutoff`, of their message jobs, and
 * of call-backs received before it. Returns how many bookings and call-backs were purged.
 */
export async function purgePersonalData(db: Db, cutoff: Date, now: Date) {
  const before = cutoff.toISOString();
  return withTransaction(db, async (trx) => {
    const ids = (
      await trx
        .selectFrom('bookings')
        .select('id')
        .where('purged_at', 'is', null)
        .where('slot_end', '<', before)
        .execute()
    ).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await trx
        .updateTable('bookings')
        .set({
          name: '',
          email: null,
          phone: null,
          reason: '',
          answers: null,
          address_hash: null,
          verify_code_hash: null,
          purged_at: now.toISOString(),
        })
        .where('id', 'in', chunk)
        .execute();
      await trx
        .updateTable('message_jobs')
        .set({ recipient: null, last_error: null })
        .where('booking_id', 'in', chunk)
        .execute();
    }
    const callbacks = await trx
      .updateTable('callbacks')
      .set({ phone: '' })
      .where('received_at', '<', before)
      .where('phone', '!=', '')
      .executeTakeFirst();
    return { bookings: ids.length, callbacks: Number(callbacks.numUpdatedRows) };
  });
}

export interface AgendaRetentionOptions {
  db: Db;
  log: Logger;
  /** Hours a change (and so a tombstone) is kept. */
  retentionHours: number;
  now: () => Date;
  /** Least time between two prunes, on the `now` clock. Default 10 minutes. */
  intervalMs?: number;
  /** Days after the appointment personal data is purged; undefined = never (tests of the feed). */
  personalDataDays?: number | undefined;
}

/**
 * Owns the pruning: a timer (started by the server, cleared by close()) and a cheap check before
 * each feed read, so that a server whose clock jumped, or a test on a fake clock, prunes on time.
 */
export class AgendaRetention {
  private readonly intervalMs: number;
  private lastRun = Number.NEGATIVE_INFINITY;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: AgendaRetentionOptions) {
    this.intervalMs = o.intervalMs ?? 10 * 60_000;
  }

  get retentionHours(): number {
    return this.o.retentionHours;
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => void this.pruneIfDue(), this.intervalMs);
    this.timer.unref();
  }

  /** Prunes unless a prune ran less than the interval ago; concurrent callers share one run. */
  pruneIfDue(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.running) return this.running;
    const now = this.o.now();
    if (now.getTime() - this.lastRun < this.intervalMs) return Promise.resolve();
    this.lastRun = now.getTime();
    const cutoff = new Date(now.getTime() - this.o.retentionHours * 3_600_000);
    const days = this.o.personalDataDays;
    this.running = pruneAgendaChanges(this.o.db, cutoff)
      .then(async (n) => {
        if (n > 0) this.o.log.info({ pruned: n, before: cutoff.toISOString() }, 'agenda changes pruned');
        if (days === undefined) return;
        const purged = await purgePersonalData(this.o.db, new Date(now.getTime() - days * 86_400_000), now);
        if (purged.bookings + purged.callbacks > 0) this.o.log.info(purged, 'personal data purged');
      })
      .catch((err: unknown) => this.o.log.error({ err }, 'pruning agenda changes failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
