// The video appointment from home end to end on Debian Chromium with a fake camera and a real SMTP
// exchange: a home booking made through every step of the booking page (the channel, the booking
// question), its e-mail received by an SMTP server started here, the join link opened at the
// time, camera, microphone and speaker checked, the same queue as a totem's check-in, the
// operator's console ringing "from home", media both ways; then the early, late, cancelled and
// invalid pages of the join link (M-2). axe finds no WCAG 2.1 A/AA violation on any state; the
// join page is driven with the keyboard. One server and one browser for the whole file; the
// server's clock is the test's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PUBLIC_ROUTES, routePath } from '@sportello/protocol';
import { launchChromium } from '../support/browser.ts';
import { wcagViolations } from '../support/axe.ts';
import { waitForMediaBothWays } from '../support/media.ts';
import { nextWeekdayMorning } from '../support/stack.ts';
import {
  startTestServer,
  TEST_PASSWORDS,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { SmtpSink, type CaughtMail } from '../../server/src/node/testing/smtp-sink.ts';

const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));
const MINUTE = 60_000;
const QUESTION = 'Da quale comune arrivi?';

let t: TestServer;
let smtp: SmtpSink;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** The server's clock: a weekday morning, moved on by the test. */
const base = nextWeekdayMorning().getTime();
const realStart = Date.now();
let skew = 0;
const now = () => new Date(base + skew + (Date.now() - realStart));

before(async () => {
  smtp = new SmtpSink();
  await smtp.start();
  t = await startTestServer(
    {
      pagesDir: PAGES_DIR,
      rateLimitPerMinute: 2000,
      calls: { ringTimeoutSeconds: 600 },
      messages: { email: { host: '127.0.0.1', port: smtp.port, from: 'Comune <sportello@comune.example>' } },
    },
    now,
  );
  browser = await launchChromium();
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
  await smtp?.close();
});

async function openPage(url: string, errors: string[]): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'Europe/Rome' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return page;
}

const step = (page: Page, name: string) => page.locator(`section[data-step="${name}"]:not([hidden])`);
const next = (page: Page) => page.locator('section[data-step]:not([hidden]) button[type=submit]').click();

async function noViolations(page: Page, where: string): Promise<void> {
  assert.deepEqual(await wcagViolations(page), [], `WCAG 2.1 A/AA on ${where}`);
}

