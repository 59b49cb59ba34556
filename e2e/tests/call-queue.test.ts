// End to end, the call queue as citizens and operators see it: the kiosk page in Chromium showing
// its place in the queue, the grace for a booked citizen's own operator, a missed ring offered
// again, and the call-back asked instead of waiting. The server's clock stands still unless the
// test moves it (stack.advance), so no step waits for a grace period or a ring timeout to pass.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../server/src/node/auth/secrets.ts';
import { TestKiosk } from '../../server/src/node/testing/kiosk-client.ts';
import { startStack, typeOnKeypad, type Stack } from '../support/stack.ts';

const GRACE_S = 180;
const RING_S = 30;
const RETRY_S = 30;
const MAX_WAIT_S = 600;

let s: Stack;
let kiosk: Page;
const opened: { close(): unknown }[] = [];
before(async () => {
  s = await startStack({
    clock: 'manual',
    calls: {
      ringTimeoutSeconds: RING_S,
      bookedGraceSeconds: GRACE_S,
      missedRingRetrySeconds: RETRY_S,
      missedRingsToPause: 2,
      maxWaitSeconds: MAX_WAIT_S,
    },
  });
  // A second totem at the same site: another citizen in the same queue.
  await s.t.server.database.db
    .insertInto('totems')
    .values({
      id: 'totem-centro-2',
      site_id: 'centro',
      name: 'Totem Mercato',
      secret_hash: await hashPassword('second-totem-secret'),
      created_at: s.now().toISOString(),
    })
    .execute();
  kiosk = await s.openKiosk();
});
after(async () => {
  await s?.close();
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  // Each test starts with no console on the roster and the kiosk at rest.
  const router = s.t.server.router;
  for (const op of router.roster.all()) await router.operatorOffline(op.id);
  await router.settled();
  await screen(kiosk, 'idle');
});

const screen = (p: Page, name: string) => p.locator(`[data-screen="${name}"]`).waitFor({ state: 'visible' });
const code = (label: string) => s.t.seed.bookings.find((b) => b.label === label)!.code;

async function otherTotem(): Promise<TestKiosk> {
  const k = await TestKiosk.connect(s.t.url, 'totem-centro-2:second-totem-secret');
  opened.push({ close: () => k.close() });
  return k;
}
async function operator(name: 'giulia' | 'marco'): Promise<Page> {
  const page = await s.openOperator(name);
  opened.push({ close: () => page.context().close() });
  return page;
}
async function pause(page: Page): Promise<void> {
  await page.click('#btn-presence');
  await page.locator('#presence-badge[data-status="paused"]').waitFor();
}
/** Resolves once the kiosk's outbox holds nothing (every check-in and call-back delivered). */
function outboxEmpty(): Promise<void> {
  const core = s.kiosk.core;
  const empty = () => core.getState().sync?.outboxPending === 0;
  if (empty()) return Promise.resolve();
  return new Promise((resolve) => {
    const on = () => {
      if (!empty()) return;
      core.off('state', on);
      resolve();
    };
    core.on('state', on);
  });
}
/** This kiosk's last call once the server has ended it (the hang-up travels on its own). */
async function endedCallOfThisKiosk() {
  for (;;) {
    const row = await lastCallOfThisKiosk();
    if (row.ended_at !== null) return row;
    await new Promise((resolve) => setImmediate(resolve));
    await s.t.server.router.settled();
  }
}
async function lastCallOfThisKiosk() {
  return s.t.server.database.db
    .selectFrom('calls')
    .selectAll()
    .where('totem_id', '=', 'totem-centro-1')
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
}

