// The kiosk's screens as a citizen sees them, at both sizes of the totem's display: a screenshot of
// every screen (kept in test-artifacts/kiosk-screens/), every control at least 2 cm and inside the
// reach zone of the screen profile (U-4), and axe-core on every screen in every language and mode
// (U-3). One browser and one page per layout; the page shows each state through its kiosk API
// (e2e/support/kiosk-page.ts), and switches language and mode in place.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { LANGUAGES } from '@sportello/protocol';
import { KIOSK_SCREENS, reachBand } from '../../app/kiosk/common/screens.ts';
import { launchChromium } from '../support/browser.ts';
import { wcagViolations } from '../support/axe.ts';
import { openStatePage, servePages, showState, type PageServer } from '../support/kiosk-page.ts';
import { DISPLAYS, sampleState } from '../support/kiosk-states.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/kiosk-screens/', import.meta.url));
const LAYOUTS = ['portrait', 'landscape'] as const;
const MODES = ['normal', 'contrast', 'large-text', 'contrast+large-text'] as const;
type Mode = (typeof MODES)[number];

let server: PageServer;
let browser: Browser;
const pages = new Map<(typeof LAYOUTS)[number], Page>();

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  server = await servePages();
  browser = await launchChromium();
  for (const layout of LAYOUTS) {
    const { viewport, display } = DISPLAYS[layout];
    // axe is injected as a script tag: the page's CSP (script-src 'self') would refuse it.
    const ctx = await browser.newContext({ viewport, bypassCSP: true, reducedMotion: 'reduce' });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => console.error(`[kiosk page error] ${e.message}`));
    await openStatePage(page, server.url, sampleState('idle', display));
    pages.set(layout, page);
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Sets the reading modes by their buttons, as a citizen would. */
async function setMode(page: Page, mode: Mode): Promise<void> {
  const want = { contrast: mode.includes('contrast'), text: mode.includes('large-text') };
  for (const [id, on] of [
    ['btn-contrast', want.contrast],
    ['btn-large-text', want.text],
  ] as const) {
    if ((await page.getAttribute(`#${id}`, 'aria-pressed')) !== String(on)) await page.click(`#${id}`);
  }
}

/** Every visible control of the page as drawn now: its label and box. */
function controls(page: Page): Promise<{ label: string; x: number; y: number; w: number; h: number }[]> {
  return page.evaluate(`[...document.querySelectorAll('button, [role=button], a[href], input, select')]
    .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden')
    .map((el) => {
      const r = el.getBoundingClientRect();
      return { label: el.id || el.getAttribute('aria-label') || el.textContent.trim(), x: r.x, y: r.y, w: r.width, h: r.height };
    })`);
}

