// The administration page (app/admin) on Debian Chromium against a real server: an administrator
// goes through every form — each refusing a bad value beside its field, then saving — meets a
// schedule conflict and keeps the booking; a supervisor reads without forms; axe-core finds no
// WCAG 2.1 A/AA violation on any view.
import { describe, test } from 'node:test';
import { once } from 'node:events';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  ADMIN_ROUTES,
  FLEET_ROUTES,
  PUBLIC_ROUTES,
  routePath,
  routeQuery,
  type AuditEntry,
  type Slot,
} from '@sportello/protocol';
import { backOfficeRig, PAGES_DIR, signIn } from '../support/back-office.ts';
import { wcagViolations } from '../support/axe.ts';
import { startTestServer, type TestServer } from '../../server/src/node/testing/test-server.ts';
import { requestJson, signInAccount } from '../../server/src/node/testing/test-totem.ts';
import { TestOperator } from '../../server/src/node/testing/operator-client.ts';

// Monday 23 November 2026, 10:00 in Rome: the server's clock, so the booked day is in the future.
const now = () => new Date('2026-11-23T09:00:00Z');

let t: TestServer;
const rig = backOfficeRig(
  async () =>
    (t = await startTestServer(
      { pagesDir: PAGES_DIR, rateLimitPerMinute: 5000, timeZone: 'Europe/Rome' },
      now,
    )),
);
const openAdmin = () => rig.open('/admin/');

async function accessible(page: Page, view: string): Promise<void> {
  assert.deepEqual(await wcagViolations(page), [], `${view}: no WCAG 2.1 A/AA violation`);
}

async function openTab(page: Page, tab: string): Promise<void> {
  await page.click(`#tabs button[data-tab="${tab}"]`);
  await page.locator(`section[data-screen="${tab}"]:not([hidden])`).waitFor();
}

/** The message shown beside a control after a refused save. */
async function fieldError(page: Page, control: string): Promise<string> {
  await page.locator(`${control}[aria-invalid="true"]`).waitFor();
  const described = (await page.locator(control).getAttribute('aria-describedby')) ?? '';
  const id = described.split(' ').find((x) => x.startsWith('err-'));
  assert.ok(id, `${control} points to its error`);
  return page.locator(`#${id}`).innerText();
}

