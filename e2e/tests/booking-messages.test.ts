// The citizen at home on Debian Chromium with a real SMTP exchange: book through every step of the
// booking page, receive the confirmation in an SMTP server started here, parse it (grouped code,
// links, an .ics read by ical.js at the booked instant), then move the booking through the
// reschedule link and cancel it through the cancel link of the next message; the first message's
// links then say they were already used (M-2), and a tampered one says it is not valid.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import ICAL from 'ical.js';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { formatBookingCode } from '@sportello/protocol';
import { launchChromium } from '../support/browser.ts';
import { startTestServer, type TestServer } from '../../server/src/node/testing/test-server.ts';
import { SmtpSink, type CaughtMail } from '../../server/src/node/testing/smtp-sink.ts';

const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));
const EMAIL = 'lucia.ferri@example.org';

let t: TestServer;
let smtp: SmtpSink;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  smtp = new SmtpSink();
  await smtp.start();
  t = await startTestServer({
    pagesDir: PAGES_DIR,
    rateLimitPerMinute: 2000,
    messages: { email: { host: '127.0.0.1', port: smtp.port, from: 'Comune <sportello@comune.example>' } },
  });
  browser = await launchChromium();
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await t?.close();
  await smtp?.close();
});

async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'Europe/Rome' });
  contexts.push(ctx);
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  return { page, errors };
}

const step = (page: Page, name: string) => page.locator(`section[data-step="${name}"]:not([hidden])`);
const next = (page: Page) => page.locator('section[data-step]:not([hidden]) button[type=submit]').click();

function ics(mail: CaughtMail) {
  assert.ok(mail.ics, `"${mail.subject}" has a calendar part`);
  const cal = new ICAL.Component(ICAL.parse(mail.ics));
  const event = new ICAL.Event(cal.getFirstSubcomponent('vevent')!);
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    utc: event.startDate.zone === ICAL.Timezone.utcTimezone,
  };
}

function link(mail: CaughtMail, purpose: 'cancel' | 'reschedule'): string {
  const m = new RegExp(`(https?://\\S+/booking/#${purpose}=[\\w.-]+)`).exec(mail.text);
  assert.ok(m, `a ${purpose} link in "${mail.subject}"`);
  return m[1]!;
}

const romeTime = (iso: string) =>
  new Intl.DateTimeFormat('it-IT', {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: 'Europe/Rome',
  }).format(new Date(iso));

/** Every step of the booking page, to the confirmation; returns the slot booked. */
async function bookOnPage(page: Page, email: string): Promise<string> {
  await step(page, 'office').waitFor();
  await page.locator('#office-options input[value="urp"]').check();
  await next(page);
  await page.locator('#service-options input[value="urp-info"]').check();
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
      if (Date.parse(v) > Date.now() + 3 * 3_600_000) slotStart = v;
    }
  }
  assert.ok(slotStart, 'a free time at least three hours away');
  await page.locator(`#time-options input[value="${slotStart}"]`).check();
  await next(page);
  await page.fill('#reason', 'Certificato di residenza');
  await next(page);
  await page.fill('#name', 'Lucia Ferri');
  await page.fill('#email', email);
  await next(page);
  await step(page, 'summary').waitFor();
  await page.click('#btn-confirm');
  await step(page, 'done').waitFor();
  return slotStart;
}