describe('the kiosk screens at both sizes', { timeout: 600_000 }, () => {
  for (const layout of LAYOUTS) {
    test(`U-4 every control of every screen is at least 2 cm and inside the reach zone (${layout}), with screenshots`, async () => {
      const page = pages.get(layout)!;
      const { viewport, display } = DISPLAYS[layout];
      const band = reachBand(display.profile, viewport);
      const problems: string[] = [];
      for (const mode of ['normal', 'contrast+large-text'] as const) {
        await setMode(page, mode);
        for (const screen of KIOSK_SCREENS) {
          await showState(page, sampleState(screen, display));
          const name = mode === 'normal' ? `${layout}-${screen}` : `${layout}-${screen}-${mode}`;
          await page.screenshot({ path: `${ARTIFACTS}${name}.png` });
          for (const c of await controls(page)) {
            const where = `${name} ${c.label}`;
            if (c.w + 0.5 < band.minTargetPx || c.h + 0.5 < band.minTargetPx)
              problems.push(
                `${where}: ${c.w.toFixed(0)}×${c.h.toFixed(0)} px, under ${band.minTargetPx} px (2 cm)`,
              );
            if (c.y + 0.5 < band.topPx)
              problems.push(
                `${where}: top at ${c.y.toFixed(0)} px, above the reach line ${band.topPx.toFixed(0)}`,
              );
            if (c.y + c.h - 0.5 > band.bottomPx)
              problems.push(
                `${where}: bottom at ${(c.y + c.h).toFixed(0)} px, below the reach zone ${band.bottomPx.toFixed(0)}`,
              );
          }
        }
      }
      await setMode(page, 'normal');
      assert.deepEqual(problems, []);
    });
  }

  test('every screen change is announced with a kiosk-screen event naming the screen and the language', async () => {
    const page = pages.get('landscape')!;
    const { display } = DISPLAYS.landscape;
    await page.evaluate('window.kioskScreens.length = 0');
    for (const screen of KIOSK_SCREENS) await showState(page, sampleState(screen, display, 'fr'));
    await showState(page, sampleState('idle', display, 'sl'));
    const seen = await page.evaluate<{ screen: string; language: string }[]>('window.kioskScreens');
    assert.deepEqual(seen.slice(-KIOSK_SCREENS.length - 1), [
      ...KIOSK_SCREENS.map((screen) => ({ screen, language: 'fr' })),
      { screen: 'idle', language: 'sl' },
    ]);
    // A state that changes neither the screen nor the language is not announced again.
    await showState(page, { ...sampleState('idle', display, 'sl'), online: false });
    assert.equal((await page.evaluate<unknown[]>('window.kioskScreens')).length, seen.length);
  });

  test('idle for a minute with no touch: the default language and no modes are put back', async () => {
    const { display } = DISPLAYS.landscape;
    const page = await pages.get('landscape')!.context().newPage();
    // The page's clock, moved by the test: no real minute passes.
    await page.clock.install();
    await openStatePage(page, server.url, sampleState('idle', display, 'de'));
    await page.click('#btn-contrast');
    await page.clock.fastForward(30_000);
    await page.click('#btn-large-text');
    await page.clock.fastForward(59_000);
    assert.equal(await page.getAttribute('html', 'data-contrast'), 'high', 'a touch starts the minute again');
    await page.clock.fastForward(2_000);
    await page.locator('html:not([data-contrast]):not([data-text])').waitFor({ state: 'attached' });
    assert.ok((await page.evaluate<string[]>('window.kioskRequests')).includes('setLanguage:it'));
    await page.close();
  });

  test('U-3 axe-core finds no WCAG 2.1 A/AA violation on any kiosk screen, in any language or mode', async () => {
    const page = pages.get('portrait')!;
    const { display } = DISPLAYS.portrait;
    const found: string[] = [];
    for (const mode of MODES) {
      await setMode(page, mode);
      for (const language of LANGUAGES) {
        for (const screen of KIOSK_SCREENS) {
          await showState(page, sampleState(screen, display, language));
          for (const v of await wcagViolations(page)) found.push(`${screen} ${language} ${mode}: ${v}`);
        }
      }
    }
    await setMode(page, 'normal');
    assert.deepEqual(found, []);
  });

  test('the timeout warning: shown before the end, "more time" asks the core to extend, in every language', async () => {
    const page = pages.get('landscape')!;
    const { display } = DISPLAYS.landscape;
    for (const language of LANGUAGES) {
      // A fresh timer each time: the warning opens a second in.
      const seq = LANGUAGES.indexOf(language) + 100;
      await showState(page, {
        ...sampleState('code-entry', display, language),
        display: { ...display, warnBeforeMs: 119_000 },
        timer: { seq, ms: 120_000, extendable: true },
      });
      await page.locator('#timeout-warning').waitFor({ state: 'visible' });
      const last = await page.evaluate<{ screen: string }[]>('window.kioskScreens');
      assert.equal(last.at(-1)!.screen, 'timeout-warning', 'the overlay is announced');
      if (language === 'it') await page.screenshot({ path: `${ARTIFACTS}landscape-timeout-warning.png` });
      assert.deepEqual(await wcagViolations(page), [], `timeout warning (${language})`);
      await page.evaluate('window.kioskRequests.length = 0');
      await page.click('#btn-more-time');
      assert.deepEqual(await page.evaluate('window.kioskRequests'), ['extendTime']);
      // The core answers with the timer started again: the warning closes.
      await showState(page, {
        ...sampleState('code-entry', display, language),
        timer: { seq: seq + 50, ms: 120_000, extendable: true },
      });
      await page.locator('#timeout-warning').waitFor({ state: 'hidden' });
    }
  });
});
