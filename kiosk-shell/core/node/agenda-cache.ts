// The totem's copy of the agenda (SQLite, WAL). It holds, per booking, only a 16-bit tag of the
// code's HMAC with the site key, the slot window, ids and status — no names, contacts, codes or full
// hashes — and answers "is this code valid now?" locally, so the answer is instant and works offline.
// A tag stands for about 1,526 valid codes, so a match is a strong hint, not a proof: the full HMAC
// of the typed code goes with the check-in and the server checks it (docs/sync-protocol.md). The feed
// is applied here (newest version wins, tombstones respected, rows and cursor in one transaction)
// and a snapshot is installed through a shadow table (docs/sync-protocol.md, "Kiosk side").
import type BetterSqlite3 from 'better-sqlite3';
import {
  checkInWindow,
  codeTagOf,
  type AgendaChange,
  type AgendaSnapshot,
  type KioskAgenda,
  type KioskAgendaEntry,
  type RejectReason,
} from '@sportello/protocol';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AGENDA_MIGRATIONS } from './agenda-migrations.ts';
import { openStore } from './agenda-store.ts';
import { SiteKeyFile } from './site-key.ts';

export type Validation =
  /** `codeHash` is the full HMAC of the typed code, for the server's check; it is never stored here. */
  | { ok: true; entry: KioskAgendaEntry; codeHash: string }
  | { ok: false; reason: Extract<RejectReason, 'unknown' | 'too-early' | 'too-late' | 'used' | 'cancelled'> };

interface LookupRow {
  tomb: 0 | 1;
  booking_id: string;
  code_tag: string;
  slot_start: string | null;
  slot_end: string | null;
  office_id: string | null;
  service_id: string | null;
  operator_id: string | null;
  /** The booking's status, or the tombstone's reason. */
  status: string;
  version: number;
  used_version: number | null;
}

/** Where a test may stop the process (S-2, S-4): inside the apply transaction, or before a swap. */
export interface CacheHooks {
  afterRows?: () => void;
  afterCursor?: () => void;
  shadowLoaded?: () => void;
}

export interface AgendaCacheOptions {
  log?: (msg: string, detail?: unknown) => void;
  /** Hours a tombstone is kept; the server's `sync.tombstoneRetentionHours`. Default 72. */
  tombstoneRetentionHours?: number;
}

const DAY_MS = 86_400_000;
const COLUMNS =
  'booking_id, code_tag, slot_start, slot_end, office_id, service_id, operator_id, status, version';
const VALUES =
  '@bookingId, @codeTag, @slotStart, @slotEnd, @officeId, @serviceId, @operatorId, @status, @version';

/** The snapshot failed verification: the live cache was not touched. */
export class SnapshotRejected extends Error {}

export class AgendaCache {
  readonly dataDir: string;
  /** Where a corrupted file was moved at start (S-9); undefined when the file was sound. */
  readonly quarantinedTo: string | undefined;
  testHooks: CacheHooks = {};
  private readonly db: BetterSqlite3.Database;
  private readonly key: SiteKeyFile;
  private readonly retentionMs: number;
  private closed = false;
  private readonly s;

