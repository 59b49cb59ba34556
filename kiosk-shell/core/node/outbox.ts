// The totem's outbox: check-ins and call-back requests it accepted, each with an idempotency key
// made when it happened, kept until the server has answered (docs/sync-protocol.md). Its own file
// (outbox.db), written with synchronous=FULL: an item is acknowledged to the citizen only after its
// commit reached the disk, and a corrupted agenda file, which is rebuilt from the server, never
// takes the outbox with it. A delivered call-back's phone number is deleted at once, and the WAL is
// checkpointed so that the number does not linger in the file (secure_delete is on).
import type BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore, type Migration } from './agenda-store.ts';
import type { KeyValue } from './clock.ts';

export type OutboxItem =
  | {
      seq: number;
      key: string;
      kind: 'check-in';
      bookingId: string;
      codeHash: string | null;
      occurredAt: string;
    }
  | {
      seq: number;
      key: string;
      kind: 'callback';
      bookingId: string | null;
      phone: string;
      occurredAt: string;
    };

interface Row {
  seq: number;
  key: string;
  kind: 'check-in' | 'callback';
  booking_id: string | null;
  code_hash: string | null;
  phone: string | null;
  occurred_at: string;
}

const MIGRATIONS: readonly Migration[] = [
  (db) =>
    db.exec(`
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('check-in', 'callback')),
        booking_id TEXT,
        code_hash TEXT,
        phone TEXT,
        occurred_at TEXT NOT NULL
      );
      CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `),
];

export interface OutboxOptions {
  log?: (msg: string, detail?: unknown) => void;
  /** Makes idempotency keys; default crypto.randomUUID. */
  newKey?: () => string;
}

export class Outbox {
  readonly quarantinedTo: string | undefined;
  /** Persisted small state of the core (clock anchor, attempt penalty), in the same durable file. */
  readonly state: KeyValue;
  private readonly db: BetterSqlite3.Database;
  private readonly newKey: () => string;
  private readonly listeners = new Set<() => void>();
  private closed = false;
  private readonly s;

  constructor(dataDir: string, o: OutboxOptions = {}) {
    mkdirSync(dataDir, { recursive: true });
    const opened = openStore(join(dataDir, 'outbox.db'), {
      migrations: MIGRATIONS,
      synchronous: 'FULL',
      ...(o.log ? { log: o.log } : {}),
    });
    if (opened.quarantinedTo) {
      o.log?.('OUTBOX LOST: undelivered check-ins and call-backs are in the quarantined file', {
        file: opened.quarantinedTo,
      });
    }
    this.db = opened.db;
    this.quarantinedTo = opened.quarantinedTo;
    this.newKey = o.newKey ?? randomUUID;
    const db = this.db;
    this.s = {
      insert: db.prepare(
        `INSERT INTO outbox (key, kind, booking_id, code_hash, phone, occurred_at)
         VALUES (@key, @kind, @bookingId, @codeHash, @phone, @occurredAt)`,
      ),
      remove: db.prepare<[string], { kind: string }>('DELETE FROM outbox WHERE key = ? RETURNING kind'),
      list: db.prepare<[], Row>('SELECT * FROM outbox ORDER BY seq'),
      get: db.prepare<[string], Row>('SELECT * FROM outbox WHERE key = ?'),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox'),
      getState: db.prepare<[string], { value: string }>('SELECT value FROM state WHERE key = ?'),
      setState: db.prepare('INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)'),
    };
    this.state = {
      get: (key) => this.s.getState.get(key)?.value,
      set: (key, value) => void this.s.setState.run(key, value),
    };
  }

  /**
   * Records a check-in durably; returns its idempotency key once the commit is on disk. `codeHash` is
   * the full HMAC of the typed code, for the server's own check: it stays only until the server has
   * answered (then the row is deleted, and secure_delete overwrites it).
   */
  addCheckIn(item: { bookingId: string; codeHash: string; occurredAt: string }): string {
    const key = this.newKey();
    this.s.insert.run({
      key,
      kind: 'check-in',
      bookingId: item.bookingId,
      codeHash: item.codeHash,
      phone: null,
      occurredAt: item.occurredAt,
    });
    this.changed();
    return key;
  }

  /** Records a call-back request durably; the phone number stays only until the server has it. */
  addCallback(item: { bookingId?: string | undefined; phone: string; occurredAt: string }): string {
    const key = this.newKey();
    this.s.insert.run({
      key,
      kind: 'callback',
      bookingId: item.bookingId ?? null,
      codeHash: null,
      phone: item.phone,
      occurredAt: item.occurredAt,
    });
    this.changed();
    return key;
  }

  /**
   * The server has answered this item: it leaves the totem, with its phone number (a call-back) or
   * the full HMAC of the typed code (a check-in), either of which would identify a person or a code.
   */
  delivered(key: string): void {
    // An answer that arrives while the kiosk shuts down is simply heard again after the restart.
    if (this.closed) return;
    const removed = this.s.remove.get(key);
    // Pages freed by the delete are zeroed (secure_delete); the checkpoint takes the old copy of the
    // page out of the WAL too.
    if (removed) {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.changed();
    }
  }

  get(key: string): OutboxItem | undefined {
    const row = this.s.get.get(key);
    return row ? toItem(row) : undefined;
  }

  /** Items in the order they happened. */
  items(): OutboxItem[] {
    if (this.closed) return [];
    return this.s.list.all().map(toItem);
  }

  pending(): number {
    if (this.closed) return 0;
    return this.s.count.get()!.n;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** The raw handle, for integrity checks in tests. */
  get sqlite(): BetterSqlite3.Database {
    return this.db;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.db.close();
  }
}

function toItem(r: Row): OutboxItem {
  return r.kind === 'check-in'
    ? {
        seq: r.seq,
        key: r.key,
        kind: 'check-in',
        bookingId: r.booking_id!,
        codeHash: r.code_hash,
        occurredAt: r.occurred_at,
      }
    : {
        seq: r.seq,
        key: r.key,
        kind: 'callback',
        bookingId: r.booking_id,
        phone: r.phone!,
        occurredAt: r.occurred_at,
      };
}
