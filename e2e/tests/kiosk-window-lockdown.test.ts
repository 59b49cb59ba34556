// The kiosk window as the launcher opens it on a totem, locked down: Debian's Chromium, started by
// root (as this test runs), runs as the unprivileged kiosk user with its sandbox on, gets the page's
// per-start secret over its private DevTools pipe (never on a command line), and the running page
// has no `require` and no `process` (E-2). Electron is checked the same way where its binary exists.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  CdpPipe,
  ELECTRON_MAIN_BUNDLE,
  evaluateInPage,
  findElectron,
  KIOSK_USER,
  launchKioskWindow,
  lookupUser,
  startKioskAgent,
  type KioskAgent,
  type KioskWindowHandle,
} from '@sportello/kiosk-shell/host';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { PAGES_DIR } from '../support/stack.ts';

const CHROMIUM = process.env.SPORTELLO_CHROMIUM ?? '/usr/bin/chromium';
const asRoot = process.getuid?.() === 0;
const kioskUser = lookupUser(KIOSK_USER);

/** Every process now: pid, its command line and environment (as root, every one is readable). */
function processes(): { pid: number; cmdline: string; environ: string }[] {
  const out: { pid: number; cmdline: string; environ: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      out.push({
        pid: Number(name),
        cmdline: readFileSync(`/proc/${name}/cmdline`, 'latin1'),
        environ: readFileSync(`/proc/${name}/environ`, 'latin1'),
      });
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

function status(pid: number, field: string): string | undefined {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  return line?.split(/\s+/)[1];
}

/** The processes of the window's process group (the launcher starts it as its own group). */
function group(pgid: number): number[] {
  return processes()
    .map((p) => p.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2] === String(pgid);
      } catch {
        return false;
      }
    });
}

