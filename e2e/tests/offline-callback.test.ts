// End to end, offline: the server becomes unreachable from the totem; a citizen types a valid code
// on the kiosk page (Debian Chromium), is told the operator cannot be reached and that the check-in
// is recorded, asks for a call-back and types a phone number; when the server is reachable again,
// the call-back appears once in the operators' queue, and the check-in once on the server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { OPERATOR_ROUTES, type KioskState, type OperatorCallback } from '@sportello/protocol';
import { startKioskAgent, type KioskAgent } from '@sportello/kiosk-shell/host';
import { totemCredential } from '../../server/src/node/testing/test-server.ts';
import { startTcpProxy, type TcpProxy } from '../../kiosk-shell/core/node/testing/proxies.ts';
import { PAGES_DIR, startStack, typeOnKeypad, type Stack } from '../support/stack.ts';

let s: Stack;
let proxy: TcpProxy;
let kiosk: KioskAgent;
let dir: string;
let page: Page;
before(async () => {
  s = await startStack();
  // A totem identity is connected once at a time: the stack's own kiosk makes way for one that
  // reaches the server through a proxy this test can cut.
  await s.kiosk.close();
  proxy = await startTcpProxy(s.t.url);
  dir = mkdtempSync(join(tmpdir(), 'sportello-e2e-offline-'));
  kiosk = await startKioskAgent({
    serverUrl: proxy.url,
    credential: totemCredential(s.t.seed),
    dataDir: dir,
    pagesDir: PAGES_DIR,
    core: { backoff: { baseMs: 100, maxMs: 1_000 }, syncTimeoutMs: 2_000 },
  });
  await kiosk.core.refreshAgenda();
  const ctx = await s.browser.newContext({ viewport: { width: 1280, height: 900 } });
  s.contexts.push(ctx);
  page = await ctx.newPage();
  page.on('pageerror', (e) => console.error(`[kiosk page error] ${e.message}`));
  await page.goto(kiosk.pageUrl);
  await page.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
});
after(async () => {
  await kiosk?.close();
  await proxy?.close();
  await s?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function until(pred: (st: KioskState) => boolean): Promise<void> {
  if (pred(kiosk.core.getState())) return Promise.resolve();
  return new Promise((resolve) => {
    const on = (st: KioskState) => {
      if (!pred(st)) return;
      kiosk.core.off('state', on);
      resolve();
    };
    kiosk.core.on('state', on);
  });
}

async function operatorCallbacks(): Promise<OperatorCallback[]> {
  const session = (await (
    await fetch(s.t.url + OPERATOR_ROUTES.signIn.path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'giulia', password: 'giulia-test-password' }),
    })
  ).json()) as { token: string };
  const res = await fetch(s.t.url + OPERATOR_ROUTES.listCallbacks.path, {
    headers: { authorization: `Bearer ${session.token}` },
  });
  assert.equal(res.status, 200);
  return (await res.json()) as OperatorCallback[];
}

describe('offline call-back on Debian Chromium', { timeout: 300_000 }, () => {
  test('server unreachable → valid code → "cannot reach the operator" → call-back number → server back → the call-back is in the queue once', async () => {
    const booking = s.t.seed.bookings.find((b) => b.label === 'now')!;
    proxy.cut();
    await until((st) => !st.online);
    await page.locator('#offline').waitFor({ state: 'visible' });
    await page.click('#btn-have-code');
    await typeOnKeypad(page, booking.code);
    await page.locator('[data-screen="checked-in-offline"]').waitFor({ state: 'visible' });
    await page.click('#btn-callback');
    await page.locator('[data-screen="callback-entry"]').waitFor({ state: 'visible' });
    const phone = '+390612345678';
    await page.click('#callback-keypad button[data-key="plus"]');
    for (const digit of phone.slice(1)) await page.click(`#callback-keypad button[data-key="${digit}"]`);
    await page.locator('#callback-digits').filter({ hasText: phone }).waitFor();
    await page.click('#btn-callback-confirm');
    await page.locator('[data-screen="callback-done"]').waitFor({ state: 'visible' });
    assert.equal(kiosk.core.getState().sync?.outboxPending, 2);
    proxy.restore();
    await until((st) => st.online && st.sync?.outboxPending === 0);
    const mine = (await operatorCallbacks()).filter((c) => c.phone === phone);
    assert.equal(mine.length, 1, 'the call-back is in the queue once');
    assert.equal(mine[0]!.bookingId, booking.bookingId);
    const checkIns = await s.t.server.database.db
      .selectFrom('check_ins')
      .selectAll()
      .where('booking_id', '=', booking.bookingId)
      .execute();
    assert.equal(checkIns.length, 1, 'the check-in reached the server once');
    await page.click('#btn-callback-done-home');
    await page.locator('[data-screen="idle"]').waitFor({ state: 'visible' });

    // The operator console lists it; "called back" closes it for everyone.
    const consolePage = await s.openOperator('giulia');
    const item = consolePage.locator(`#queue-list li[data-callback="${mine[0]!.id}"]`);
    await item.waitFor({ state: 'visible' });
    assert.match(await item.locator('a').innerText(), /\+390612345678/);
    assert.equal(await item.locator('a').getAttribute('href'), 'tel:+390612345678');
    await item.locator('button').click();
    await item.waitFor({ state: 'detached' });
    await consolePage.locator('#queue-empty').waitFor({ state: 'visible' });
    assert.equal((await operatorCallbacks()).filter((c) => c.phone === phone).length, 0);
  });
});
