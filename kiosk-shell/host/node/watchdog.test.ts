// K-2 with real processes: the kiosk agent under a supervisor that plays systemd's part, with a
// NOTIFY_SOCKET (a socat datagram listener) and WATCHDOG_USEC set as systemd sets them, and a
// watchdog that restarts the agent when WATCHDOG=1 stops for WatchdogSec. A frozen core (the agent
// stopped with SIGSTOP) and a frozen page (Chromium's renderer stopped) each stop the pings and get
// the agent restarted; the sd_notify helper is tested on its own first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotifier, socatAddress, watchdogPingMs } from '../../core/node/sd-notify.ts';
import { NotifyListener } from '../../core/node/testing/notify-listener.ts';
import { bundleAgentChild, NODE_MODULES, PAGES_DIR } from './testing/agent-bundle.ts';
import { Supervisor } from './testing/supervisor.ts';

let work: string;
let bundle: string;
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sportello-k2-'));
  bundle = await bundleAgentChild(work);
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Half of WatchdogSec, as the agent pings; the listener's WatchdogSec is far above it. */
const WATCHDOG_USEC = 400_000;
const WATCHDOG_MS = 10_000;

/** Processes whose parent chain reaches `root`, with their command lines. */
function descendants(root: number): { pid: number; cmd: string }[] {
  const parent = new Map<number, number>();
  const cmd = new Map<number, string>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      cmd.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      // Gone meanwhile.
    }
  }
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter(below).map((pid) => ({ pid, cmd: cmd.get(pid) ?? '' }));
}

function agent(dataDir: string, socket: string, env: Record<string, string> = {}): Supervisor {
  return new Supervisor({
    command: process.execPath,
    args: [bundle],
    restartMs: 2,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: NODE_MODULES,
      // Nothing answers here: the kiosk runs offline, which is healthy.
      SPORTELLO_SERVER_URL: 'http://127.0.0.1:9',
      SPORTELLO_TOTEM_CREDENTIAL: 'totem-k2:secret-k2-secret-k2',
      SPORTELLO_KIOSK_DATA_DIR: dataDir,
      SPORTELLO_KIOSK_PAGES_DIR: PAGES_DIR,
      NOTIFY_SOCKET: socket,
      WATCHDOG_USEC: String(WATCHDOG_USEC),
      ...env,
    },
  });
}

/** Plays systemd on a watchdog timeout: SIGABRT, then SIGKILL (TimeoutAbortSec), then Restart=. */
function onWatchdogTimeout(listener: NotifyListener, sup: Supervisor, pid: () => number): Promise<void> {
  return new Promise((resolve) =>
    listener.once('timeout', () => {
      const p = pid();
      try {
        process.kill(p, 'SIGABRT');
        process.kill(p, 'SIGKILL');
      } catch {
        // Already gone.
      }
      resolve();
    }),
  );
}

describe('sd_notify', () => {
  test('K-2 the notifier sends each message as one datagram to NOTIFY_SOCKET; no socket, nothing sent', async () => {
    assert.equal(createNotifier({}).notify('READY=1'), false);
    assert.equal(socatAddress('/run/systemd/notify'), 'UNIX-SENDTO:/run/systemd/notify');
    assert.equal(
      socatAddress('@/org/freedesktop/systemd1/notify'),
      'ABSTRACT-SENDTO:/org/freedesktop/systemd1/notify',
    );
    assert.equal(watchdogPingMs({ WATCHDOG_USEC: '20000000' }), 10_000);
    assert.equal(watchdogPingMs({}), undefined);
    const socket = join(mkdtempSync(join(work, 'n-')), 'notify');
    const listener = await NotifyListener.open(socket);
    const n = createNotifier({ NOTIFY_SOCKET: socket });
    try {
      const got = listener.next((m) => m === 'WATCHDOG=1');
      assert.equal(n.notify('READY=1\nSTATUS=serving'), true);
      n.notify('WATCHDOG=1');
      await got;
      assert.deepEqual(listener.messages, ['READY=1', 'STATUS=serving', 'WATCHDOG=1']);
    } finally {
      n.close();
      listener.close();
    }
  });
});

