// The totem's agenda sync figures (issue 4): code validation with 1,000,000 bookings cached, the
// apply of 10,000 feed changes in one transaction, and a full snapshot of 100,000 bookings from its
// JSON text to the swap. All on the real AgendaCache, in temp directories.
import {
  codeTagOf,
  agendaSnapshotSchema,
  dammCheckDigit,
  type AgendaChange,
  type AgendaSnapshot,
  type SyncedBooking,
} from '@sportello/protocol';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgendaCache } from '../../kiosk-shell/core/node/agenda-cache.ts';
import { msSince, summarize, type Row } from './stats.ts';

const DAY = 86_400_000;

/** Distinct valid codes: 8-digit bodies i·97 mod 10⁸ (97 is prime to 10⁸), plus the Damm digit. */
function codeOf(i: number): string {
  const body = String((i * 97) % 100_000_000).padStart(8, '0');
  return body + String(dammCheckDigit(body));
}

function booking(key: Buffer, i: number, now: number, version = 1): SyncedBooking {
  const start = now - DAY / 2 + Math.floor(((i % 10_000) * (7 * DAY)) / 10_000);
  return {
    bookingId: `b-${i}`,
    codeTag: codeTagOf(createHmac('sha256', key).update(codeOf(i)).digest('hex')),
    slotStart: new Date(start).toISOString(),
    slotEnd: new Date(start + 20 * 60_000).toISOString(),
    officeId: 'urp',
    serviceId: 'urp-info',
    operatorId: i % 2 ? 'op-giulia' : null,
    status: 'booked',
    version,
  };
}

function snapshotOf(key: Buffer, n: number, now: number): AgendaSnapshot {
  return {
    siteId: 'centro',
    siteKey: key.toString('base64'),
    siteKeyVersion: 1,
    cursor: 1,
    serverTime: new Date(now).toISOString(),
    since: new Date(now - DAY).toISOString(),
    bookings: Array.from({ length: n }, (_, i) => booking(key, i, now)),
  };
}

function withCache<T>(fn: (cache: AgendaCache) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-bench-sync-'));
  const cache = new AgendaCache(dir);
  try {
    return fn(cache);
  } finally {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSync(): Promise<Row[]> {
  const key = randomBytes(32);
  const now = Date.now();
  const rows: Row[] = [];

  rows.push(
    withCache((cache) => {
      const n = 1_000_000;
      cache.installSnapshot(snapshotOf(key, 0, now), 'centro');
      const fillStart = process.hrtime.bigint();
      // Filled through the feed path, 10,000 upserts per transaction.
      for (let from = 0; from < n; from += 10_000) {
        const changes: AgendaChange[] = [];
        for (let i = from; i < from + 10_000; i++)
          changes.push({ seq: i + 1, op: 'upsert', booking: booking(key, i, now) });
        cache.applyChanges(changes, from + 10_000, new Date(now).toISOString());
      }
      const fillMs = msSince(fillStart);
      const window = { earlyMinutes: 15, lateMinutes: 10 };
      const samples: number[] = [];
      for (let k = 0; k < 20_000; k++) {
        // Half known codes, half well-formed codes of no booking (bodies beyond the filled range).
        const code = k % 2 ? codeOf(randomInt(n)) : codeOf(n + randomInt(1_000_000));
        const start = process.hrtime.bigint();
        cache.validate(code, now, window);
        if (k >= 1_000) samples.push(msSince(start));
      }
      const summary = summarize(samples);
      return {
        name: `code validation, ${cache.count().toLocaleString('en')} bookings cached`,
        summary,
        target: 'p99 ≤ 2 ms',
        pass: summary.p99 <= 2,
        note: `filled through the feed path in ${(fillMs / 1000).toFixed(1)} s; half known, half unknown codes`,
      };
    }),
  );

  rows.push(
    withCache((cache) => {
      cache.installSnapshot(snapshotOf(key, 5_000, now), 'centro');
      const samples: number[] = [];
      for (let round = 0; round < 5; round++) {
        // Half updates of held bookings (a newer version), half new bookings.
        const changes: AgendaChange[] = Array.from({ length: 10_000 }, (_, i) => {
          const id = i < 5_000 ? i : 5_000 + round * 5_000 + i;
          return { seq: round * 10_000 + i + 1, op: 'upsert', booking: booking(key, id, now, round + 2) };
        });
        const start = process.hrtime.bigint();
        cache.applyChanges(changes, (round + 1) * 10_000, new Date(now).toISOString());
        samples.push(msSince(start));
      }
      const summary = summarize(samples);
      return {
        name: 'apply of 10,000 feed changes (one transaction)',
        summary,
        target: 'p95 ≤ 300 ms',
        pass: summary.p95 <= 300,
      };
    }),
  );

  rows.push(
    withCache((cache) => {
      const text = JSON.stringify(snapshotOf(key, 100_000, now));
      const samples: number[] = [];
      for (let round = 0; round < 3; round++) {
        const start = process.hrtime.bigint();
        const snap = agendaSnapshotSchema.parse(JSON.parse(text));
        cache.installSnapshot(snap, 'centro');
        samples.push(msSince(start));
      }
      const summary = summarize(samples);
      return {
        name: 'full snapshot of 100,000 bookings (parse, shadow, verify, swap)',
        summary,
        target: 'p95 ≤ 3 s',
        pass: summary.p95 <= 3_000,
        note: `${(text.length / 2 ** 20).toFixed(1)} MiB of JSON`,
      };
    }),
  );
  return rows;
}
