// The agenda cache on its own: feed apply rules (S-1, S-3), snapshot verification and swap (S-4),
// corrupted files (S-9), schema history and the lookup's query plan.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeTagOf, type AgendaChange, type AgendaSnapshot } from '@sportello/protocol';
import { AgendaCache, SnapshotRejected } from './agenda-cache.ts';
import { AGENDA_MIGRATIONS } from './agenda-migrations.ts';
import { codeFor, codeHashFor, fixtureBooking, SITE_KEY } from './testing/fixtures.ts';

const dirs: string[] = [];
const caches: AgendaCache[] = [];
afterEach(() => {
  for (const c of caches.splice(0)) c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sportello-cache-'));
  dirs.push(d);
  return d;
}
function open(dir = newDir()): AgendaCache {
  const c = new AgendaCache(dir);
  caches.push(c);
  return c;
}

const NOW = Date.parse('2030-03-04T09:00:00.000Z');
const serverTime = new Date(NOW).toISOString();

function snapshot(bookings = [fixtureBooking('a', 1)], cursor = 10): AgendaSnapshot {
  return {
    siteId: 'centro',
    siteKey: SITE_KEY,
    siteKeyVersion: 1,
    cursor,
    serverTime,
    since: new Date(NOW - 86_400_000).toISOString(),
    bookings,
  };
}

/** The cache's whole content, for comparing final states. */
function dump(c: AgendaCache) {
  return {
    rows: c.sqlite.prepare('SELECT * FROM entries ORDER BY booking_id').all(),
    tombs: c.sqlite
      .prepare('SELECT booking_id, version, reason, code_tag FROM tombstones ORDER BY booking_id')
      .all(),
  };
}

describe('feed apply', () => {
  test('S-1 any permutation of the pages, with duplicates, gives the state of the ordered feed', () => {
    // A history per booking: versions 1..n, each an upsert (some status) or a cancellation.
    const history = fc.array(
      fc.record({
        id: fc.constantFrom('b1', 'b2', 'b3', 'b4'),
        op: fc.constantFrom('upsert', 'upsert', 'delete'),
        status: fc.constantFrom('booked', 'checked_in', 'completed'),
      }),
      { minLength: 1, maxLength: 25 },
    );
    fc.assert(
      fc.property(
        history,
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.nat(), { maxLength: 40 }),
        (h, size, order) => {
          const versions = new Map<string, number>();
          const changes: AgendaChange[] = h.map((e, i) => {
            const v = (versions.get(e.id) ?? 0) + 1;
            versions.set(e.id, v);
            return e.op === 'upsert'
              ? {
                  seq: i + 1,
                  op: 'upsert',
                  booking: { ...fixtureBooking(e.id, v), status: e.status as 'booked' },
                }
              : {
                  seq: i + 1,
                  op: 'delete',
                  bookingId: e.id,
                  version: v,
                  reason: 'cancelled',
                  codeHash: codeHashFor(e.id),
                };
          });
          const pages: AgendaChange[][] = [];
          for (let i = 0; i < changes.length; i += size) pages.push(changes.slice(i, i + size));
          const reference = open();
          reference.installSnapshot(snapshot([], 0), 'centro');
          for (const p of pages) reference.applyChanges(p, p.at(-1)!.seq, serverTime);
          // The same pages, shuffled by `order`, each possibly twice, plus every page once more at the end.
          const shuffled = [...pages, ...order.map((k) => pages[k % pages.length]!)];
          for (let i = shuffled.length - 1; i > 0; i--) {
            const j = (order[i % Math.max(1, order.length)] ?? i) % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
          }
          const other = open();
          other.installSnapshot(snapshot([], 0), 'centro');
          for (const p of [...shuffled, ...pages.slice().reverse()]) other.applyChanges(p, 0, serverTime);
          assert.deepEqual(dump(other), dump(reference));
          for (const c of caches.splice(0)) c.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  test('S-3 delete then recreate the same id, delete of an unknown id, stale update after delete', () => {
    const c = open();
    c.installSnapshot(snapshot([], 0), 'centro');
    const up = (v: number, status: 'booked' | 'checked_in' = 'booked'): AgendaChange => ({
      seq: v,
      op: 'upsert',
      booking: { ...fixtureBooking('x', v), status },
    });
    const del = (id: string, v: number): AgendaChange => ({
      seq: v,
      op: 'delete',
      bookingId: id,
      version: v,
      reason: 'cancelled',
      codeTag: codeTagOf(codeHashFor(id)),
    });
    c.applyChanges([up(1), del('x', 2), up(3)], 3, serverTime);
    assert.equal(dump(c).rows.length, 1, 'recreated after the delete');
    assert.equal(dump(c).tombs.length, 0, 'the tombstone goes with the newer upsert');
    c.applyChanges([del('nobody', 4)], 4, serverTime);
    assert.deepEqual(
      dump(c).tombs.map((t) => (t as { booking_id: string }).booking_id),
      ['nobody'],
      'a delete of an unknown id leaves only a tombstone',
    );
    c.applyChanges([del('x', 5), up(4, 'checked_in'), up(1)], 5, serverTime);
    assert.equal(dump(c).rows.length, 0, 'stale updates after the delete are ignored');
    assert.equal(c.validate(codeFor('x'), NOW, { earlyMinutes: 15, lateMinutes: 10 }).ok, false);
    assert.deepEqual(c.validate(codeFor('x'), NOW, { earlyMinutes: 15, lateMinutes: 10 }), {
      ok: false,
      reason: 'cancelled',
    });
  });

  test('the lookup probes both indexes whatever the code (query plan)', () => {
    const c = open();
    const plan = c.sqlite
      .prepare(
        `EXPLAIN QUERY PLAN SELECT booking_id FROM entries WHERE code_tag = @h
         UNION ALL SELECT booking_id FROM tombstones WHERE code_tag = @h`,
      )
      .all({ h: '0000' }) as { detail: string }[];
    const text = plan.map((p) => p.detail).join(' | ');
    assert.match(text, /entries USING INDEX entries_code_tag/);
    assert.match(text, /tombstones USING INDEX tombstones_code_tag/);
  });

  test('migrations run once, in order, and a file of the first schema is brought up to date', () => {
    const dir = newDir();
    const first = open(dir);
    assert.equal(first.sqlite.pragma('user_version', { simple: true }), AGENDA_MIGRATIONS.length);
    first.close();
    assert.equal(open(dir).sqlite.pragma('user_version', { simple: true }), AGENDA_MIGRATIONS.length);
  });
});

describe('snapshot', () => {
  test('S-4 a snapshot is loaded beside the live table, verified, and swapped in one transaction', () => {
    const c = open();
    c.installSnapshot(snapshot([fixtureBooking('old', 1)], 5), 'centro');
    const window = { earlyMinutes: 15, lateMinutes: 10 };
    let during: [boolean, boolean] | undefined;
    c.testHooks.shadowLoaded = () => {
      // Half way: the live cache still answers with the old state.
      during = [c.validate(codeFor('old'), NOW, window).ok, c.validate(codeFor('new'), NOW, window).ok];
    };
    c.installSnapshot(snapshot([fixtureBooking('new', 3)], 42), 'centro');
    assert.deepEqual(during, [true, false]);
    assert.equal(c.validate(codeFor('new'), NOW, window).ok, true);
    assert.equal(c.validate(codeFor('old'), NOW, window).ok, false);
    assert.equal(c.cursor, 42);
    assert.equal((c.sqlite.prepare('SELECT count(*) AS n FROM entries_shadow').get() as { n: number }).n, 0);
  });

  test('S-4 a snapshot that fails verification leaves the live cache untouched', () => {
    const c = open();
    c.installSnapshot(snapshot([fixtureBooking('keep', 1)], 5), 'centro');
    const before = dump(c);
    const twice = snapshot([fixtureBooking('d', 1), fixtureBooking('d', 2)], 9);
    assert.throws(() => c.installSnapshot(twice, 'centro'), SnapshotRejected);
    assert.throws(() => c.installSnapshot(snapshot([], 9), 'elsewhere'), SnapshotRejected);
    assert.throws(() => c.installSnapshot({ ...snapshot([], 9), siteKey: '' }, 'centro'), SnapshotRejected);
    assert.deepEqual(dump(c), before);
    assert.equal(c.cursor, 5);
  });
});

describe('corrupted files', () => {
  test('S-9 a corrupted database is detected at start, quarantined, and a fresh one opens', () => {
    const dir = newDir();
    const c = open(dir);
    c.installSnapshot(
      snapshot(
        Array.from({ length: 300 }, (_, i) => fixtureBooking(`b${i}`, 1)),
        5,
      ),
      'centro',
    );
    c.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    c.close();
    // Garbage over the pages after the header (the header alone would be "not a database").
    const fd = openSync(join(dir, 'agenda.db'), 'r+');
    writeSync(fd, Buffer.alloc(16_384, 0x5a), 0, 16_384, 4096);
    closeSync(fd);
    const reopened = open(dir);
    assert.ok(reopened.quarantinedTo, 'quarantined');
    assert.equal(reopened.cursor, undefined, 'the fresh cache must be rebuilt from the server');
    assert.equal(reopened.sqlite.pragma('integrity_check', { simple: true }), 'ok');
    reopened.close();
    // Not a database at all, several times over: no crash loop, and old quarantined copies are pruned.
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(dir, 'agenda.db'), 'this is not a database');
      const again = new AgendaCache(dir);
      assert.ok(again.quarantinedTo);
      again.close();
    }
    const kept = readdirSync(dir).filter((f) => f.startsWith('agenda.db.corrupt-') && !/-(wal|shm)$/.test(f));
    assert.ok(kept.length <= 2, `quarantined copies kept: ${kept.join(', ')}`);
  });
});