describe(
  'the Chromium kiosk window',
  // A generous bound: a page that never shows its idle screen fails the run instead of hanging it.
  { skip: !asRoot ? 'needs root (the tests run as root)' : false, timeout: 180_000 },
  () => {
    let t: TestServer;
    let agent: KioskAgent;
    let dir: string;
    let win: KioskWindowHandle;
    const refusals: unknown[] = [];
    before(async () => {
      assert.ok(kioskUser, `the ${KIOSK_USER} user is missing: scripts/setup-system.sh creates it`);
      t = await startTestServer({ pagesDir: PAGES_DIR });
      dir = mkdtempSync(join(tmpdir(), 'sportello-e2e-lockdown-'));
      agent = await startKioskAgent({
        serverUrl: t.url,
        credential: totemCredential(t.seed),
        dataDir: dir,
        pagesDir: PAGES_DIR,
        log: (msg, detail) => {
          if (msg.startsWith('refused')) refusals.push(detail);
        },
      });
      const opened = await launchKioskWindow({
        pageUrl: agent.host.bareUrl,
        pageSecret: agent.host.secret,
        prefer: 'chromium',
        chromiumPath: CHROMIUM,
        electronPath: null,
        headless: true,
        // No --use-fake-ui-for-media-stream: the launcher grants the page's permissions itself.
        autoGrantMedia: false,
        // Headless needs no display; the launcher's display check still wants one named.
        env: { ...process.env, DISPLAY: process.env.DISPLAY ?? ':99' },
      });
      assert.ok(opened.opened, opened.opened ? '' : opened.reason);
      win = opened;
    });
    after(async () => {
      await win?.close();
      await agent?.close();
      await t?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('the page took its secret over the DevTools pipe and shows the idle screen', async () => {
      const idle = await win.evaluate!(`new Promise((resolve) => {
      const seen = () => document.querySelector('[data-screen="idle"]') !== null;
      if (seen()) return resolve(true);
      new MutationObserver((_, o) => { if (seen()) { o.disconnect(); resolve(true); } })
        .observe(document, { subtree: true, childList: true, attributes: true });
    })`);
      assert.equal(idle, true);
      assert.equal(await win.evaluate!('location.hash'), '', 'no secret in the address');
      assert.deepEqual(refusals, [], 'the kiosk API accepted the page');
    });

    test('the kiosk page may use camera and microphone with no prompt: granted to its origin over the pipe', async () => {
      const states = await win.evaluate!(`Promise.all(['camera', 'microphone'].map((name) =>
        navigator.permissions.query({ name }).then((s) => s.state)))`);
      assert.deepEqual(states, ['granted', 'granted']);
    });

    test('E-2 in the running page: no require, no process, no module', async () => {
      assert.deepEqual(
        await win.evaluate!('[typeof require, typeof process, typeof module, typeof global]'),
        ['undefined', 'undefined', 'undefined', 'undefined'],
      );
    });

    test('the secret is on no process command line and in no environment', () => {
      const secret = agent.host.secret;
      const leaks = processes().filter((p) => p.cmdline.includes(secret) || p.environ.includes(secret));
      assert.deepEqual(
        leaks.map((p) => p.cmdline.split('\0').slice(0, 2).join(' ')),
        [],
      );
    });

    test('Chromium runs as the kiosk user, sandboxed, with no --no-sandbox', () => {
      const pids = group(win.pid);
      assert.ok(pids.length > 1, 'the browser and its helpers');
      for (const pid of pids) {
        assert.equal(status(pid, 'Uid'), String(kioskUser!.uid), `pid ${pid} runs as ${KIOSK_USER}`);
        assert.ok(!readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--no-sandbox'));
      }
      // The namespace sandbox: renderers live in user and PID namespaces of their own.
      const renderers = pids.filter((pid) =>
        readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('--type=renderer'),
      );
      assert.ok(renderers.length > 0, 'a renderer is running');
      for (const pid of renderers) {
        for (const ns of ['user', 'pid']) {
          assert.notEqual(
            readlinkSync(`/proc/${pid}/ns/${ns}`),
            readlinkSync(`/proc/${win.pid}/ns/${ns}`),
            `renderer ${pid} is in a ${ns} namespace of its own`,
          );
        }
      }
    });
  },
);

const electron = findElectron();
const electronSkip = !electron
  ? 'the Electron binary is not installed here (it cannot be downloaded): E-2 is asserted on the Chromium path above'
  : !existsSync(ELECTRON_MAIN_BUNDLE)
    ? `the Electron bundle is not built (npm run build --workspace kiosk-shell): ${ELECTRON_MAIN_BUNDLE}`
    : !asRoot
      ? 'needs root (the tests run as root)'
      : false;

test('E-2 in the running Electron page: no require, no process', { skip: electronSkip }, async () => {
  // Electron main serves the page over app://kiosk itself; the test looks into it over the same kind
  // of private DevTools pipe (the fuses that forbid it apply to the packaged app only).
  const t = await startTestServer({ pagesDir: PAGES_DIR });
  const dir = mkdtempSync(join(tmpdir(), 'sportello-e2e-electron-'));
  chownSync(dir, kioskUser!.uid, kioskUser!.gid);
  const child = spawn(
    electron!,
    [ELECTRON_MAIN_BUNDLE, '--remote-debugging-pipe', '--ozone-platform=headless'],
    {
      env: {
        ...process.env,
        HOME: dir,
        SPORTELLO_SERVER_URL: t.url,
        SPORTELLO_TOTEM_CREDENTIAL: totemCredential(t.seed),
        SPORTELLO_KIOSK_DATA_DIR: join(dir, 'kiosk'),
        SPORTELLO_KIOSK_PAGES_DIR: PAGES_DIR,
      },
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      detached: true,
      uid: kioskUser!.uid,
      gid: kioskUser!.gid,
    },
  );
  const cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
  try {
    const page = new Promise<string>((resolve) =>
      cdp.onEvent((e) => {
        const info = e.params?.targetInfo as { targetId?: string; type?: string; url?: string } | undefined;
        if (info?.type === 'page' && info.url?.startsWith('app://kiosk') && info.targetId)
          resolve(info.targetId);
      }),
    );
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    const { sessionId } = (await cdp.send('Target.attachToTarget', {
      targetId: await page,
      flatten: true,
    })) as {
      sessionId: string;
    };
    assert.deepEqual(
      await evaluateInPage(cdp, sessionId, '[typeof require, typeof process, typeof module]'),
      ['undefined', 'undefined', 'undefined'],
    );
  } finally {
    cdp.close();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
