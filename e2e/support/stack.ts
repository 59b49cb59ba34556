// The whole system for a browser test: a real server (SQLite, mediasoup) on a fake clock set to a
// weekday morning, a kiosk agent (core + host) on free ports, and Debian Chromium.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startKioskAgent, type KioskAgent, type KioskAgentOptions } from '@sportello/kiosk-shell/host';
import type { ServerConfigInput } from '../../server/src/node/config.ts';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { addDays, localDate, weekdayOf, zonedToUtc } from '../../server/src/node/agenda/time-zone.ts';
import { launchChromium } from './browser.ts';

export const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));

/** 09:58 in Rome on the next day that has video slots (Monday to Saturday). */
export function nextWeekdayMorning(): Date {
  let date = addDays(localDate(new Date(), 'Europe/Rome'), 1);
  while (weekdayOf(date) === 0) date = addDays(date, 1);
  return zonedToUtc(date, '09:58', 'Europe/Rome');
}

export interface Stack {
  t: TestServer;
  kiosk: KioskAgent;
  browser: Browser;
  contexts: BrowserContext[];
  /** The fake "now" of the server. */
  now: () => Date;
  /**
   * Moves the server's clock on (manual clock only) and lets the queue act on it at once, so that
   * grace periods, ring timeouts and maximum waits pass without the test waiting for them.
   */
  advance(ms: number): Promise<void>;
  openKiosk(): Promise<Page>;
  openOperator(username: 'giulia' | 'marco'): Promise<Page>;
  close(): Promise<void>;
}

export interface StackOptions {
  /** The kiosk's handset device, e.g. a simulator's pty. Default: none. */
  device?: KioskAgentOptions['device'];
  /** Call-queue settings of the server (defaults: a 30 s ring, the rest as configured). */
  calls?: NonNullable<ServerConfigInput['calls']>;
  /**
   * 'manual': the server's clock stands still except when the test calls advance(), and the queue
   * acts only then (no timer of its own). Default: the clock runs from a weekday morning.
   */
  clock?: 'running' | 'manual';
  /** More settings of the kiosk core (timers, display, audio outputs) over the stack's own. */
  kioskCore?: KioskAgentOptions['core'];
  /** The kiosk's device bindings (e.g. a mock USB headset). Default: the real ones. */
  deviceOptions?: KioskAgentOptions['deviceOptions'];
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const base = nextWeekdayMorning().getTime();
  const realStart = Date.now();
  const manual = options.clock === 'manual';
  let skew = 0;
  const now = () => new Date(base + skew + (manual ? 0 : Date.now() - realStart));
  // A ring waits as long as the configuration allows unless a test sets it: on a busy machine the
  // steps between a ring and the operator's click can take longer than a real ring timeout.
  const t = await startTestServer(
    { pagesDir: PAGES_DIR, calls: { ringTimeoutSeconds: 600, ...options.calls } },
    now,
    manual ? { tickMs: 0 } : {},
  );
  const kioskDir = mkdtempSync(join(tmpdir(), 'sportello-e2e-kiosk-'));
  const kiosk = await startKioskAgent({
    serverUrl: t.url,
    credential: totemCredential(t.seed),
    dataDir: kioskDir,
    pagesDir: PAGES_DIR,
    // Long enough for a busy machine's browser to see the "call ended" screen before it goes idle
    // (300 ms was missed under load); short enough not to slow the suite.
    core: { endedScreenMs: 3_000, ...options.kioskCore },
    ...(options.device ? { device: options.device } : {}),
    ...(options.deviceOptions ? { deviceOptions: options.deviceOptions } : {}),
  });
  await kiosk.core.refreshAgenda();
  const browser = await launchChromium();
  const contexts: BrowserContext[] = [];
  const stack: Stack = {
    t,
    kiosk,
    browser,
    contexts,
    now,
    async advance(ms) {
      skew += ms;
      await t.server.router.tick();
      await t.server.router.settled();
    },
    async openKiosk() {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      if (process.env.SPORTELLO_E2E_CONSOLE) page.on('console', (m) => console.error(`[kiosk] ${m.text()}`));
      page.on('pageerror', (e) => console.error(`[kiosk page error] ${e.message}`));
      await page.goto(kiosk.pageUrl);
      await page.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
      return page;
    },
    async openOperator(username) {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      if (process.env.SPORTELLO_E2E_CONSOLE)
        page.on('console', (m) => console.error(`[${username}] ${m.text()}`));
      page.on('pageerror', (e) => console.error(`[${username} page error] ${e.message}`));
      await page.goto(`${t.url}/operator/`);
      await page.fill('input[name=username]', username);
      await page.fill(
        'input[name=password]',
        username === 'giulia' ? 'giulia-test-password' : 'marco-test-password',
      );
      await page.click('#sign-in-form button[type=submit]');
      // A console that signs in again may find its presence kept from a moment ago.
      const badge = page.locator('#presence-badge:not([hidden])');
      await badge.waitFor();
      if ((await badge.getAttribute('data-status')) !== 'available') await page.click('#btn-presence');
      await page.locator('#presence-badge[data-status="available"]').waitFor();
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close();
      await kiosk.close();
      await t.close();
      rmSync(kioskDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Types a code on the kiosk's on-screen keypad. */
export async function typeOnKeypad(page: Page, code: string): Promise<void> {
  for (const digit of code) await page.click(`#keypad button[data-key="${digit}"]`);
  await page.click('#keypad button[data-key="enter"]');
}