describe('the call queue end to end', { timeout: 180_000 }, () => {
  test('Q-6 the position and the estimated wait are shown, and follow every change of the queue', async () => {
    const other = await otherTotem();
    const first = await other.request({ kind: 'walk-in' });
    assert.ok(first.ok);
    // This citizen arrives a little later (the server's clock stands still otherwise).
    await s.advance(1000);
    await kiosk.click('#btn-walk-in');
    await screen(kiosk, 'waiting');
    await kiosk.locator('#waiting-position[data-position="2"]').waitFor();
    assert.match(await kiosk.locator('#waiting-position').innerText(), /numero 2/);
    assert.match(await kiosk.locator('#waiting-estimate').innerText(), /nessun operatore/);
    // The citizen ahead leaves: this one is next, told without any action on the kiosk.
    await other.hangUp(first.callId);
    await kiosk.locator('#waiting-position[data-position="1"]').waitFor();
    assert.match(await kiosk.locator('#waiting-position').innerText(), /prossimo/);
    // Q-5 hanging up while waiting ends the item as abandoned, with its time.
    await kiosk.click('#btn-waiting-cancel');
    await screen(kiosk, 'idle');
    const row = await endedCallOfThisKiosk();
    assert.equal(row.outcome, 'abandoned');
    assert.notEqual(row.ended_at, null);
  });

  test('Q-3 a booked citizen whose operator is busy waits for her during the grace, then goes to her colleague', async () => {
    const giulia = await operator('giulia');
    const marco = await operator('marco');
    await pause(marco);
    // Giulia is busy with another citizen.
    const other = await otherTotem();
    const walkIn = await other.request({ kind: 'walk-in' });
    assert.ok(walkIn.ok);
    await screen(giulia, 'ringing');
    await giulia.click('#btn-accept');
    await screen(giulia, 'in-call');
    await marco.click('#btn-presence');
    await marco.locator('#presence-badge[data-status="available"]').waitFor();
    // The booking 'now' is Giulia's: it waits for her, and says so on the kiosk.
    await kiosk.click('#btn-have-code');
    await typeOnKeypad(kiosk, code('now'));
    await kiosk.locator('#waiting-position[data-phase="grace"]').waitFor();
    assert.match(await kiosk.locator('#waiting-position').innerText(), /Il tuo operatore/);
    // Marco's console lists it as waiting for its own operator, and does not ring.
    await marco.locator('#queue-list li[data-kind="booked"][data-phase="grace"]').waitFor();
    assert.equal(await marco.locator('[data-screen="ringing"]').isVisible(), false);
    // The grace passes: Marco rings with the booking.
    await s.advance((GRACE_S + 1) * 1000);
    await screen(marco, 'ringing');
    assert.match(await marco.locator('#ring-kind').innerText(), /prenotato/);
    await marco.click('#btn-accept');
    await screen(kiosk, 'in-call');
    await kiosk.click('#btn-hang-up');
    await screen(marco, 'idle');
    await giulia.click('#btn-hang-up');
    await screen(giulia, 'idle');
    const row = await lastCallOfThisKiosk();
    assert.equal(row.kind, 'booked');
    assert.equal(row.operator_id, 'op-marco');
  });

  test('Q-4 a ring not answered is offered again later; after two in a row the console pauses and says why', async () => {
    const giulia = await operator('giulia');
    await kiosk.click('#btn-walk-in');
    await screen(giulia, 'ringing');
    await s.advance((RING_S + 1) * 1000);
    await screen(giulia, 'idle');
    // Not a decline for ever: the same call comes back to her.
    await s.advance((RETRY_S + 1) * 1000);
    await screen(giulia, 'ringing');
    await s.advance((RING_S + 1) * 1000);
    await giulia.locator('#presence-badge[data-status="paused"]').waitFor();
    await giulia.locator('#pause-reason').waitFor({ state: 'visible' });
    assert.match(await giulia.locator('#pause-reason').innerText(), /2 chiamate di fila/);
    // The citizen is still in the queue, and gets her once she is available again (after the
    // missed-ring pause for this call).
    assert.equal(await kiosk.locator('[data-screen="waiting"]').isVisible(), true);
    await giulia.click('#btn-presence');
    await giulia.locator('#pause-reason').waitFor({ state: 'hidden' });
    await s.advance((RETRY_S + 1) * 1000);
    await screen(giulia, 'ringing');
    await giulia.click('#btn-accept');
    await screen(kiosk, 'in-call');
    await kiosk.click('#btn-hang-up');
    await screen(giulia, 'idle');
  });

  test('Q-5 call me back instead: offered after the maximum wait, the number typed, the item a call-back, the number gone from the totem', async () => {
    await kiosk.click('#btn-walk-in');
    await screen(kiosk, 'waiting');
    await kiosk.locator('#waiting-position[data-position="1"]').waitFor();
    assert.equal(await kiosk.locator('#waiting-callback-offer').isVisible(), false);
    await s.advance((MAX_WAIT_S + 1) * 1000);
    await kiosk.locator('#waiting-callback-offer').waitFor({ state: 'visible' });
    await kiosk.click('#btn-waiting-callback');
    await screen(kiosk, 'callback-entry');
    const phone = '3331234567';
    for (const digit of phone) await kiosk.click(`#callback-keypad button[data-key="${digit}"]`);
    await kiosk.locator('#callback-digits').filter({ hasText: phone }).waitFor();
    await kiosk.click('#btn-callback-confirm');
    await screen(kiosk, 'callback-done');
    // Delivered (the server answered), so deleted from the totem's outbox; the item is a call-back.
    await outboxEmpty();
    const row = await lastCallOfThisKiosk();
    assert.equal(row.outcome, 'missed');
    // The console lists it in its live queue, pushed.
    const giulia = await operator('giulia');
    const item = giulia.locator('#queue-list li[data-kind="callback"]').filter({ hasText: phone });
    await item.waitFor();
    await item.locator('button').click();
    await item.waitFor({ state: 'detached' });
    await kiosk.click('#btn-callback-done-home');
  });
});