describe('K-2 watchdog', { timeout: 180_000 }, () => {
  test('K-2 a frozen core stops the watchdog pings → the watchdog restarts the agent, which pings again', async () => {
    const dir = mkdtempSync(join(work, 'core-'));
    const socket = join(dir, 'notify');
    const listener = await NotifyListener.open(socket, WATCHDOG_MS);
    const sup = agent(join(dir, 'data'), socket);
    try {
      const firstPing = listener.next((m) => m === 'WATCHDOG=1');
      let ready = sup.nextReady();
      sup.start();
      const first = await ready;
      await firstPing;
      // Frozen: no event loop turns, so no health check and no ping.
      const restarted = onWatchdogTimeout(listener, sup, () => first.child.pid!);
      ready = sup.nextReady();
      first.child.kill('SIGSTOP');
      await restarted;
      const pingAgain = listener.next((m) => m === 'WATCHDOG=1');
      const second = await ready;
      assert.notEqual(second.child.pid, first.child.pid);
      assert.equal(second.ready.crashes, 1, 'the watchdog kill counts as a crash');
      await pingAgain;
    } finally {
      await sup.stop();
      listener.close();
    }
  });

  test('K-2 a frozen page (its renderer stopped) fails the health check → no pings → restarted', async (ctx) => {
    if (!readFileSync('/etc/passwd', 'utf8').includes('sportello-kiosk:') && process.getuid?.() === 0) {
      ctx.skip(
        'the sportello-kiosk user is missing (scripts/setup-system.sh), so no window may open as root',
      );
      return;
    }
    const dir = mkdtempSync(join(work, 'page-'));
    const socket = join(dir, 'notify');
    const listener = await NotifyListener.open(socket, WATCHDOG_MS);
    // Headless Chromium needs no display; the launcher only asks that one be named.
    const sup = agent(join(dir, 'data'), socket, {
      SPORTELLO_TEST_WINDOW: 'headless',
      DISPLAY: process.env.DISPLAY ?? ':99',
    });
    const browsers: number[] = [];
    // The killed agent cannot remove its window's profile folder: the test does.
    const profiles = new Set<string>();
    const noteProfiles = (procs: { cmd: string }[]) => {
      for (const p of procs) {
        const m = /--user-data-dir=(\S+)/.exec(p.cmd);
        if (m) profiles.add(m[1]!);
      }
    };
    try {
      const firstPing = listener.next((m) => m === 'WATCHDOG=1');
      let ready = sup.nextReady();
      sup.start();
      const first = await ready;
      await firstPing;
      const procs = descendants(first.child.pid!);
      noteProfiles(procs);
      browsers.push(...procs.filter((p) => !p.cmd.includes('--type=')).map((p) => p.pid));
      const renderers = procs.filter((p) => p.cmd.includes('--type=renderer'));
      assert.ok(renderers.length > 0, 'the page has a renderer process');
      const unhealthy = listener.next((m) => m.startsWith('STATUS=unhealthy: page not rendering'));
      const restarted = onWatchdogTimeout(listener, sup, () => first.child.pid!);
      ready = sup.nextReady();
      for (const r of renderers) process.kill(r.pid, 'SIGSTOP');
      await unhealthy;
      await restarted;
      const second = await ready;
      // The killed agent's browser is ended as systemd ends the unit's whole cgroup.
      for (const pid of [...browsers, ...renderers.map((r) => r.pid)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      browsers.push(...descendants(second.child.pid!).map((p) => p.pid));
      await listener.next((m) => m === 'WATCHDOG=1');
    } finally {
      await sup.stop();
      listener.close();
      for (const pid of browsers) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      for (const dir of profiles) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    }
  });
});
