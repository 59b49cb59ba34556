// The schema history of agenda.db: a file of each older version opens, migrates step by step, and
// keeps what it must. Migration 3 (least data) is checked on the bytes of the file: after it, no
// full code hash is left anywhere in agenda.db or its WAL, and the cut-down rows still answer.
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeTagOf } from '@sportello/protocol';
import { AgendaCache } from './agenda-cache.ts';
import { AGENDA_MIGRATIONS } from './agenda-migrations.ts';
import { migrate } from './agenda-store.ts';
import { SiteKeyFile } from './site-key.ts';
import { codeFor, codeHashFor, FIXTURE_SLOT, SITE_KEY } from './testing/fixtures.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const WINDOW = { earlyMinutes: 15, lateMinutes: 10 };
const IDS = Array.from({ length: 50 }, (_, i) => `old-${i}`);

/** A cache file as version 2 of the software left it: full 64-hex HMACs in rows and tombstones. */
function versionTwoFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-migrate-'));
  dirs.push(dir);
  const db = new BetterSqlite3(join(dir, 'agenda.db'));
  db.pragma('journal_mode = WAL');
  migrate(db, AGENDA_MIGRATIONS.slice(0, 2));
  const row = db.prepare(
    `INSERT INTO entries (booking_id, code_hash, slot_start, slot_end, office_id, service_id, operator_id,
       status, version) VALUES (?, ?, ?, ?, 'urp', 'urp-info', NULL, 'booked', 1)`,
  );
  const end = new Date(Date.parse(FIXTURE_SLOT) + 20 * 60_000).toISOString();
  for (const id of IDS.slice(0, 40)) row.run(id, codeHashFor(id), FIXTURE_SLOT, end);
  const tomb = db.prepare(
    `INSERT INTO tombstones (booking_id, version, reason, code_hash, seen_at) VALUES (?, 2, 'cancelled', ?, ?)`,
  );
  for (const id of IDS.slice(40)) tomb.run(id, codeHashFor(id), FIXTURE_SLOT);
  const key = new SiteKeyFile(join(dir, 'site.key'));
  key.write(SITE_KEY);
  const meta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
  meta.run('site_id', 'centro');
  meta.run('key_check', key.check()!);
  meta.run('cursor', '7');
  db.close();
  return dir;
}

function fileBytes(dir: string): string {
  return Buffer.concat(
    readdirSync(dir)
      .filter((f) => f.startsWith('agenda.db'))
      .map((f) => readFileSync(join(dir, f))),
  ).toString('latin1');
}

test('C-4 migration 3 cuts every stored code hash to its 16-bit tag, and no full hash stays in the file', () => {
  const dir = versionTwoFile();
  assert.ok(fileBytes(dir).includes(codeHashFor(IDS[0]!)), 'the old file holds full hashes');
  const cache = new AgendaCache(dir);
  try {
    assert.equal(cache.sqlite.pragma('user_version', { simple: true }), AGENDA_MIGRATIONS.length);
    const rows = cache.sqlite.prepare('SELECT booking_id, code_tag FROM entries').all() as {
      booking_id: string;
      code_tag: string;
    }[];
    assert.equal(rows.length, 40);
    for (const r of rows) assert.equal(r.code_tag, codeTagOf(codeHashFor(r.booking_id)));
    // The cut-down cache still answers, offline, right after the upgrade; the cursor is kept.
    const now = Date.parse(FIXTURE_SLOT);
    const verdict = cache.validate(codeFor(IDS[3]!), now, WINDOW);
    assert.ok(verdict.ok && verdict.entry.bookingId === IDS[3] && verdict.codeHash === codeHashFor(IDS[3]!));
    assert.deepEqual(cache.validate(codeFor(IDS[45]!), now, WINDOW), { ok: false, reason: 'cancelled' });
    assert.equal(cache.cursor, 7);
    const columns = (cache.sqlite.prepare('PRAGMA table_info(entries)').all() as { name: string }[]).map(
      (c) => c.name,
    );
    assert.ok(columns.includes('code_tag') && !columns.includes('code_hash'));
  } finally {
    cache.close();
  }
  const blob = fileBytes(dir);
  for (const id of IDS) {
    // Any 8 hex digits past the tag would already shrink the candidates a thief must try.
    assert.ok(!blob.includes(codeHashFor(id).slice(4, 12)), `no trace of the full hash of ${id}`);
    assert.ok(!blob.includes(codeFor(id)), 'no code in clear');
  }
});

test('a file of every older version migrates to the current one', () => {
  for (let from = 0; from < AGENDA_MIGRATIONS.length; from++) {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-migrate-'));
    dirs.push(dir);
    const db = new BetterSqlite3(join(dir, 'agenda.db'));
    migrate(db, AGENDA_MIGRATIONS.slice(0, from));
    db.close();
    const cache = new AgendaCache(dir);
    try {
      assert.equal(cache.sqlite.pragma('user_version', { simple: true }), AGENDA_MIGRATIONS.length);
      assert.equal(cache.sqlite.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      cache.close();
    }
  }
});
