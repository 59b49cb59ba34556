// A call across network namespaces (topology in netns.ts): the server and SFU in the root
// namespace (the SFU on the lab's bridge address), the kiosk page's Chromium in `<prefix>-kiosk`,
// the operator console's Chromium in `<prefix>-console`. The server's clock is manual: outages
// are measured on it, and the test moves it on instead of waiting (W-3).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startKioskAgent, type KioskAgent } from '@sportello/kiosk-shell/host';
import type { ServerConfigInput } from '../../server/src/node/config.ts';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import type { PeerDump } from '../../server/src/node/media/room.ts';
import { NetLab, type Netns } from './netns.ts';
import { PAGES_DIR, nextWeekdayMorning } from './stack.ts';
import type { PageStats } from './media.ts';

export interface NetCall {
  lab: NetLab;
  kioskNs: Netns;
  consoleNs: Netns;
  t: TestServer;
  agent: KioskAgent;
  kiosk: Page;
  console: Page;
  /** The server's HTTP port (socket.io goes there). */
  serverPort: number;
  /** Moves the server's manual clock on. */
  advance(ms: number): void;
  /** Kiosk in a walk-in call with giulia, media both ways; resolves with the call's id. */
  startCall(): Promise<string>;
  /** The call in progress on the server (throws if there is not exactly one). */
  session(): { callId: string; peers: Record<string, PeerDump> };
  close(): Promise<void>;
}

export async function startNetCall(options: {
  prefix: string;
  subnet: string;
  calls?: NonNullable<ServerConfigInput['calls']>;
}): Promise<NetCall> {
  const lab = await NetLab.create({ prefix: options.prefix, subnet: options.subnet });
  const cleanup: (() => Promise<unknown>)[] = [() => lab.close()];
  const undo = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => {});
  };
  try {
    const base = nextWeekdayMorning().getTime();
    let skew = 0;
    const now = () => new Date(base + skew);
    const t = await startTestServer(
      {
        pagesDir: PAGES_DIR,
        media: { listenIp: lab.hostIp },
        calls: { ringTimeoutSeconds: 600, ...options.calls },
      },
      now,
      { tickMs: 0 },
    );
    cleanup.push(() => t.close());
    const kioskDir = mkdtempSync(join(tmpdir(), `${options.prefix}-kiosk-`));
    cleanup.push(async () => rmSync(kioskDir, { recursive: true, force: true }));
    const agent = await startKioskAgent({
      serverUrl: t.url,
      credential: totemCredential(t.seed),
      dataDir: kioskDir,
      pagesDir: PAGES_DIR,
      core: { endedScreenMs: 3_000 },
    });
    cleanup.push(() => agent.close());
    const serverPort = t.server.port;
    const hostPort = Number(new URL(agent.pageUrl).port);
    const kioskNs = await lab.addNamespace('kiosk');
    const consoleNs = await lab.addNamespace('console');
    await kioskNs.forwardLoopback(serverPort);
    // On a real totem the page reaches its kiosk host on loopback: no street fault touches that.
    await kioskNs.shareLoopback(hostPort);
    await consoleNs.forwardLoopback(serverPort);
    const browsers: Browser[] = [await kioskNs.launchChromium(), await consoleNs.launchChromium()];
    cleanup.push(async () => {
      for (const b of browsers) await b.close().catch(() => {});
    });
    const [kioskBrowser, consoleBrowser] = browsers as [Browser, Browser];
    const page = async (b: Browser, label: string) => {
      const ctx = await b.newContext({ viewport: { width: 1280, height: 900 } });
      const p = await ctx.newPage();
      if (process.env.SPORTELLO_E2E_CONSOLE) p.on('console', (m) => console.error(`[${label}] ${m.text()}`));
      p.on('pageerror', (e) => console.error(`[${label} page error] ${e.message}`));
      return p;
    };
    const kiosk = await page(kioskBrowser, 'kiosk');
    await kiosk.goto(agent.pageUrl);
    await kiosk.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
    const op = await page(consoleBrowser, 'giulia');
    await op.goto(`${t.url}/operator/`);
    await op.fill('input[name=username]', 'giulia');
    await op.fill('input[name=password]', 'giulia-test-password');
    await op.click('#sign-in-form button[type=submit]');
    const badge = op.locator('#presence-badge:not([hidden])');
    await badge.waitFor();
    if ((await badge.getAttribute('data-status')) !== 'available') await op.click('#btn-presence');
    await op.locator('#presence-badge[data-status="available"]').waitFor();
    const session = () => {
      const all = t.server.router.sessions.dump();
      if (all.length !== 1) throw new Error(`expected one call in progress, found ${all.length}`);
      return { callId: all[0]!.callId, peers: all[0]!.room.peers };
    };
    return {
      lab,
      kioskNs,
      consoleNs,
      t,
      agent,
      kiosk,
      console: op,
      serverPort,
      advance(ms) {
        skew += ms;
      },
      async startCall() {
        await kiosk.click('#btn-walk-in');
        await op.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
        await op.click('#btn-accept');
        await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
        await Promise.all([framesAbove(kiosk, 0), framesAbove(op, 0)]);
        return session().callId;
      },
      session,
      close: undo,
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

type StatsWindow = { sportelloMedia?: { stats(): Promise<PageStats> }; __netStats?: PageStats };

/** Frames decoded so far on the page (0 before any). */
export async function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const w = globalThis as unknown as StatsWindow;
    const s = await w.sportelloMedia?.stats();
    return s?.video?.framesDecoded ?? 0;
  });
}

/**
 * Waits until the page has decoded more than `min` frames; resolves with the count. The bound is
 * generous (a busy machine), never the figure tested.
 */
export async function framesAbove(page: Page, min: number, timeoutMs = 120_000): Promise<number> {
  const handle = await page.waitForFunction(
    (m) => {
      const w = globalThis as unknown as StatsWindow;
      void w.sportelloMedia?.stats().then((s) => (w.__netStats = s));
      const f = w.__netStats?.video?.framesDecoded ?? 0;
      return f > m ? f : false;
    },
    min,
    { timeout: timeoutMs, polling: 50 },
  );
  await page.evaluate(() => delete (globalThis as unknown as StatsWindow).__netStats);
  return (await handle.jsonValue()) as number;
}

/** Polls a condition of the server every 50 ms until it holds (bounded generously). */
export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