function joinLink(mail: CaughtMail): string {
  const m = /(https?:\/\/\S+\/booking\/#join=[\w.-]+)/.exec(mail.text);
  assert.ok(m, `a join link in "${mail.subject}"`);
  return m[1]!;
}

const joinTitle = (page: Page, text: RegExp) =>
  page.locator('section[data-step="join"]:not([hidden]) #join-title', { hasText: text }).waitFor();

/** Every step of the booking page for a video appointment from home, a time at least `aheadMs` away. */
async function bookFromHome(page: Page, email: string, aheadMs: number): Promise<string> {
  await step(page, 'office').waitFor();
  await page.locator('#office-options input[value="anagrafe"]').check();
  await next(page);
  await page.locator('#service-options input[value="anagrafe-residenza"]').check();
  await page.locator('#mode-fieldset:not([hidden])').waitFor();
  await noViolations(page, 'the service step with the channel choice');
  await page.locator('#mode-options input[value="home"]').check();
  await next(page);
  await step(page, 'when').waitFor();
  const days = page.locator('#day-options input:not([disabled])');
  await days.first().waitFor();
  let slotStart: string | undefined;
  for (let d = 0; !slotStart && d < (await days.count()); d++) {
    await days.nth(d).check();
    const times = page.locator('#time-options input');
    for (let i = 0; !slotStart && i < (await times.count()); i++) {
      const v = (await times.nth(i).getAttribute('value'))!;
      if (Date.parse(v) > now().getTime() + aheadMs) slotStart = v;
    }
  }
  assert.ok(slotStart, 'a free time far enough away');
  await page.locator(`#time-options input[value="${slotStart}"]`).check();
  await next(page);
  await page.fill('#reason', 'Trasferimento di residenza');
  await page.locator('#questions label', { hasText: QUESTION }).waitFor();
  await page.fill('#answer-0', 'Bologna');
  assert.match(await page.locator('#bring:not([hidden])').innerText(), /documento d’identità valido/);
  await noViolations(page, 'the reason step with the booking question');
  await next(page);
  await page.fill('#name', 'Rosa Bianchi');
  await page.fill('#email', email);
  await next(page);
  await step(page, 'summary').waitFor();
  const summary = await page.locator('#summary').innerText();
  assert.match(summary, /In video da casa/);
  assert.match(summary, /Bologna/);
  await page.click('#btn-confirm');
  await step(page, 'done').waitFor();
  await page.locator('#next-home:not([hidden])').waitFor();
  return slotStart;
}

async function openOperator(username: 'giulia' | 'marco', errors: string[]): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${t.url}/operator/`);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', TEST_PASSWORDS[username]);
  await page.click('#sign-in-form button[type=submit]');
  const badge = page.locator('#presence-badge:not([hidden])');
  await badge.waitFor();
  if ((await badge.getAttribute('data-status')) !== 'available') await page.click('#btn-presence');
  await page.locator('#presence-badge[data-status="available"]').waitFor();
  return page;
}

/** Presses a button with the keyboard: focus, then Enter. */
async function press(page: Page, selector: string): Promise<void> {
  await page.focus(selector);
  await page.keyboard.press('Enter');
}

describe('video appointment from home on Debian Chromium', () => {
  test('booked from home on the booking page, the e-mail over SMTP, the join link early and at the time, the operator reached with media both ways', async () => {
    const errors: string[] = [];
    const email = 'rosa.bianchi@example.org';
    const booking = await openPage(`${t.url}/booking/`, errors);
    const slotStart = await bookFromHome(booking, email, 60 * MINUTE);
    const mail = (await smtp.waitFor(1)).find((m) => m.to.includes(email))!;
    assert.match(mail.subject, /^Prenotazione confermata/);
    assert.match(mail.text, /Da casa, in video/);
    assert.ok(mail.text.includes(`${QUESTION} Bologna`), 'the answer in the message');
    assert.match(mail.text, /documento d’identità valido/, 'what to bring, in the message');
    const link = joinLink(mail);
    const row = await t.server.database.db
      .selectFrom('bookings')
      .select(['id', 'operator_id', 'mode'])
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    assert.equal(row.mode, 'home');

    // Early: its own page, with the time it opens; the devices can already be tried.
    const join = await openPage(link, errors);
    await joinTitle(join, /presto/);
    assert.match(await join.locator('#join-intro').innerText(), /Potrai collegarti dalle/);
    assert.equal(await join.locator('#btn-join').isVisible(), false, 'no join button before the time');
    await noViolations(join, 'the early join page');

    // At the time: check camera, microphone and speaker with the keyboard, then join.
    skew = Date.parse(slotStart) - 5 * MINUTE - (base + (Date.now() - realStart));
    const operatorName = row.operator_id === 'op-marco' ? 'marco' : 'giulia';
    const operator = await openOperator(operatorName, errors);
    await press(join, '#btn-join-again');
    await joinTitle(join, /Il tuo appuntamento video/);
    await press(join, '#btn-join-check');
    await join.locator('#join-results li[data-device="camera"][data-result="ok"]').waitFor();
    await join.locator('#join-results li[data-device="microphone"][data-result="ok"]').waitFor();
    // The preview shows the camera's picture (the project has no DOM types: the check is a string).
    await join.waitForFunction(`(document.querySelector('#join-preview')?.videoWidth ?? 0) > 0`);
    await press(join, '#btn-join-speaker');
    await join.locator('#join-results li[data-device="speaker"]').waitFor();
    await noViolations(join, 'the device check');
    await press(join, '#btn-join');
    await joinTitle(join, /In attesa/);
    await noViolations(join, 'the waiting page');

    // The same queue as a totem's check-in: the booking's operator rings, "from home".
    await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
    assert.match(await operator.locator('#ring-from').innerText(), /Da casa/);
    await operator.click('#btn-accept');
    await joinTitle(join, /In collegamento con/);
    const [onHome, onOperator] = await Promise.all([
      waitForMediaBothWays(join),
      waitForMediaBothWays(operator),
    ]);
    assert.ok(onHome.frames > 0 && onHome.level > 0, 'the citizen sees and hears the operator');
    assert.ok(onOperator.frames > 0 && onOperator.level > 0, 'the operator sees and hears the citizen');
    await noViolations(join, 'the call');
    const item = await t.server.database.db
      .selectFrom('calls')
      .select(['kind', 'booking_id'])
      .where('booking_id', '=', row.id)
      .executeTakeFirstOrThrow();
    assert.equal(item.kind, 'booked');
    await press(join, '#btn-join-hang-up');
    await joinTitle(join, /terminata/);
    await operator.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
    await noViolations(join, 'the call ended page');

    // Late: after the check-in window, the same link says the time has passed.
    skew += 20 * MINUTE;
    const late = await openPage(link, errors);
    await joinTitle(late, /tempo per collegarsi è passato/);
    await noViolations(late, 'the late join page');
    assert.deepEqual(errors, []);
  });

  test('M-2 a cancelled booking and a tampered link each get their own join page', async () => {
    const errors: string[] = [];
    const email = 'ugo.neri@example.org';
    const days = await (
      await fetch(
        `${t.url}${routePath(PUBLIC_ROUTES.slotDays, { serviceId: 'anagrafe-residenza' })}?from=${new Date(
          now().getTime() + 24 * 60 * MINUTE,
        )
          .toISOString()
          .slice(0, 10)}&days=7`,
      )
    ).json();
    const slot = (days as { slots: { start: string }[] }[]).flatMap((d) => d.slots)[0]!;
    const res = await fetch(`${t.url}${PUBLIC_ROUTES.book.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        serviceId: 'anagrafe-residenza',
        slotStart: slot.start,
        reason: 'Cambio di indirizzo',
        name: 'Ugo Neri',
        email,
        mode: 'home',
      }),
    });
    assert.equal(res.status, 201);
    const { manageToken } = (await res.json()) as { manageToken: string };
    while (!smtp.mails.some((m) => m.to.includes(email))) await smtp.waitFor(smtp.mails.length + 1);
    const link = joinLink(smtp.mails.find((m) => m.to.includes(email))!);
    const cancel = await fetch(`${t.url}${PUBLIC_ROUTES.cancelBooking.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: manageToken }),
    });
    assert.equal(cancel.status, 200);
    const cancelled = await openPage(link, errors);
    await joinTitle(cancelled, /annullato/);
    assert.equal(await cancelled.locator('#join-check').isVisible(), false);
    await noViolations(cancelled, 'the cancelled join page');
    const tampered = await openPage(
      link.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      errors,
    );
    await joinTitle(tampered, /non è valido/);
    await noViolations(tampered, 'the invalid join page');
    // In English too: the page's language follows the buttons, the state stays.
    await tampered.locator('button.lang[data-lang="en"]').click();
    await joinTitle(tampered, /This link is not valid/);
    await tampered.mouse.move(0, 0);
    await noViolations(tampered, 'the invalid join page in English');
    assert.deepEqual(errors, []);
  });
});
