// The look of a municipal service on the booking pages, on Debian Chromium against a real server:
// bootstrap-italia with Titillium Web served from this server (the font really draws the text, and
// no request leaves the server), the footer every Italian public page carries with the Designers
// Italia data-element names, the legal notes and accessibility statement filled from the
// configuration, no layout shift through the steps on a phone (CLS ≤ 0.1), axe-core with no WCAG
// 2.1 A/AA violation on every step and view in Italian and English (U-3), and one booking made with
// the keyboard alone (U-1).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.ts';
import { axeViolations, describeViolations } from '../support/axe.ts';
import { startTestServer, type TestServer } from '../../server/src/node/testing/test-server.ts';
import { SmtpSink } from '../../server/src/node/testing/smtp-sink.ts';

const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));
const MUNICIPALITY = { name: 'Comune di Roccaverde', email: 'urp@comune.roccaverde.example' };
const PHONE = { width: 390, height: 844 };

let t: TestServer;
let smtp: SmtpSink;
let browser: Browser;
const contexts: BrowserContext[] = [];

before(async () => {
  smtp = new SmtpSink();
  await smtp.start();
  t = await startTestServer({
    pagesDir: PAGES_DIR,
    rateLimitPerMinute: 5000,
    municipality: MUNICIPALITY,
    abuse: { bookingRequestsPerMinute: 1000, maxPerAddressPerDay: 1000, verifyFromAddressBookings: 1000 },
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

// Code that runs in the page is written as strings: this project is compiled without the DOM's types.
/** The layout-shift score as Lighthouse counts it: shifts not caused by the person's own input. */
const CLS_OBSERVER = `
  window.__cls = 0;
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      window.__cls += e.value;
      const nodes = (e.sources || []).map((s) =>
        s.node instanceof Element ? s.node.tagName + '#' + s.node.id + '.' + s.node.className : String(s.node),
      );
      window.__shifts.push(e.value.toFixed(4) + ' ' + nodes.join(' | '));
    }
  }).observe({ type: 'layout-shift', buffered: true });
`;

interface Opened {
  page: Page;
  errors: string[];
  /** Every URL the page asked for. */
  requests: string[];
}

async function openPage(
  path: string,
  viewport = PHONE,
  language: 'it' | 'en' = 'it',
  /** Added to every request, as on a phone's mobile network. */
  latencyMs = 0,
): Promise<Opened> {
  const ctx = await browser.newContext({ viewport, timezoneId: 'Europe/Rome' });
  contexts.push(ctx);
  // The layout-shift score as Lighthouse counts it: shifts not caused by the person's own input.
  await ctx.addInitScript(CLS_OBSERVER);
  if (language === 'en') await ctx.addInitScript(`localStorage.setItem('sportello-booking-language', 'en')`);
  const page = await ctx.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  if (latencyMs > 0) {
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: latencyMs,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  }
  await page.goto(t.url + path);
  await page.locator('body:not(.loading)').waitFor();
  return { page, errors, requests };
}

const step = (page: Page, name: string) => page.locator(`section[data-step="${name}"]:not([hidden])`);
const next = (page: Page) => page.locator('section[data-step]:not([hidden]) button[type=submit]').click();

/** Walks the booking with clicks, calling `at` on every step once it is drawn complete. */
async function bookByClicks(page: Page, email: string, at: (name: string) => Promise<void>): Promise<void> {
  await page.locator('#office-options input').first().waitFor();
  await at('office');
  await page.locator('#office-options input[value="anagrafe"]').check();
  await next(page);
  await page.locator('#service-options input').first().waitFor();
  await at('service');
  await page.locator('#service-options input[value="anagrafe-cie"]').check();
  await next(page);
  await page.locator('#day-options input:not([disabled])').first().waitFor();
  await page.locator('#day-options input:not([disabled])').first().check();
  await page.locator('#time-options input').first().waitFor();
  await at('when');
  await page.locator('#time-options input').first().check();
  await next(page);
  await step(page, 'reason').waitFor();
  await at('reason');
  await page.fill('#reason', 'Rinnovo della carta di identità');
  await next(page);
  await step(page, 'contacts').waitFor();
  await at('contacts');
  await page.fill('#name', 'Gemma Rinaldi');
  await page.fill('#email', email);
  await next(page);
  await step(page, 'summary').waitFor();
  await at('summary');
  await page.click('#btn-confirm');
  await step(page, 'done').waitFor();
  await at('done');
}

async function assertNoAxeViolations(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, `axe on ${where}:\n${describeViolations(violations)}`);
}

/** The cancel and reschedule links of the last confirmation sent to an address. */
async function linksFor(email: string): Promise<{ cancel: string; reschedule: string }> {
  await t.server.messages.runDue();
  const mail = smtp.mails.filter((m) => m.to.includes(email) && m.text.includes('#cancel=')).at(-1);
  assert.ok(mail, `a confirmation to ${email}`);
  const find = (purpose: string) => {
    const m = new RegExp(`/booking/(#${purpose}=[\\w.-]+)`).exec(mail.text);
    assert.ok(m, `a ${purpose} link`);
    return m[1]!;
  };
  return { cancel: find('cancel'), reschedule: find('reschedule') };
}

describe('booking pages: the look of a municipal service', () => {
  test('Titillium Web from this server draws the text, and nothing is asked of another host', async () => {
    const { page, errors, requests } = await openPage('/booking/', { width: 1280, height: 900 });
    await page.locator('#office-options input').first().waitFor();
    const check = await page.evaluate<{ loaded: boolean; version: string }>(`(async () => {
      await document.fonts.ready;
      return {
        loaded: document.fonts.check('16px "Titillium Web"'),
        version: getComputedStyle(document.documentElement).getPropertyValue('--bootstrap-italia-version'),
      };
    })()`);
    assert.equal(check.loaded, true, 'the Titillium Web face is loaded');
    assert.match(check.version, /2\.\d+\.\d+/, 'bootstrap-italia 2 is in use (validator criterion C.SI.1.2)');
    // What Chromium actually drew the heading with, not what the CSS asked for.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('DOM.enable');
    await cdp.send('CSS.enable');
    const { root } = await cdp.send('DOM.getDocument');
    for (const selector of [
      'section[data-step="office"] h1',
      '#office-options .choice-title',
      'footer a[data-element="legal-notes"]',
    ]) {
      const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
      const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
      assert.deepEqual(
        fonts.map((f) => f.familyName),
        ['Titillium Web'],
        `${selector} is drawn in ${JSON.stringify(fonts)}`,
      );
    }
    const origin = new URL(t.url).origin;
    const elsewhere = requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'));
    assert.deepEqual(elsewhere, [], 'every request goes to this server');
    assert.ok(
      requests.some((u) => /titillium-web.*\.woff2$/.test(u)),
      'the font came from this server',
    );
    assert.deepEqual(errors, []);
  });

  test('the built pages name no other host: fonts, styles and scripts are all in app/dist', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (/\.(html|css)$/.test(e.name) || /^booking.*\.js$/.test(e.name))
          files.push(join(dir, e.name));
      }
    };
    walk(join(PAGES_DIR, 'booking'));
    walk(join(PAGES_DIR, 'assets'));
    assert.ok(files.some((f) => f.endsWith('.css')));
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // url(), @import, src= and href= that leave the server; SVG namespaces are not requests.
      const external = [
        ...text.matchAll(/(?:url\(\s*['"]?|@import\s+['"]|(?:src|href)\s*=\s*['"])(https?:)?\/\/[^'")\s]+/g),
      ]
        .map((m) => m[0])
        .filter((u) => !u.includes('www.w3.org/'));
      assert.deepEqual(external, [], `${file} loads from another host`);
    }
  });

  test('every public view carries the footer links with their data-element names, and the legal pages quote the configuration', async () => {
    const { page, errors } = await openPage('/booking/');
    const views = ['/booking/', '/booking/#privacy', '/booking/#legal-notes', '/booking/#accessibility'];
    for (const view of views) {
      await page.goto(t.url + view);
      await page.locator('body:not(.loading)').waitFor();
      const footer = page.locator('footer');
      assert.equal(
        await footer.locator('a[data-element="privacy-policy-link"]').getAttribute('href'),
        '#privacy',
      );
      assert.equal(
        await footer.locator('a[data-element="legal-notes"]').getAttribute('href'),
        '#legal-notes',
      );
      assert.equal(
        await footer.locator('a[data-element="accessibility-link"]').getAttribute('href'),
        '#accessibility',
      );
      assert.equal(await page.locator('a[data-element="appointment-booking"]').getAttribute('href'), './');
      assert.match(await footer.innerText(), /Comune di Roccaverde[\s\S]*urp@comune\.roccaverde\.example/);
    }
    await page.click('footer a[data-element="legal-notes"]');
    await step(page, 'legal').waitFor();
    assert.equal(await page.locator(':focus').innerText(), 'Note legali');
    assert.equal(
      await page.locator('[data-element="legal-notes-section"]').innerText(),
      'Licenza dei contenuti',
    );
    assert.match(
      await page.locator('[data-element="legal-notes-body"]').innerText(),
      /CC BY 4\.0.*\(Comune di Roccaverde\)/,
    );
    await page.click('footer a[data-element="accessibility-link"]');
    await step(page, 'accessibility').waitFor();
    assert.match(await step(page, 'accessibility').innerText(), /scrivi a urp@comune\.roccaverde\.example/);
    await page.click('button[data-lang="en"]');
    assert.match(await step(page, 'accessibility').innerText(), /write to urp@comune\.roccaverde\.example/);
    assert.equal(await page.title(), 'Accessibility statement – Book a video appointment');
    assert.deepEqual(errors, []);
  });

  test('no layout shift through every step on a phone: CLS stays at most 0.1', async () => {
    // Each answer comes later than the 500 ms after a tap within which a shift would not count.
    const { page, errors } = await openPage('/booking/', PHONE, 'it', 600);
    await bookByClicks(page, 'cls@example.org', async () => {});
    const { cls, shifts } = await page.evaluate<{ cls: number; shifts: string[] }>(
      `({ cls: window.__cls, shifts: window.__shifts })`,
    );
    console.log(
      `booking page CLS on a ${PHONE.width}×${PHONE.height} phone, 600 ms latency: ${cls.toFixed(4)}`,
    );
    if (shifts.length > 0) console.log(`layout shifts:\n${shifts.join('\n')}`);
    assert.ok(cls <= 0.1, `CLS ${cls.toFixed(4)} > 0.1; shifts:\n${shifts.join('\n')}`);
    assert.deepEqual(errors, []);
  });

  /** Bookings made so far with the e-mail of the axe runs. */
  let axeBookings = 0;
  for (const language of ['it', 'en'] as const) {
    test(`U-3 axe-core finds no WCAG 2.1 A/AA violation on any step or view (${language})`, async () => {
      const { page, errors } = await openPage('/booking/', PHONE, language);
      // The same e-mail both times: the second booking waits for the code sent to it, so its
      // confirmation shows the verification box.
      const email = 'axe@example.org';
      await bookByClicks(page, email, async (name) => {
        await assertNoAxeViolations(page, `step ${name} (${language})`);
        if (name === 'reason') {
          // A step with a message next to its field (aria-invalid, role=alert) is checked too.
          await next(page);
          await page.locator('#reason-error:not(:empty)').waitFor();
          await assertNoAxeViolations(page, `step reason with an error (${language})`);
        }
        if (name === 'done' && axeBookings > 0) {
          await page.locator('#done-verify:not([hidden])').waitFor();
          await assertNoAxeViolations(page, `confirmation with the verification box (${language})`);
        }
      });
      axeBookings++;
      const manage = await page.locator('#done-manage-link').getAttribute('href');
      const links = await linksFor(email);
      for (const [view, hash, ready] of [
        ['reschedule view', links.reschedule, '#link-reschedule:not([hidden])'],
        ['cancel view', links.cancel, '#btn-link-cancel:visible'],
        ['manage view', manage!, '#manage-details:not([hidden])'],
        ['privacy notice', '#privacy', 'section[data-step="privacy"]:not([hidden])'],
        ['legal notes', '#legal-notes', 'section[data-step="legal"]:not([hidden])'],
        ['accessibility statement', '#accessibility', 'section[data-step="accessibility"]:not([hidden])'],
      ] as const) {
        // A link opened from a message: a fresh load of the page at that address.
        await page.goto(`${t.url}/booking/${hash}`);
        await page.reload();
        await page.locator('body:not(.loading)').waitFor();
        await page.locator(ready).first().waitFor();
        assert.equal(await page.locator('html').getAttribute('lang'), language);
        await assertNoAxeViolations(page, `${view} (${language})`);
      }
      // A refused link has its own sentence on the same view: checked too.
      await page.goto(`${t.url}/booking/#cancel=not-a-real-token`);
      await page.reload();
      await page.locator('#link-alert:not(:empty)').waitFor();
      await assertNoAxeViolations(page, `refused link (${language})`);
      assert.deepEqual(errors, []);
    });
  }

  test('U-1 a whole booking with the keyboard alone: Tab, arrows, Space and Enter', async () => {
    const { page, errors } = await openPage('/booking/', { width: 1280, height: 900 });
    await page.locator('#office-options input').first().waitFor();
    /** Presses Tab until the focused element matches; the page's own tab order decides. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if (
          await page.evaluate<boolean>(
            `document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`,
          )
        )
          return;
      }
      assert.fail(`Tab never reached ${selector}`);
    };
    await tabTo('#office-options input');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await step(page, 'service').waitFor();
    await page.locator('#service-options input').first().waitFor();
    await tabTo('#service-options input');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await step(page, 'when').waitFor();
    await page.locator('#day-options input:not([disabled])').first().waitFor();
    await tabTo('#day-options input');
    await page.keyboard.press('Space');
    await page.locator('#time-options input').first().waitFor();
    await tabTo('#time-options input');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await step(page, 'reason').waitFor();
    await tabTo('#reason');
    await page.keyboard.type('Cambio di residenza');
    await tabTo('section[data-step="reason"] button[type=submit]');
    await page.keyboard.press('Enter');
    await step(page, 'contacts').waitFor();
    await tabTo('#name');
    await page.keyboard.type('Ettore Valli');
    await tabTo('#phone');
    await page.keyboard.type('333 123 4567');
    await page.keyboard.press('Enter');
    await step(page, 'summary').waitFor();
    assert.match(await page.locator('#summary').innerText(), /Ettore Valli[\s\S]*333 123 4567/);
    await tabTo('#btn-confirm');
    await page.keyboard.press('Enter');
    await step(page, 'done').waitFor();
    assert.match(await page.locator('#done-code [aria-hidden="true"]').innerText(), /^\d{3} \d{3} \d{3}$/);
    assert.equal(await page.locator(':focus').innerText(), 'Prenotazione confermata');
    assert.deepEqual(errors, []);
  });
});
