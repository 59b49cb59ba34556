import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { CdpPipe, captureKioskPage } from './cdp-pipe.ts';
import { KIOSK_USER, lookupUser } from './launcher.ts';

const CHROMIUM = process.env.SPORTELLO_CHROMIUM ?? '/usr/bin/chromium';
// Never a sandbox-less browser: as root (the tests), Chromium runs as the kiosk user.
const asRoot = process.getuid?.() === 0;
const runAs = asRoot ? lookupUser(KIOSK_USER) : undefined;
const skip = !existsSync(CHROMIUM)
  ? 'no Chromium'
  : asRoot && !runAs
    ? `running as root without the ${KIOSK_USER} user (scripts/setup-system.sh creates it)`
    : false;

test('a screenshot of the kiosk browser is taken over its private debugging pipe', { skip }, async () => {
  const profile = mkdtempSync(join(tmpdir(), 'sportello-cdp-'));
  if (runAs) chownSync(profile, runAs.uid, runAs.gid);
  const child = spawn(
    CHROMIUM,
    [
      '--headless',
      '--remote-debugging-pipe',
      `--user-data-dir=${profile}`,
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      'data:text/html,<h1 style="color:red">Sportello</h1>',
    ],
    {
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      detached: true,
      env: { ...process.env, HOME: profile },
      ...(runAs ?? {}),
    },
  );
  const cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
  try {
    const png = await captureKioskPage(cdp);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG');
    assert.ok(png.length > 1000);
  } finally {
    cdp.close();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // The whole group: Chromium's helpers write into the profile until they end too.
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
});

test('garbage and unknown answers on the pipe do not break pending requests', async () => {
  const { PassThrough } = await import('node:stream');
  const toBrowser = new PassThrough();
  const fromBrowser = new PassThrough();
  const cdp = new CdpPipe(toBrowser, fromBrowser);
  const answer = cdp.send('Browser.getVersion');
  fromBrowser.write('not json\0{"method":"Some.event"}\0{"id":99,"result":{}}\0');
  fromBrowser.write('{"id":1,"result":{"product":"Chrome"}}\0');
  assert.deepEqual(await answer, { product: 'Chrome' });
  const failing = cdp.send('Nope.nope');
  fromBrowser.write('{"id":2,"error":{"message":"not found"}}\0');
  await assert.rejects(failing, /not found/);
  const pending = cdp.send('Browser.getVersion');
  fromBrowser.end();
  await assert.rejects(pending, /closed/);
});