describe('administration page on Debian Chromium', () => {
  test('an administrator goes through every form, with errors beside the fields, and a schedule conflict', async () => {
    const { page, errors } = await openAdmin();
    await accessible(page, 'sign-in');
    await signIn(page, t.seed.admin.username, t.seed.admin.password);
    await page.locator('section[data-screen="offices"]:not([hidden])').waitFor();
    await page.locator('#offices-table tbody tr').first().waitFor();
    await accessible(page, 'offices');

    // Offices: an empty name is refused beside the field; then saved.
    await page.click('#office-form button[type=submit]');
    assert.match(await fieldError(page, '#office-name'), /dai un nome all'ufficio/);
    await accessible(page, 'offices with an error');
    await page.fill('#office-name', 'Ufficio Tributi');
    await page.click('#office-form button[type=submit]');
    await page.locator('#offices-table tbody tr', { hasText: 'Ufficio Tributi' }).waitFor();
    assert.equal(await page.locator('#office-name[aria-invalid]').count(), 0, 'the error is gone');

    // Services.
    await openTab(page, 'services');
    await accessible(page, 'services');
    await page.selectOption('#service-office', 'ufficio-tributi');
    await page.fill('#service-name', 'Rateizzazione TARI');
    await page.fill('#service-minutes', '2');
    await page.fill('#service-questions', 'Numero dell’avviso *\nNote');
    await page.click('#service-form button[type=submit]');
    assert.match(await fieldError(page, '#service-minutes'), /almeno 5 minuti/);
    await page.fill('#service-minutes', '30');
    await page.click('#service-form button[type=submit]');
    const serviceRow = page.locator('#services-table tbody tr', { hasText: 'Rateizzazione TARI' });
    await serviceRow.waitFor();
    assert.match(await serviceRow.innerText(), /Numero dell’avviso · Note/);

    // Accounts.
    await openTab(page, 'operators');
    await accessible(page, 'accounts');
    await page.fill('#operator-username', 'laura');
    await page.fill('#operator-name', 'Laura Verdi');
    await page.fill('#operator-password', 'short');
    await page.check('#operator-office-ufficio-tributi');
    await page.check('#operator-language-en');
    await page.click('#operator-form button[type=submit]');
    assert.match(await fieldError(page, '#operator-password'), /almeno 10 caratteri/);
    await page.fill('#operator-password', 'laura-first-password');
    await page.click('#operator-form button[type=submit]');
    const lauraRow = page.locator('#operators-table tbody tr', { hasText: 'Laura Verdi' });
    await lauraRow.waitFor();
    assert.match(await lauraRow.innerText(), /italiano, inglese/);
    await signInAccount(t.url, 'laura', 'laura-first-password');

    // Schedules: a bad row is refused beside it; then Monday and Wednesday mornings.
    await openTab(page, 'schedules');
    await page.selectOption('#schedule-service', { label: 'Rateizzazione TARI — Ufficio Tributi' });
    await page.click('#schedule-add');
    await page.fill('[data-field="entries.0.end"]', '08:00');
    await page.click('#schedule-form button[type=submit]');
    assert.match(await fieldError(page, '[data-field="entries.0.end"]'), /la fine deve venire dopo/);
    await accessible(page, 'schedules with an error');
    await page.fill('[data-field="entries.0.end"]', '12:00');
    await page.click('#schedule-add');
    await page.selectOption('[data-field="entries.1.weekday"]', '3');
    await page.click('#schedule-form button[type=submit]');
    await page.locator('#status', { hasText: 'Calendario salvato' }).waitFor();

    // A citizen books Wednesday; removing Wednesday is refused with the booking listed.
    const serviceId = (await page.inputValue('#schedule-service')) as string;
    const slots = await requestJson<Slot[]>(
      t.url + routePath(PUBLIC_ROUTES.slots, { serviceId }) + routeQuery({ date: '2026-11-25' }),
    );
    assert.equal(slots.body.length, 6);
    const booked = await requestJson(t.url + PUBLIC_ROUTES.book.path, {
      body: {
        serviceId,
        slotStart: slots.body[0]!.start,
        reason: 'Rate',
        name: 'Mario Rossi',
        // The service's required booking question (set above) must be answered.
        answers: [{ question: 'Numero dell’avviso', answer: '12345' }],
      },
    });
    assert.equal(booked.status, 201);
    await page.click('#schedule-table tbody tr:nth-child(2) button');
    await page.click('#schedule-form button[type=submit]');
    await page.locator('#schedule-conflicts:not([hidden])').waitFor();
    assert.match(
      await page.locator('#schedule-conflicts li').innerText(),
      /Rateizzazione TARI, Laura Verdi: fuori dal nuovo calendario/,
    );
    await accessible(page, 'schedule conflicts');
    await page.click('#schedule-conflicts [data-keep]');
    await page.locator('#schedule-conflicts[hidden]').waitFor({ state: 'attached' });
    await page.locator('#status', { hasText: 'Calendario salvato' }).waitFor();
    assert.equal(await page.locator('#schedule-table tbody tr').count(), 1);

    // Holidays and exceptions.
    await openTab(page, 'exceptions');
    await accessible(page, 'exceptions');
    await page.fill('#exception-date', '2026-12-07');
    await page.click('#exception-form button[type=submit]');
    assert.match(await fieldError(page, '#exception-label'), /indica il motivo/);
    await page.fill('#exception-label', 'Sant’Ambrogio');
    await page.click('#exception-form button[type=submit]');
    await page.locator('#exceptions-table tbody tr', { hasText: 'Sant’Ambrogio' }).waitFor();
    // Monday 7 December is closed; the next Monday keeps its six slots.
    const closed = await requestJson<Slot[]>(
      t.url + routePath(PUBLIC_ROUTES.slots, { serviceId }) + routeQuery({ date: '2026-12-07' }),
    );
    assert.equal(closed.body.length, 0, 'no slot on the holiday');
    const open = await requestJson<Slot[]>(
      t.url + routePath(PUBLIC_ROUTES.slots, { serviceId }) + routeQuery({ date: '2026-12-14' }),
    );
    assert.equal(open.body.length, 6, 'the next Monday is open');

    // Sites.
    await openTab(page, 'sites');
    await accessible(page, 'sites');
    await page.click('#site-form button[type=submit]');
    assert.match(await fieldError(page, '#site-name'), /dai un nome alla postazione/);
    await page.fill('#site-name', 'Biblioteca civica');
    await page.check('#site-office-ufficio-tributi');
    await page.click('#site-form button[type=submit]');
    await page.locator('#sites-table tbody tr', { hasText: 'Biblioteca civica' }).waitFor();

    // Deactivating Laura, whose console is open: her booked appointment is listed first; keeping
    // it deactivates her and her console is closed at once.
    const lauraConsole = await TestOperator.signIn(t.url, 'laura', 'laura-first-password');
    const disconnected = once(lauraConsole.socket as never, 'disconnect');
    await openTab(page, 'operators');
    await page.click('#operators-table tbody tr:has-text("Laura Verdi") button');
    await page.uncheck('#operator-active');
    await page.click('#operator-form button[type=submit]');
    await page.locator('#operator-conflicts:not([hidden])').waitFor();
    assert.match(await page.locator('#operator-conflicts li').innerText(), /prenotato con questo operatore/);
    assert.equal(lauraConsole.socket.connected, true, 'nothing changed yet');
    await accessible(page, 'account conflicts');
    await page.click('#operator-conflicts [data-keep]');
    await disconnected;
    await page
      .locator('#operators-table tbody tr:has-text("Laura Verdi")', { hasText: 'disattivato' })
      .waitFor();
    lauraConsole.socket.close();

    // English, for one view.
    await page.click('button.lang[data-lang="en"]');
    await openTab(page, 'sites');
    await page.locator('#sites-title', { hasText: 'Sites' }).waitFor();
    await accessible(page, 'sites in English');

    const admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
    const audit = await requestJson<AuditEntry[]>(
      t.url + FLEET_ROUTES.listAudit.path + routeQuery({ limit: 100 }),
      {
        authorization: `Bearer ${admin}`,
      },
    );
    const actions = new Set(audit.body.filter((e) => e.actor === 'admin').map((e) => e.action));
    for (const a of [
      'office-create',
      'service-create',
      'account-create',
      'schedule-save',
      'exception-create',
      'site-create',
    ]) {
      assert.ok(actions.has(a), `${a} audited`);
    }
    assert.deepEqual(errors, []);
  });

  test('a supervisor reads every view without forms; an operator is turned away', async () => {
    const admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
    const created = await requestJson(t.url + ADMIN_ROUTES.createOperator.path, {
      authorization: `Bearer ${admin}`,
      body: {
        username: 'sara',
        displayName: 'Sara Neri',
        password: 'sara-supervisor-password',
        role: 'supervisor',
        offices: [],
        languages: ['it'],
      },
    });
    assert.equal(created.status, 201);
    const { page, errors } = await openAdmin();
    await signIn(page, 'sara', 'sara-supervisor-password');
    await page.locator('section[data-screen="offices"]:not([hidden])').waitFor();
    await page.locator('#read-only:not([hidden])').waitFor();
    for (const tab of ['offices', 'services', 'operators', 'schedules', 'exceptions', 'sites']) {
      await openTab(page, tab);
      assert.equal(
        await page.locator(`section[data-screen="${tab}"] form.editor:not([hidden])`).count(),
        0,
        `${tab}: no form for a supervisor`,
      );
      await accessible(page, `${tab} (supervisor)`);
    }
    // The check itself works: an image without a text alternative is reported.
    await page.evaluate(
      `document.querySelector('main').append(Object.assign(new Image(), { src: 'data:,' }))`,
    );
    assert.match((await wcagViolations(page)).join('\n'), /^image-alt/m);
    await page.click('#btn-sign-out');
    await signIn(page, 'giulia', 'giulia-test-password');
    await page.locator('#alert', { hasText: 'amministratori e supervisori' }).waitFor();
    assert.deepEqual(errors, []);
  });
});
