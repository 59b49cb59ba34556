// The kiosk page on its own, for the look and accessibility suites: the built page served with the
// kiosk host's own Content-Security-Policy, and in it a kiosk API that shows whatever state the test
// gives (every screen, in every language and mode, without a server behind it). The flows
// themselves are tested against the real core and server (call-flows, kiosk-keypad, …).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { KioskState } from '@sportello/protocol';
import { kioskCsp, resolveStaticPath } from '@sportello/kiosk-shell/host';
import { PAGES_DIR } from './stack.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the built pages on loopback with the kiosk's CSP, as the kiosk host does. */
export async function servePages(): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const file = resolveStaticPath(PAGES_DIR, new URL(req.url ?? '/', 'http://x').pathname);
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, {
      'content-type': TYPES[ext] ?? 'application/octet-stream',
      'content-security-policy': kioskCsp([]),
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/kiosk/index.html`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The page's kiosk API (window.sportelloKiosk, as Electron's preload puts it there), answering with
 * the state the test last set; each request the page makes is recorded in window.kioskRequests.
 */
const FAKE_API = `(() => {
  const listeners = new Set();
  window.kioskRequests = [];
  // The page's announcements for the audio guidance, as they came.
  window.kioskScreens = [];
  document.addEventListener('kiosk-screen', (e) => window.kioskScreens.push(e.detail));
  window.kioskState = undefined;
  window.setKioskState = (s) => { window.kioskState = s; for (const l of listeners) l(s); };
  const answer = (method) => (arg) => {
    window.kioskRequests.push(arg === undefined ? method : method + ':' + arg);
    return Promise.resolve({ ok: true, value: window.kioskState });
  };
  window.sportelloKiosk = {
    getState: answer('getState'), openCodeEntry: answer('openCodeEntry'), pressKey: answer('pressKey'),
    submitCode: answer('submitCode'), startWalkIn: answer('startWalkIn'), hangUp: answer('hangUp'),
    backToIdle: answer('backToIdle'), setLanguage: answer('setLanguage'),
    requestCallback: answer('requestCallback'), extendTime: answer('extendTime'),
    renewMediaToken: answer('renewMediaToken'),
    onState: (l) => { listeners.add(l); return () => listeners.delete(l); },
  };
})()`;

/** Opens the page with the state-showing API; resolves once the first state is on screen. */
export async function openStatePage(page: Page, url: string, first: KioskState): Promise<void> {
  await page.addInitScript(FAKE_API);
  await page.addInitScript(`window.kioskState = ${JSON.stringify(first)};`);
  await page.goto(url);
  await page.locator(`[data-screen="${first.screen.screen}"]`).waitFor({ state: 'visible' });
}

/** Shows a state and waits until the page has drawn it (the screen, in the state's language). */
export async function showState(page: Page, state: KioskState): Promise<void> {
  await page.evaluate(`window.setKioskState(${JSON.stringify(state)})`);
  await page.locator(`[data-screen="${state.screen.screen}"]`).waitFor({ state: 'visible' });
  await page.locator(`html[lang="${state.language}"]`).waitFor({ state: 'attached' });
}
