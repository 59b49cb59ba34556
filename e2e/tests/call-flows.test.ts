// End to end on real parts: server (SQLite, socket.io, mediasoup), kiosk agent (core + host),
// the kiosk page and two operator consoles in Debian Chromium with fake camera and microphone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, typeOnKeypad, type Stack } from '../support/stack.ts';
import { waitForMediaBothWays } from '../support/media.ts';

let s: Stack;
let kiosk: Page;
before(async () => {
  s = await startStack();
  kiosk = await s.openKiosk();
});
after(async () => {
  await s?.close();
});

/**
 * The demo's booking for "now" (inside its check-in window), with the reason and service the
 * operator's console must show. A booking made here through the API could not be in the window:
 * both demo operators hold seeded bookings around "now", and a new one never overlaps them.
 */
async function bookedNow(): Promise<{
  code: string;
  operatorId: string;
  bookingId: string;
  reason: string;
  service: string;
}> {
  const seeded = s.t.seed.bookings.find((b) => b.label === 'now')!;
  const row = await s.t.server.database.db
    .selectFrom('bookings')
    .innerJoin('services', 'services.id', 'bookings.service_id')
    .select(['bookings.reason', 'services.name'])
    .where('bookings.id', '=', seeded.bookingId)
    .executeTakeFirstOrThrow();
  await s.kiosk.core.refreshAgenda();
  return {
    code: seeded.code,
    operatorId: seeded.operator,
    bookingId: seeded.bookingId,
    reason: row.reason,
    service: row.name,
  };
}

const idle = (p: Page) => p.locator('[data-screen="idle"]').waitFor({ state: 'visible' });

describe('end to end on Debian Chromium', () => {
  let usedCode = '';

  test('booked call: code on the keypad → the operator rings with the reason → media both ways → hang-up', async () => {
    const booking = await bookedNow();
    usedCode = booking.code;
    const holder = booking.operatorId === 'op-giulia' ? 'giulia' : 'marco';
    const operator = await s.openOperator(holder);
    await kiosk.click('#btn-have-code');
    await typeOnKeypad(kiosk, booking.code);
    await kiosk.locator('[data-screen="waiting"]').waitFor({ state: 'visible' });
    await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
    assert.ok((await operator.locator('#ring-reason').innerText()).includes(booking.reason), 'the reason');
    assert.ok((await operator.locator('#ring-service').innerText()).includes(booking.service), 'the service');
    await operator.click('#btn-accept');
    await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
    const [onKiosk, onOperator] = await Promise.all([
      waitForMediaBothWays(kiosk),
      waitForMediaBothWays(operator),
    ]);
    assert.ok(onKiosk.frames > 0 && onKiosk.level > 0, 'the kiosk sees and hears the operator');
    assert.ok(onOperator.frames > 0 && onOperator.level > 0, 'the operator sees and hears the citizen');
    await kiosk.click('#btn-hang-up');
    await operator.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
    await idle(kiosk);
    const calls = await s.t.server.database.db
      .selectFrom('calls')
      .selectAll()
      .where('booking_id', '=', booking.bookingId)
      .execute();
    assert.equal(calls.length, 1, 'exactly one call record');
    assert.equal(calls[0]!.end_reason, 'hangup-kiosk');
    assert.ok(calls[0]!.duration_seconds! > 0, 'the record carries the duration');
    assert.equal(s.t.server.router.activeCalls(), 0);
    await operator.context().close();
  });

  test('walk-in call: "talk to an operator" → first free operator → the operator hangs up', async () => {
    const operator = await s.openOperator('giulia');
    await kiosk.click('#btn-walk-in');
    await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
    assert.match(await operator.locator('#ring-kind').innerText(), /senza prenotazione/);
    await operator.click('#btn-accept');
    await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
    await waitForMediaBothWays(kiosk);
    await operator.click('#btn-hang-up');
    await kiosk.locator('[data-screen="ended"]').waitFor({ state: 'visible' });
    await idle(kiosk);
    await operator.context().close();
  });

  test('C-5 wrong code, code for another day, code already used: each its own message', async () => {
    const tomorrow = s.t.seed.bookings.find((b) => b.label === 'tomorrow')!.code;
    const typo = tomorrow.slice(0, 8) + String((Number(tomorrow[8]) + 1) % 10);
    const cases: [string, RegExp][] = [
      [typo, /non sembra giusto/],
      [tomorrow, /ancora presto/],
      [usedCode, /già stato usato/],
    ];
    for (const [code, message] of cases) {
      await kiosk.click('#btn-have-code');
      await kiosk.keyboard.type(code);
      await kiosk.keyboard.press('Enter');
      await kiosk.locator('[data-screen="rejected"]').waitFor({ state: 'visible' });
      await kiosk.locator('#rejected-message', { hasText: message }).waitFor();
      await kiosk.click('#btn-rejected-home');
      await idle(kiosk);
    }
    // The way forward: the same screen offers the walk-in queue, in English too.
    await kiosk.click('.lang[data-lang="en"]');
    await kiosk.click('#btn-have-code');
    await kiosk.keyboard.type(typo);
    await kiosk.keyboard.press('Enter');
    await kiosk.locator('#rejected-message', { hasText: /does not look right/ }).waitFor();
    await kiosk.locator('#btn-rejected-walk-in', { hasText: /Talk to a person/ }).waitFor();
    await kiosk.click('#btn-rejected-home');
    await kiosk.click('.lang[data-lang="it"]');
  });

  test('an operator declines → the call is offered to the other operator', async () => {
    const giulia = await s.openOperator('giulia');
    const marco = await s.openOperator('marco');
    await kiosk.click('#btn-walk-in');
    const ringing = async () => {
      const r = await Promise.race([
        giulia
          .locator('[data-screen="ringing"]')
          .waitFor({ state: 'visible' })
          .then(() => [giulia, marco] as const),
        marco
          .locator('[data-screen="ringing"]')
          .waitFor({ state: 'visible' })
          .then(() => [marco, giulia] as const),
      ]);
      return r;
    };
    const [first, second] = await ringing();
    await first.click('#btn-decline');
    await second.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
    await first.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
    await second.click('#btn-accept');
    await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
    await kiosk.click('#btn-hang-up');
    await second.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
    await idle(kiosk);
  });
});
