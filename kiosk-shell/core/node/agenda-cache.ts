// The totem's copy of the agenda (SQLite, WAL). It holds, per booking, only an HMAC of the code
// with the site key, the slot window, ids and status — no names, contacts or codes in clear — and
// answers "is this code valid now?" locally, so the answer is instant and works offline.
import BetterSqlite3 from 'better-sqlite3';
import {
  checkInWindow,
  type KioskAgenda,
  type KioskAgendaEntry,
  type RejectReason,
} from '@sportello/protocol';
import { createHmac } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Validation =
  | { ok: true; entry: KioskAgendaEntry }
  | { ok: false; reason: Extract<RejectReason, 'unknown' | 'too-early' | 'too-late' | 'used' | 'cancelled'> };

interface Row {
  booking_id: string;
  code_hash: string;
  slot_start: string;
  slot_end: string;
  office_id: string;
  service_id: string;
  operator_id: string | null;
  status: KioskAgendaEntry['status'];
  version: number;
}

export class AgendaCache {
  private readonly db: BetterSqlite3.Database;
  private siteKey: Buffer | undefined;
  private readonly keyFile: string;
  private closed = false;
  private readonly lookupStmt: BetterSqlite3.Statement<[string], Row>;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.keyFile = join(dataDir, 'site.key');
    this.db = new BetterSqlite3(join(dataDir, 'agenda.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        booking_id TEXT PRIMARY KEY,
        code_hash TEXT NOT NULL,
        slot_start TEXT NOT NULL,
        slot_end TEXT NOT NULL,
        office_id TEXT NOT NULL,
        service_id TEXT NOT NULL,
        operator_id TEXT,
        status TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS entries_code_hash ON entries (code_hash);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.lookupStmt = this.db.prepare('SELECT * FROM entries WHERE code_hash = ?');
    // The site key lives beside the database, not in it: a copy of agenda.db alone reveals nothing.
    if (existsSync(this.keyFile))
      this.siteKey = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
  }

  get hasAgenda(): boolean {
    return this.siteKey !== undefined;
  }

  /** Replaces the whole cache with a pulled agenda, in one transaction. */
  replaceAll(agenda: KioskAgenda): void {
    const insert = this.db.prepare(
      `INSERT INTO entries (booking_id, code_hash, slot_start, slot_end, office_id, service_id, operator_id, status, version)
       VALUES (@bookingId, @codeHash, @slotStart, @slotEnd, @officeId, @serviceId, @operatorId, @status, @version)`,
    );
    this.db.transaction(() => {
      this.db.exec('DELETE FROM entries');
      for (const e of agenda.entries) insert.run(e);
      this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('site_id', agenda.siteId);
    })();
    if (this.siteKey?.toString('base64') !== agenda.siteKey) {
      writeFileSync(this.keyFile, agenda.siteKey, { mode: 0o600 });
      chmodSync(this.keyFile, 0o600);
      this.siteKey = Buffer.from(agenda.siteKey, 'base64');
    }
  }

  /** Marks a booking used locally right after a successful check-in, before the next pull. */
  markStatus(bookingId: string, status: KioskAgendaEntry['status']): void {
    this.db.prepare('UPDATE entries SET status = ? WHERE booking_id = ?').run(status, bookingId);
  }

  hash(code: string): string | undefined {
    if (!this.siteKey) return undefined;
    return createHmac('sha256', this.siteKey).update(code).digest('hex');
  }

  /**
   * Validates a well-formed code at a (server-corrected) time. The lookup is by hash, so a known
   * and an unknown code cost the same work.
   */
  validate(code: string, nowMs: number, window: { earlyMinutes: number; lateMinutes: number }): Validation {
    const hash = this.hash(code);
    const row = hash ? this.lookupStmt.get(hash) : undefined;
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.status === 'cancelled') return { ok: false, reason: 'cancelled' };
    if (row.status !== 'booked') return { ok: false, reason: 'used' };
    const verdict = checkInWindow(Date.parse(row.slot_start), nowMs, window);
    if (verdict !== 'ok') return { ok: false, reason: verdict };
    return {
      ok: true,
      entry: {
        bookingId: row.booking_id,
        codeHash: row.code_hash,
        slotStart: row.slot_start,
        slotEnd: row.slot_end,
        officeId: row.office_id,
        serviceId: row.service_id,
        operatorId: row.operator_id,
        status: row.status,
        version: row.version,
      },
    };
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM entries').get() as { n: number }).n;
  }

  /** The raw handle, for EXPLAIN QUERY PLAN checks in tests and benchmarks. */
  get sqlite(): BetterSqlite3.Database {
    return this.db;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
