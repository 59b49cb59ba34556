// K-1 on the Electron variant: Electron main's real bundle, run under plain Node with a fake
// 'electron' module (testing/fake-electron.mjs; Electron's binary cannot be downloaded here),
// applies the same start after crashes as the Chromium agent (core/node/crash-start.ts): after two
// crashes it waits before opening its window, and in a crash loop it opens at once on the
// out-of-service screen and schedules a normal start for when the loop's window has passed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { KioskState, Result } from '@sportello/protocol';
import { CRASH_RECORD_FILE } from '../core/node/crash-record.ts';
import { buildKioskShell } from './build.ts';

const FAKE_ELECTRON = fileURLToPath(new URL('./testing/fake-electron.mjs', import.meta.url));
const ROOT_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const PAGES_DIR = fileURLToPath(new URL('../../app/dist', import.meta.url));

let work: string;
let mainFile: string;
const children: ChildProcess[] = [];
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sportello-electron-k1-'));
  ({ mainFile } = await buildKioskShell(join(work, 'dist')));
});
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

interface Line {
  /** Milliseconds since the start of the process (performance.now of this test). */
  at: number;
  text: string;
}

/** Starts main with this crash record; resolves once the page has read its first state. */
async function startMain(name: string, crashesAgoMs: number[], running: boolean) {
  const dataDir = join(work, name);
  const now = Date.now();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(
    join(dataDir, CRASH_RECORD_FILE),
    JSON.stringify({ running, crashes: crashesAgoMs.map((ago) => now - ago) }),
  );
  const child = spawn(process.execPath, ['--import', FAKE_ELECTRON, mainFile], {
    env: {
      ...process.env,
      NODE_PATH: ROOT_MODULES,
      SPORTELLO_KIOSK_DATA_DIR: dataDir,
      SPORTELLO_KIOSK_PAGES_DIR: PAGES_DIR,
      // Nothing listens there: the kiosk is offline, which is all this test needs of a server.
      SPORTELLO_SERVER_URL: 'http://127.0.0.1:9',
      SPORTELLO_TOTEM_CREDENTIAL: 'totem-k1:not-a-secret',
      FAKE_ELECTRON_USER_DATA: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: Line[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const state = await new Promise<KioskState>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`main exited (${code}) early:\n${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (text) => {
      lines.push({ at: performance.now(), text });
      const m = /^fake-electron (.*)$/.exec(text);
      if (!m) return;
      const ev = JSON.parse(m[1]!) as { event: string; state?: Result<KioskState> };
      if (ev.event === 'page-state' && ev.state?.ok) resolve(ev.state.value);
    });
  });
  return {
    state,
    lines,
    find: (re: RegExp) => lines.find((l) => re.test(l.text)),
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

test('K-1 Electron main after two crashes waits 2 s before its window, then shows idle', async () => {
  // The previous run was killed (still marked running) one minute after an earlier crash.
  const m = await startMain('two-crashes', [60_000], true);
  const delay = m.find(/starting after 2 recent crash\(es\), in 2000 ms/);
  const window = m.find(/^fake-electron \{"event":"window"/);
  assert.ok(delay, `the delay is logged:\n${m.lines.map((l) => l.text).join('\n')}`);
  assert.ok(window && window.at >= delay.at, 'the window opens after the delay is announced');
  // A lower bound only: a delay never ends early, however slow or fast the machine.
  assert.ok(window.at - delay.at >= 1_900, `waited ${Math.round(window.at - delay.at)} ms`);
  assert.equal(m.state.screen.screen, 'idle');
  await m.stop();
});

test('K-1 Electron main in a crash loop opens at once, out of service with the reason, and plans a normal start', async () => {
  const m = await startMain('loop', [5 * 60_000, 4 * 60_000, 3 * 60_000, 2 * 60_000], true);
  assert.ok(m.find(/starting after 5 recent crash\(es\), in 0 ms/));
  assert.ok(m.find(/a normal start is tried again in \d+ ms/));
  assert.equal(m.state.screen.screen, 'out-of-service');
  assert.match(
    (m.state.screen as Extract<KioskState['screen'], { screen: 'out-of-service' }>).reason,
    /^crash-loop: 5 crashes/,
  );
  await m.stop();
});