  constructor(dataDir: string, options: AgendaCacheOptions = {}) {
    mkdirSync(dataDir, { recursive: true });
    this.dataDir = dataDir;
    this.retentionMs = (options.tombstoneRetentionHours ?? 72) * 3_600_000;
    const opened = openStore(join(dataDir, 'agenda.db'), {
      migrations: AGENDA_MIGRATIONS,
      synchronous: 'NORMAL',
      ...(options.log ? { log: options.log } : {}),
    });
    this.db = opened.db;
    this.quarantinedTo = opened.quarantinedTo;
    const db = this.db;
    // Migration 3 cut full hashes down to tags, but SQLite may leave the old bytes in free space
    // within pages: the file is rebuilt once (VACUUM) and the WAL emptied, so no trace remains (C-4).
    if (!db.prepare("SELECT 1 FROM meta WHERE key = 'least_data'").get()) {
      db.exec('VACUUM');
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('least_data', '1')").run();
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    this.s = {
      lookup: db.prepare<[{ h: string }], LookupRow>(
        `SELECT 0 AS tomb, ${COLUMNS}, used_version FROM entries WHERE code_tag = @h
         UNION ALL
         SELECT 1, booking_id, code_tag, NULL, NULL, NULL, NULL, NULL, reason, version, NULL
           FROM tombstones WHERE code_tag = @h`,
      ),
      rowVersion: db.prepare<[string], { version: number }>(
        'SELECT version FROM entries WHERE booking_id = ?',
      ),
      tombVersion: db.prepare<[string], { version: number }>(
        'SELECT version FROM tombstones WHERE booking_id = ?',
      ),
      upsert: db.prepare(
        `INSERT INTO entries (${COLUMNS}) VALUES (${VALUES})
         ON CONFLICT (booking_id) DO UPDATE SET code_tag = excluded.code_tag,
           slot_start = excluded.slot_start, slot_end = excluded.slot_end, office_id = excluded.office_id,
           service_id = excluded.service_id, operator_id = excluded.operator_id, status = excluded.status,
           used_version = CASE WHEN excluded.version > entries.version THEN NULL ELSE entries.used_version END,
           version = excluded.version`,
      ),
      dropTomb: db.prepare('DELETE FROM tombstones WHERE booking_id = ?'),
      dropRow: db.prepare('DELETE FROM entries WHERE booking_id = ?'),
      putTomb: db.prepare(
        `INSERT INTO tombstones (booking_id, version, reason, code_tag, seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (booking_id) DO UPDATE SET version = excluded.version, reason = excluded.reason,
           code_tag = coalesce(excluded.code_tag, tombstones.code_tag), seen_at = excluded.seen_at`,
      ),
      pruneRows: db.prepare('DELETE FROM entries WHERE slot_start < ?'),
      pruneTombs: db.prepare('DELETE FROM tombstones WHERE seen_at < ?'),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      delMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
      shadowInsert: db.prepare(`INSERT INTO entries_shadow (${COLUMNS}) VALUES (${VALUES})`),
      markUsed: db.prepare('UPDATE entries SET used_version = version WHERE booking_id = ?'),
      clearUsed: db.prepare('UPDATE entries SET used_version = NULL WHERE booking_id = ?'),
    };
    // The site key lives beside the database, not in it: a copy of agenda.db alone reveals nothing.
    this.key = new SiteKeyFile(join(dataDir, 'site.key'));
    // A key that does not match the one the rows were hashed with (a crash between writing the key
    // and the swap) makes every hash useless: forget the cursor, so the next sync takes a snapshot.
    const check = this.meta('key_check');
    if (check !== undefined && check !== this.key.check()) this.s.delMeta.run('cursor');
  }

  get hasAgenda(): boolean {
    return this.key.present && this.meta('key_check') === this.key.check();
  }
  get siteId(): string | undefined {
    return this.meta('site_id');
  }
  /** The feed position of the cache; undefined when it must be (re)built from a snapshot. */
  get cursor(): number | undefined {
    const v = this.meta('cursor');
    return v === undefined ? undefined : Number(v);
  }
  get siteKeyVersion(): number | undefined {
    const v = this.meta('site_key_version');
    return v === undefined ? undefined : Number(v);
  }

  private meta(key: string): string | undefined {
    return this.s.getMeta.get(key)?.value;
  }

  /**
   * Applies feed entries and moves the cursor, in one transaction: a kill anywhere inside leaves
   * both the old rows and the old cursor (S-2). Replays, duplicates and stale entries change nothing.
   */
  applyChanges(changes: readonly AgendaChange[], cursor: number, serverTime: string): void {
    const serverMs = Date.parse(serverTime);
    const seenAt = new Date(serverMs).toISOString();
    this.db.transaction(() => {
      for (const c of changes) {
        const id = c.op === 'upsert' ? c.booking.bookingId : c.bookingId;
        const v = c.op === 'upsert' ? c.booking.version : c.version;
        const row = this.s.rowVersion.get(id)?.version ?? 0;
        const tomb = this.s.tombVersion.get(id)?.version ?? 0;
        if (c.op === 'upsert') {
          if (v < row || v <= tomb) continue;
          this.s.upsert.run(normalized(c.booking));
          this.s.dropTomb.run(id);
        } else {
          if (v < row || v < tomb) continue;
          this.s.dropRow.run(id);
          this.s.putTomb.run(id, v, c.reason, c.codeTag ?? null, seenAt);
        }
      }
      this.testHooks.afterRows?.();
      this.prune(serverMs);
      this.s.setMeta.run('cursor', String(cursor));
      this.s.setMeta.run('last_server_time', seenAt);
      this.testHooks.afterCursor?.();
    })();
  }

  /** Bookings more than a day old and tombstones older than the retention go (see the protocol). */
  private prune(serverMs: number): void {
    this.s.pruneRows.run(new Date(serverMs - DAY_MS).toISOString());
    this.s.pruneTombs.run(new Date(serverMs - this.retentionMs).toISOString());
  }

  /**
   * Installs a snapshot: loaded into the shadow table, verified, then swapped in with the cursor and
   * key version in one transaction (S-4). A snapshot that fails verification leaves the live cache
   * as it was and throws SnapshotRejected.
   */
  installSnapshot(snap: AgendaSnapshot, expectedSiteId: string): void {
    if (snap.siteId !== expectedSiteId) {
      throw new SnapshotRejected(`snapshot of site ${snap.siteId}, expected ${expectedSiteId}`);
    }
    const key = Buffer.from(snap.siteKey, 'base64');
    if (key.length < 16) throw new SnapshotRejected('the site key is missing or too short');
    try {
      this.db.transaction(() => {
        this.db.exec('DELETE FROM entries_shadow');
        for (const b of snap.bookings) this.s.shadowInsert.run(normalized(b));
      })();
    } catch (err) {
      this.db.exec('DELETE FROM entries_shadow');
      throw new SnapshotRejected(`snapshot rows refused (${(err as Error).message})`);
    }
    const count = (this.db.prepare('SELECT count(*) AS n FROM entries_shadow').get() as { n: number }).n;
    const malformed = (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM entries_shadow
           WHERE length(code_tag) <> 4 OR code_tag GLOB '*[^0-9a-f]*'`,
        )
        .get() as { n: number }
    ).n;
    if (count !== snap.bookings.length || malformed !== 0 || !Number.isInteger(snap.cursor)) {
      this.db.exec('DELETE FROM entries_shadow');
      throw new SnapshotRejected(
        `snapshot verification failed: ${count} rows, ${malformed} malformed code tags`,
      );
    }
    this.testHooks.shadowLoaded?.();
    // The key file is written first; its check goes in with the swap, so a crash in between is seen
    // at the next start as a mismatch and answered with a new snapshot.
    this.key.write(snap.siteKey);
    const serverMs = Date.parse(snap.serverTime);
    this.db.transaction(() => {
      // A check-in made here and not yet seen by the server stays marked, if the row did not change.
      this.db.exec(`UPDATE entries_shadow SET used_version = (SELECT e.used_version FROM entries e
        WHERE e.booking_id = entries_shadow.booking_id AND e.version >= entries_shadow.version)`);
      this.db.exec('DELETE FROM entries');
      this.db.exec(
        `INSERT INTO entries (${COLUMNS}, used_version) SELECT ${COLUMNS}, used_version FROM entries_shadow`,
      );
      this.db.exec('DELETE FROM entries_shadow');
      this.db.exec('DELETE FROM tombstones');
      this.prune(serverMs);
      this.s.setMeta.run('site_id', snap.siteId);
      this.s.setMeta.run('cursor', String(snap.cursor));
      this.s.setMeta.run('site_key_version', String(snap.siteKeyVersion));
      this.s.setMeta.run('key_check', this.key.check());
      this.s.setMeta.run('last_server_time', new Date(serverMs).toISOString());
    })();
  }

  /** Replaces the whole cache with an agenda of the older pull endpoint (benchmarks and tools). */
  replaceAll(agenda: KioskAgenda): void {
    this.key.write(agenda.siteKey);
    this.db.transaction(() => {
      this.db.exec('DELETE FROM entries');
      this.db.exec('DELETE FROM tombstones');
      for (const e of agenda.entries) this.s.upsert.run(normalized(e));
      this.s.setMeta.run('site_id', agenda.siteId);
      this.s.setMeta.run('key_check', this.key.check());
      // Without a feed position, the next sync starts from a snapshot.
      this.s.delMeta.run('cursor');
    })();
  }

  /** Learned from the server before the first snapshot, so the feed's address is known. */
  setSiteId(siteId: string): void {
    this.s.setMeta.run('site_id', siteId);
  }

  /** Marks a booking used here right after a check-in, until the feed brings a newer version. */
  markUsed(bookingId: string): void {
    this.s.markUsed.run(bookingId);
  }
  /** The server refused the check-in: the code is not used after all. */
  clearUsed(bookingId: string): void {
    this.s.clearUsed.run(bookingId);
  }

  hash(code: string): string | undefined {
    return this.key.hmac(code);
  }

  /**
   * Validates a well-formed code at a (server-corrected) time. The work is the same for every code
   * (C-3): one HMAC (with a throwaway key when there is none) and one query that probes both
   * indexes, whether or not anything matches. Several bookings may share a tag; the most useful
   * verdict wins: one that can check in now, else a time-window answer, else used, else cancelled.
   */
  validate(code: string, nowMs: number, window: { earlyMinutes: number; lateMinutes: number }): Validation {
    const full = this.key.hmac(code) ?? createHmac('sha256', THROWAWAY_KEY).update(code).digest('hex');
    const rows = this.s.lookup.all({ h: codeTagOf(full) });
    if (rows.length === 0 || !this.key.present) return { ok: false, reason: 'unknown' };
    let best: { rank: number; distance: number; verdict: Validation } | undefined;
    for (const row of rows) {
      const judged = judge(row, nowMs, window, full);
      if (!best || judged.rank < best.rank || (judged.rank === best.rank && judged.distance < best.distance))
        best = judged;
    }
    return best!.verdict;
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

const THROWAWAY_KEY = randomBytes(32);

/** Lower ranks win: 0 can check in, 1 outside its window, 2 used, 3 cancelled, 4 unknown. */
function judge(
  row: LookupRow,
  nowMs: number,
  window: { earlyMinutes: number; lateMinutes: number },
  codeHash: string,
): { rank: number; distance: number; verdict: Validation } {
  const no = (rank: number, reason: Extract<Validation, { ok: false }>['reason'], distance = 0) => ({
    rank,
    distance,
    verdict: { ok: false as const, reason },
  });
  if (row.tomb === 1) return row.status === 'cancelled' ? no(3, 'cancelled') : no(4, 'unknown');
  if (row.status === 'cancelled') return no(3, 'cancelled');
  if (row.status !== 'booked' || (row.used_version !== null && row.used_version >= row.version)) {
    return no(2, 'used');
  }
  const start = Date.parse(row.slot_start!);
  const distance = Math.abs(start - nowMs);
  const verdict = checkInWindow(start, nowMs, window);
  if (verdict !== 'ok') return no(1, verdict, distance);
  return {
    rank: 0,
    distance,
    verdict: {
      ok: true,
      codeHash,
      entry: {
        bookingId: row.booking_id,
        codeTag: row.code_tag,
        slotStart: row.slot_start!,
        slotEnd: row.slot_end!,
        officeId: row.office_id!,
        serviceId: row.service_id!,
        operatorId: row.operator_id,
        status: 'booked',
        version: row.version,
      },
    },
  };
}

/** Times in one format, so that the pruning comparison on strings is a comparison of instants. */
function normalized<T extends { slotStart: string; slotEnd: string }>(b: T): T {
  return {
    ...b,
    slotStart: new Date(b.slotStart).toISOString(),
    slotEnd: new Date(b.slotEnd).toISOString(),
  };
}
