// The demo's five codes must behave as `npm start` prints them at any hour a newcomer tries them:
// just before and after midnight in Rome, and on the nights the clocks change. Each instant seeds a
// fresh database and checks the codes through the server's own check-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { checkIn } from '../agenda/kiosk-outbox.ts';
import { addDays, localDate } from '../agenda/time-zone.ts';
import { migrateToLatest, openDatabase } from './open.ts';
import { seedDemo } from './seed-demo.ts';

const WINDOW = { earlyMinutes: 15, lateMinutes: 10 };
const EXPECTED = {
  now: 'ok',
  soon: 'ok',
  'later-today': 'too-early',
  'earlier-today': 'too-late',
  tomorrow: 'too-early',
} as const;

/** Instants in UTC and what they are in Rome. */
const INSTANTS = [
  ['2026-12-01T22:55:00Z', '23:55 in Rome'],
  ['2026-12-01T23:05:00Z', '00:05 in Rome'],
  ['2026-12-31T22:58:00Z', 'a minute before the new year in Rome'],
  ['2026-03-29T00:55:00Z', '01:55 in Rome, before the clocks go forward'],
  ['2026-03-29T01:05:00Z', '03:05 in Rome, just after the clocks went forward'],
  ['2026-03-28T22:55:00Z', '23:55 in Rome, the evening before the clocks go forward'],
  ['2026-10-25T00:05:00Z', '02:05 in Rome, first pass of the hour that repeats'],
  ['2026-10-25T01:05:00Z', '02:05 in Rome, second pass of the hour that repeats'],
] as const;

for (const [iso, what] of INSTANTS) {
  test(`demo seed: five codes that work as printed at ${what} (${iso})`, async () => {
    const now = new Date(iso);
    const { db, close } = openDatabase(':memory:');
    try {
      await migrateToLatest(db);
      const seed = await seedDemo(db, now, { passwords: { giulia: 'x', marco: 'y', admin: 'z' } });
      assert.equal(seed.bookings.length, 5);
      for (const b of seed.bookings) {
        const result = await checkIn(
          db,
          { id: seed.totem.id, siteId: seed.totem.siteId, name: seed.totem.name },
          { idempotencyKey: randomUUID(), bookingId: b.bookingId, codeHash: b.codeHash, occurredAt: iso },
          now,
          WINDOW,
        );
        assert.equal(result.ok ? 'ok' : result.reason, EXPECTED[b.label], `${b.label} at ${iso}`);
      }
      // "Tomorrow" is the next calendar day in Rome, whatever the hour and the clock change.
      const tomorrow = seed.bookings.find((b) => b.label === 'tomorrow')!;
      assert.equal(
        localDate(new Date(tomorrow.slotStart), 'Europe/Rome'),
        addDays(localDate(now, 'Europe/Rome'), 1),
      );
    } finally {
      await close();
    }
  });
}
