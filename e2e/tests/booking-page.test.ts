// The citizen's booking page (app/booking) on Debian Chromium against a real server: booking end to
// end, the personal link and cancelling, validation before any request, a time taken meanwhile, and
// the network going down. The browser runs in New York's time zone on purpose: the page must still
// show Rome's days and times. The look, axe-core and the keyboard-only booking: booking-look.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { PUBLIC_ROUTES } from '@sportello/protocol';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../../server/src/node/testing/test-server.ts';

const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));
const REASON = "Rinnovo della carta d'identità scaduta";

let t: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  // Each page load asks for 14 days of slots; the default per-minute limit is for real citizens.
  t = await startTestServer({ pagesDir: PAGES_DIR, rateLimitPerMinute: 2000 });
  browser = await launchChromium();
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
});

interface OpenedPage {
  page: Page;
  /** Uncaught errors in the page; every test expects none. */
  errors: string[];
  /** POST /api/bookings requests the page has sent. */
  posts: string[];
}

async function openPage(path = '/'): Promise<OpenedPage> {
  const ctx = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    timezoneId: 'America/New_York',
  });
  contexts.push(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  const posts: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (r.method() === PUBLIC_ROUTES.book.method && r.url().endsWith(PUBLIC_ROUTES.book.path))
      posts.push(r.postData() ?? '');
  });
  await page.goto(t.url + path);
  return { page, errors, posts };
}

const step = (page: Page, name: string) => page.locator(`section[data-step="${name}"]:not([hidden])`);
const next = (page: Page) => page.locator('section[data-step]:not([hidden]) button[type=submit]').click();
const focusedText = (page: Page) => page.locator(':focus').innerText();

function romeTime(iso: string): string {
  return new Intl.DateTimeFormat('it-IT', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'Europe/Rome',
  }).format(new Date(iso));
}

/** Office, service, the first day with free times and its first time; returns the slot start. */
async function chooseSlot(page: Page): Promise<string> {
  await page.locator('#office-options input[value="anagrafe"]').check();
  await next(page);
  await page.locator('#service-options input[value="anagrafe-cie"]').check();
  await next(page);
  await step(page, 'when').waitFor();
  // The first day with free times; a time at least five minutes away, so it cannot pass mid-test.
  const days = page.locator('#day-options input:not([disabled])');
  await days.first().waitFor();
  let slotStart: string | undefined;
  for (let d = 0; !slotStart && d < (await days.count()); d++) {
    await days.nth(d).check();
    const times = page.locator('#time-options input');
    const starts: string[] = [];
    for (let i = 0; i < (await times.count()); i++) starts.push((await times.nth(i).getAttribute('value'))!);
    slotStart = starts.find((s) => Date.parse(s) > Date.now() + 5 * 60_000);
  }
  assert.ok(slotStart, 'some day in the next 14 has a free time');
  const time = page.locator(`#time-options input[value="${slotStart}"]`);
  const label = time.locator('xpath=..');
  assert.equal(await label.innerText(), romeTime(slotStart), 'times are shown in Rome’s time');
  await time.check();
  await next(page);
  await step(page, 'reason').waitFor();
  return slotStart;
}

async function fillToSummary(page: Page): Promise<string> {
  const slotStart = await chooseSlot(page);
  await page.fill('#reason', REASON);
  await next(page);
  await page.fill('#name', 'Maria Esposito');
  await page.fill('#email', 'maria@example.org');
  await next(page);
  await step(page, 'summary').waitFor();
  return slotStart;
}

async function bookingByCode(code: string) {
  return t.server.database.db.selectFrom('bookings').selectAll().where('code', '=', code).executeTakeFirst();
}

