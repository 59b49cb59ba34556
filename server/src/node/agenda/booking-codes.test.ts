import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCodeShape } from '@sportello/protocol';
import { migrateToLatest, openDatabase, type OpenedDatabase } from '../db/open.ts';
import { seedDemo, type DemoSeed } from '../db/seed-demo.ts';
import { createBooking, freeSlots, unusedCode, type DigitSource } from './bookings.ts';
import { setBookingStatus } from './change-log.ts';

/** A digit source that replays the bodies (first 8 digits) of the given codes, then `fallback`. */
function replaying(codes: string[], fallback: DigitSource): DigitSource {
  const digits = codes.flatMap((c) => [...c.slice(0, 8)].map(Number));
  return () => (digits.length > 0 ? digits.shift()! : fallback());
}

function counting(): DigitSource {
  let n = 0;
  return () => n++ % 10;
}

describe('booking codes issued by the server', () => {
  let opened: OpenedDatabase;
  let seed: DemoSeed;
  const now = new Date();
  before(async () => {
    opened = openDatabase(':memory:');
    await migrateToLatest(opened.db);
    seed = await seedDemo(opened.db, now);
  });
  after(() => opened.close());

  async function bookWith(randomDigit: DigitSource) {
    const date = new Date(now);
    do date.setUTCDate(date.getUTCDate() + 1);
    while (date.getUTCDay() === 0);
    const slots = await freeSlots(opened.db, 'urp-info', date.toISOString().slice(0, 10), 'Europe/Rome', now);
    return createBooking(
      opened.db,
      { serviceId: 'urp-info', slotStart: slots[0]!.start, reason: 'r', name: 'n' },
      'Europe/Rome',
      now,
      { randomDigit },
    );
  }

  test('a drawn code that a live booking holds is drawn again, never issued', async () => {
    const live = seed.bookings.map((b) => b.code);
    // Every live code comes up first; the server must skip all of them.
    const code = await unusedCode(opened.db, replaying(live, counting()));
    assert.ok(!live.includes(code));
    assert.equal(checkCodeShape(code), 'ok');
    const created = await bookWith(replaying([live[0]!, live[1]!], counting()));
    assert.ok(!live.includes(created.code));
    assert.equal(checkCodeShape(created.code), 'ok');
  });

  test('when every draw clashes the booking fails loudly instead of issuing a duplicate', async () => {
    const live = seed.bookings[0]!.code;
    await assert.rejects(
      bookWith(replaying(Array(20).fill(live) as string[], () => 0)),
      /could not find a free booking code in 20 attempts/,
    );
  });

  test('codes of cancelled and completed bookings may be issued again', async () => {
    const [cancelled, completed] = [seed.bookings[2]!, seed.bookings[3]!];
    await setBookingStatus(opened.db, cancelled.bookingId, ['booked'], 'cancelled', now);
    await setBookingStatus(opened.db, completed.bookingId, ['booked'], 'checked_in', now);
    await setBookingStatus(opened.db, completed.bookingId, ['checked_in'], 'completed', now);
    assert.equal((await bookWith(replaying([cancelled.code], counting()))).code, cancelled.code);
    assert.equal((await bookWith(replaying([completed.code], counting()))).code, completed.code);
  });

  test('the partial unique index refuses a second live booking with the same code', async () => {
    const row = await opened.db
      .selectFrom('bookings')
      .selectAll()
      .where('id', '=', seed.bookings[0]!.bookingId)
      .executeTakeFirstOrThrow();
    await assert.rejects(
      opened.db
        .insertInto('bookings')
        .values({ ...row, id: 'copy', manage_token_hash: 'another' })
        .execute(),
      /UNIQUE constraint failed: bookings.code/,
    );
  });
});