describe('messages end to end on Debian Chromium with a real SMTP server', () => {
  test('book through every step, read the e-mail, reschedule and cancel through its links', async () => {
    const { page, errors } = await openPage(`${t.url}/booking/`);
    const slotStart = await bookOnPage(page, EMAIL);
    const shown = await page.locator('#done-code [aria-hidden="true"]').innerText();

    const [confirmation] = await smtp.waitFor(1);
    assert.ok(confirmation);
    assert.deepEqual(confirmation.to, [EMAIL]);
    assert.match(confirmation.subject, /^Prenotazione confermata/);
    assert.ok(confirmation.text.includes(shown), 'the code as the page showed it, in groups');
    assert.equal(shown, formatBookingCode(shown.replace(/ /g, '')), 'grouped 123 456 789');
    assert.ok(confirmation.text.includes(romeTime(slotStart)), 'the time in Rome');
    const first = ics(confirmation);
    assert.deepEqual([first.method, first.sequence, first.start, first.utc], ['REQUEST', 0, slotStart, true]);

    // Reschedule through the link: another free time of the same service.
    const moving = await openPage(link(confirmation, 'reschedule'));
    await moving.page.locator('#link-reschedule:not([hidden])').waitFor();
    const options = moving.page.locator('#link-slot option');
    const target = (await options.nth(0).getAttribute('value'))!;
    assert.notEqual(target, slotStart);
    await moving.page.selectOption('#link-slot', target);
    await moving.page.click('#btn-link-move');
    await moving.page.locator('#link-status', { hasText: 'spostata' }).waitFor();
    const moved = (await smtp.waitFor(2))[1]!;
    assert.match(moved.subject, /^Prenotazione spostata/);
    const second = ics(moved);
    assert.deepEqual(
      [second.method, second.uid, second.sequence, second.start],
      ['REQUEST', first.uid, 1, target],
    );
    assert.ok(moved.text.includes(shown), 'the same code');

    // The first message's links are now used; a tampered one is not valid. Nothing changes.
    const reused = await openPage(link(confirmation, 'cancel'));
    await reused.page.locator('#link-alert', { hasText: 'già stato usato' }).waitFor();
    assert.equal(await reused.page.locator('#btn-link-cancel').isVisible(), false);
    const tampered = await openPage(link(moved, 'cancel').replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')));
    await tampered.page.locator('#link-alert', { hasText: 'non è valido' }).waitFor();

    // Cancel through the new message's link.
    const cancelling = await openPage(link(moved, 'cancel'));
    await cancelling.page.locator('#link-cancel:not([hidden])').waitFor();
    await cancelling.page.click('#btn-link-cancel');
    await cancelling.page.locator('#link-status', { hasText: 'annullata' }).waitFor();
    const cancelled = (await smtp.waitFor(3))[2]!;
    assert.match(cancelled.subject, /^Prenotazione annullata/);
    const third = ics(cancelled);
    assert.deepEqual([third.method, third.uid, third.sequence], ['CANCEL', first.uid, 2]);
    const row = await t.server.database.db
      .selectFrom('bookings')
      .select(['status', 'slot_start'])
      .where('code', '=', shown.replace(/ /g, ''))
      .executeTakeFirstOrThrow();
    assert.deepEqual([row.status, row.slot_start], ['cancelled', target]);
    const again = await openPage(link(moved, 'cancel'));
    await again.page.locator('#link-alert', { hasText: 'già stata annullata' }).waitFor();
    assert.equal(smtp.mails.length, 3, 'one message per change, none twice');
    assert.deepEqual([...errors, ...moving.errors, ...cancelling.errors], []);
  });

  test('a second booking of the same e-mail is confirmed with the code sent to it; the privacy notice', async () => {
    const email = 'piero.verdi@example.org';
    const first = await openPage(`${t.url}/booking/`);
    await bookOnPage(first.page, email);
    assert.equal(await first.page.locator('#done-verify').isVisible(), false, 'one booking: no friction');
    const { page, errors } = await openPage(`${t.url}/booking/`);
    await bookOnPage(page, email);
    await page.locator('#done-verify:not([hidden])').waitFor();
    assert.match(await page.locator('#done-verify-intro').innerText(), /per e-mail/);
    const mailsTo = () => smtp.mails.filter((m) => m.to.includes(email));
    while (!mailsTo().some((m) => /codice per confermare/.test(m.subject)))
      await smtp.waitFor(smtp.mails.length + 1);
    const codeMail = mailsTo().find((m) => /codice per confermare/.test(m.subject))!;
    const code = /\b(\d{6})\b/.exec(codeMail.text)![1]!;
    const before = mailsTo().length;
    await page.fill('#verify-code', code);
    await page.click('#btn-verify');
    await page.locator('#verify-status', { hasText: 'confermata' }).waitFor();
    while (mailsTo().length === before) await smtp.waitFor(smtp.mails.length + 1);
    assert.match(mailsTo().at(-1)!.subject, /^Prenotazione confermata/);
    assert.deepEqual([...first.errors, ...errors], []);

    for (const [lang, title] of [
      ['it', 'Informativa sul trattamento dei dati personali'],
      ['en', 'Privacy notice'],
    ] as const) {
      const notice = await openPage(`${t.url}/booking/#privacy`);
      if (lang === 'en') await notice.page.locator('button.lang[data-lang="en"]').click();
      await notice.page
        .locator('section[data-step="privacy"]:not([hidden]) h1', { hasText: title })
        .waitFor();
      assert.match(
        await notice.page.locator('section[data-step="privacy"]').innerText(),
        lang === 'it' ? /30 giorni/ : /30 days/,
      );
    }
  });

  test('M-1 with SMTP down the booking is confirmed and the fleet page shows the message being retried', async () => {
    await smtp.stop();
    try {
      const { page, errors } = await openPage(`${t.url}/booking/`);
      await bookOnPage(page, 'gino.neri@example.org');
      await page.locator('#done-code').waitFor();
      const fleet = await openPage(`${t.url}/fleet/`);
      await fleet.page.fill('#username', t.seed.admin.username);
      await fleet.page.fill('#password', t.seed.admin.password);
      await fleet.page.click('#sign-in-form button[type=submit]');
      const row = fleet.page.locator('#messages-rows tr', { hasText: 'ECONNREFUSED' }).first();
      await row.waitFor();
      const text = await row.innerText();
      assert.match(text, /Conferma/);
      assert.match(text, /E-mail/);
      assert.match(text, /In attesa/);
      assert.ok(!text.includes('gino.neri'), 'no recipient on the page');
      assert.deepEqual([...errors, ...fleet.errors], []);
    } finally {
      await smtp.start();
    }
  });
});