describe('booking page on Debian Chromium', () => {
  test('a citizen books end to end, sees the code in groups, opens the personal link and cancels', async () => {
    const { page, errors } = await openPage();
    await page.waitForURL(/\/booking\/$/);
    await step(page, 'office').waitFor();
    const slotStart = await fillToSummary(page);
    const summary = await page.locator('#summary').innerText();
    assert.match(summary, /Carta d'identità elettronica/);
    assert.match(summary, new RegExp(romeTime(slotStart)));
    assert.match(summary, /maria@example\.org/);

    await page.click('#btn-confirm');
    await step(page, 'done').waitFor();
    assert.equal(await focusedText(page), 'Prenotazione confermata', 'focus moves to the new step heading');
    const shown = await page.locator('#done-code [aria-hidden="true"]').innerText();
    assert.match(shown, /^\d{3} \d{3} \d{3}$/, 'the code is shown in groups of three');
    const row = await bookingByCode(shown.replace(/ /g, ''));
    assert.ok(row, 'the booking exists in the server database');
    assert.equal(row.reason, REASON);
    assert.equal(row.name, 'Maria Esposito');
    assert.equal(row.email, 'maria@example.org');
    assert.equal(row.slot_start, slotStart);
    assert.match(await page.locator('#done-next2').innerText(), /15 minuti prima a 10 minuti dopo/);

    await page.click('#done-manage-link');
    await page.waitForURL(/#manage=/);
    await page.locator('#manage-details:not([hidden])').waitFor();
    const details = await page.locator('#manage-details').innerText();
    assert.match(details, new RegExp(REASON));
    assert.match(details, /Prenotata/);
    await page.click('#btn-cancel');
    await page.click('#btn-cancel-yes');
    await page.locator('#manage-status', { hasText: 'annullata' }).waitFor();
    assert.match(await page.locator('#manage-details').innerText(), /Annullata/);
    assert.equal(
      await page.locator('#btn-cancel').isVisible(),
      false,
      'a cancelled booking offers no cancel',
    );
    assert.equal((await bookingByCode(row.code))?.status, 'cancelled');
    assert.deepEqual(errors, []);
  });

  test('a link cut short says so without asking the server', async () => {
    const { page, errors } = await openPage('/booking/#manage=too-short');
    await page.locator('#manage-alert', { hasText: 'non corrisponde' }).waitFor();
    assert.deepEqual(errors, []);
  });

  test('validation messages appear next to the fields, in the chosen language, without a request', async () => {
    const { page, errors, posts } = await openPage();
    await step(page, 'office').waitFor();
    await next(page);
    await page.locator('#office-error', { hasText: 'Scegli un ufficio' }).waitFor();
    await chooseSlot(page);

    await next(page);
    await page.locator('#reason-error', { hasText: 'motivo' }).waitFor();
    assert.equal(await page.getAttribute('#reason', 'aria-invalid'), 'true');
    assert.equal(await page.locator(':focus').getAttribute('id'), 'reason', 'focus goes to the field to fix');
    await page.click('button[data-lang="en"]');
    await page.locator('#reason-error', { hasText: 'Say briefly why' }).waitFor();
    await page.click('button[data-lang="it"]');
    await page.fill('#reason', REASON);
    assert.equal(
      await page.locator('#reason-error').innerText(),
      '',
      'the message goes once the person types',
    );
    await next(page);

    await step(page, 'contacts').waitFor();
    await page.fill('#name', 'Maria Esposito');
    await next(page);
    await page.locator('#contact-error', { hasText: 'almeno un contatto' }).waitFor();
    await page.fill('#email', 'maria@');
    await next(page);
    await page.locator('#email-error', { hasText: 'indirizzo e-mail' }).waitFor();
    assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
    await page.fill('#phone', '333-abc');
    await next(page);
    await page.locator('#phone-error', { hasText: 'numero di telefono' }).waitFor();
    assert.equal(await step(page, 'contacts').isVisible(), true);
    assert.deepEqual(posts, [], 'nothing was sent');
    assert.deepEqual(errors, []);
  });

  test('a time taken meanwhile sends the person back to the times, keeping what they typed', async () => {
    const { page, errors } = await openPage();
    await step(page, 'office').waitFor();
    const slotStart = await fillToSummary(page);
    // Other people take every operator's copy of that time while this person reads the summary.
    for (let i = 0; i < 5; i++) {
      const res = await fetch(t.url + PUBLIC_ROUTES.book.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          serviceId: 'anagrafe-cie',
          slotStart,
          reason: 'Altro',
          name: 'Altra persona',
          phone: '3331234567',
        }),
      });
      await res.body?.cancel();
      if (res.status === 409) break;
      assert.equal(res.status, 201);
    }
    await page.click('#btn-confirm');
    await step(page, 'when').waitFor();
    await page.locator('#when-alert', { hasText: 'appena prenotato da un' }).waitFor();
    assert.equal(await focusedText(page), "Quando vuoi l'appuntamento?");
    await page.locator('#time-options input').first().waitFor();
    assert.equal(
      await page.locator(`#time-options input[value="${slotStart}"]`).count(),
      0,
      'the taken time is gone',
    );
    await page.locator('#time-options input').first().check();
    await next(page);
    assert.equal(await page.inputValue('#reason'), REASON);
    await next(page);
    assert.equal(await page.inputValue('#name'), 'Maria Esposito');
    await next(page);
    await page.click('#btn-confirm');
    await step(page, 'done').waitFor();
    assert.deepEqual(errors, []);
  });

  test('with the network down the page says so and keeps the form; it books once it is back', async () => {
    const { page, errors, posts } = await openPage();
    await step(page, 'office').waitFor();
    await fillToSummary(page);
    await page.route(`**${PUBLIC_ROUTES.book.path}`, (route) => route.abort('internetdisconnected'));
    await page.click('#btn-confirm');
    await page.locator('#summary-alert', { hasText: 'connessione a internet' }).waitFor();
    assert.equal(await step(page, 'summary').isVisible(), true);
    await page.unroute(`**${PUBLIC_ROUTES.book.path}`);
    await page.click('#btn-confirm');
    await step(page, 'done').waitFor();
    assert.equal(posts.length, 2);
    assert.deepEqual(errors, []);
  });

  test('keyboard only: arrows choose, Enter continues, focus follows the steps', async () => {
    const { page, errors } = await openPage();
    await step(page, 'office').waitFor();
    await page.locator('#office-options input').first().waitFor();
    await page.locator('#office-options input').first().focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await step(page, 'service').waitFor();
    assert.equal(await focusedText(page), 'Di cosa hai bisogno?');
    await page.locator('#service-options input').first().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await step(page, 'when').waitFor();
    assert.equal(await focusedText(page), "Quando vuoi l'appuntamento?");
    assert.deepEqual(errors, []);
  });
});
