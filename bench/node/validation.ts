// Code validation on the totem: 100,000 bookings in the kiosk's SQLite cache, then ~20,000
// lookups (half known codes, half unknown) timed one by one. The cache answers by the code's
// HMAC, so the query plan must show the index on code_hash.
import { codeTagOf, makeBookingCode, type KioskAgendaEntry } from '@sportello/protocol';
import { createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgendaCache } from '../../kiosk-shell/core/node/agenda-cache.ts';
import { msSince, summarize, type Row } from './stats.ts';

export interface ValidationOptions {
  /** Bookings in the cache. Default 100 000. */
  bookings?: number;
  /** Timed lookups, half known and half unknown. Default 20 000. */
  lookups?: number;
}

export interface ValidationResult {
  rows: Row[];
  queryPlan: string[];
}

/** The server's codeHash (server/src/node/agenda/kiosk-agenda.ts), rebuilt here on purpose. */
function codeHash(siteKeyBase64: string, code: string): string {
  return createHmac('sha256', Buffer.from(siteKeyBase64, 'base64')).update(code).digest('hex');
}

function distinctCodes(count: number, avoid: ReadonlySet<string> = new Set()): string[] {
  const out = new Set<string>();
  while (out.size < count) {
    const code = makeBookingCode(() => randomInt(10));
    if (!avoid.has(code)) out.add(code);
  }
  return [...out];
}

/** Fisher–Yates, in place: known and unknown codes interleave at random. */
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export async function runValidationBench(options: ValidationOptions = {}): Promise<ValidationResult> {
  const bookings = options.bookings ?? 100_000;
  const lookups = options.lookups ?? 20_000;
  const dir = mkdtempSync(join(tmpdir(), 'sportello-bench-cache-'));
  const cache = new AgendaCache(dir);
  try {
    const siteKey = randomBytes(32).toString('base64');
    const codes = distinctCodes(bookings);
    // Slots spread over a week from now, so that the window check has real work on known codes.
    const weekStart = Date.now() - 86_400_000;
    const entries: KioskAgendaEntry[] = codes.map((code, i) => {
      const start = weekStart + Math.floor((i / bookings) * 7 * 86_400_000);
      return {
        bookingId: randomUUID(),
        codeTag: codeTagOf(codeHash(siteKey, code)),
        slotStart: new Date(start).toISOString(),
        slotEnd: new Date(start + 15 * 60_000).toISOString(),
        officeId: 'urp',
        serviceId: 'urp-info',
        operatorId: i % 2 ? 'op-giulia' : 'op-marco',
        status: 'booked',
        version: 1,
      };
    });
    const fillStart = process.hrtime.bigint();
    cache.replaceAll({ siteId: 'centro', siteKey, serverTime: new Date().toISOString(), entries });
    const fillMs = msSince(fillStart);
    if (cache.count() !== bookings)
      throw new Error(`cache holds ${cache.count()} entries, expected ${bookings}`);

    const known = Array.from({ length: lookups / 2 }, () => codes[randomInt(codes.length)]!);
    const unknown = distinctCodes(lookups / 2, new Set(codes));
    const mixed = shuffle([...known, ...unknown]);
    const window = { earlyMinutes: 15, lateMinutes: 10 };
    const now = Date.now();
    // A short warm-up so that the first timed lookups do not pay for page cache misses alone.
    for (const code of mixed.slice(0, 1000)) cache.validate(code, now, window);

    const all: number[] = [];
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    const knownSet = new Set(known);
    for (const code of mixed) {
      const start = process.hrtime.bigint();
      cache.validate(code, now, window);
      const ms = msSince(start);
      all.push(ms);
      (knownSet.has(code) ? knownMs : unknownMs).push(ms);
    }
    const plan = cache.sqlite
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM entries WHERE code_tag = ?')
      .all('0000') as { detail: string }[];
    const summary = summarize(all);
    return {
      queryPlan: plan.map((p) => p.detail),
      rows: [
        {
          name: `code validation, ${bookings.toLocaleString('en')} bookings`,
          summary,
          target: 'p99 ≤ 2 ms',
          pass: summary.p99 <= 2,
          note: `fill by replaceAll() took ${fillMs.toFixed(0)} ms; lookups half known, half unknown`,
        },
        { name: '  known codes only', summary: summarize(knownMs) },
        { name: '  unknown codes only', summary: summarize(unknownMs) },
      ],
    };
  } finally {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
