// The rig of the back-office pages' suites (administration, fleet): a real server serving the built
// pages and one Chromium, owned by the calling test file's before/after hooks, and the sign-in form
// both pages share.
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { TestServer } from '../../server/src/node/testing/test-server.ts';
import { launchChromium } from './browser.ts';

export const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));

export interface BackOfficeRig {
  /** Opens a page of the server (e.g. '/admin/') in a fresh context, on its sign-in screen. */
  open(path: string): Promise<{ page: Page; errors: string[] }>;
}

/** Call at the top of a test file; `start` makes the file's server (it may keep it in a variable). */
export function backOfficeRig(start: () => Promise<TestServer>): BackOfficeRig {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  before(async () => {
    server = await start();
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.close();
  });
  return {
    async open(path) {
      const ctx = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server!.url}${path}`);
      await page.locator('section[data-screen="sign-in"]:not([hidden])').waitFor();
      return { page, errors };
    },
  };
}

export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#sign-in-form button[type=submit]');
}
