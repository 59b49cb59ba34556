// The deterministic feed of the crash tests: page n (after cursor 2n - 2) creates booking k<n> and
// updates k<n - 1> to version 2, so the state after cursor c is known exactly, and a page applied
// twice or half would show. Test support only.
import type { AgendaChangesPage, AgendaSnapshot } from '@sportello/protocol';
import { fixtureBooking, SITE_KEY } from './fixtures.ts';

const serverTime = '2030-03-04T09:00:00.000Z';

export function crashSnapshot(): AgendaSnapshot {
  return {
    siteId: 'centro',
    siteKey: SITE_KEY,
    siteKeyVersion: 1,
    cursor: 0,
    serverTime,
    since: serverTime,
    bookings: [],
  };
}

export function crashPage(from: number): AgendaChangesPage {
  // Page n moves the cursor from 2(n - 1) to 2n (two entries per page).
  const n = from / 2 + 1;
  return {
    changes: [
      { seq: n, op: 'upsert' as const, booking: fixtureBooking(`k${n}`, 1) },
      ...(n > 1 ? [{ seq: n, op: 'upsert' as const, booking: fixtureBooking(`k${n - 1}`, 2) }] : []),
    ].map((c, i) => ({ ...c, seq: n * 2 - 1 + i })),
    cursor: n * 2,
    hasMore: false,
    serverTime,
    siteKeyVersion: 1,
  };
}

/** The rows (id → version) the cache must hold after the pages up to `cursor`. */
export function expectedRows(cursor: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = 1; n * 2 <= cursor; n++) {
    m.set(`k${n}`, 1);
    if (n > 1) m.set(`k${n - 1}`, 2);
  }
  return m;
}
