import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  chooseRuntime,
  chromiumKioskArgs,
  electronArgs,
  hasDisplay,
  launchKioskWindow,
  lookupUser,
  type RuntimeFacts,
} from './launcher.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sportello-launcher-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const PAGE = 'http://127.0.0.1:4321/kiosk/index.html#secret';
const facts: RuntimeFacts = {
  env: { DISPLAY: ':0' },
  prefer: 'auto',
  electronPath: undefined,
  electronMainExists: false,
  electronMain: '/opt/kiosk/main.cjs',
  electron: undefined,
  chromiumPath: '/usr/bin/chromium',
  pageUrl: PAGE,
};
const electronReady: Partial<RuntimeFacts> = {
  electronPath: '/opt/electron/electron',
  electronMainExists: true,
  electron: { serverUrl: 'http://127.0.0.1:1', credential: 't:s', dataDir: '/tmp/k' },
};

test('Chromium runs in kiosk app mode with a fresh profile and quiet defaults', () => {
  const args = chromiumKioskArgs({
    pageUrl: PAGE,
    userDataDir: '/tmp/p',
    autoGrantMedia: false,
  });
  for (const flag of [
    '--kiosk',
    `--app=${PAGE}`,
    '--user-data-dir=/tmp/p',
    '--autoplay-policy=no-user-gesture-required',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--noerrdialogs',
    '--disable-translate',
    '--disable-features=SpareRendererForSitePerProcess,WebUIOmniboxPopup,WebUIOmniboxAimPopup',
  ]) {
    assert.ok(args.includes(flag), flag);
  }
  // Chromium keeps only the last of a repeated switch: one --disable-features, or features come back.
  assert.equal(args.filter((a) => a.startsWith('--disable-features=')).length, 1);
  // Never the flags that trade the sandbox for memory.
  for (const weak of ['--no-sandbox', '--single-process', '--no-zygote', '--in-process-gpu']) {
    assert.ok(!args.includes(weak), weak);
  }
  assert.ok(!args.includes('--use-fake-ui-for-media-stream'));
  assert.ok(!args.includes('--no-sandbox'));
});

test('media is granted without a prompt only when asked; the sandbox is never turned off', () => {
  const args = chromiumKioskArgs({
    pageUrl: 'about:blank',
    userDataDir: '/tmp/p',
    autoGrantMedia: true,
  });
  assert.ok(args.includes('--use-fake-ui-for-media-stream'));
  assert.ok(!args.includes('--no-sandbox'));
  assert.deepEqual(electronArgs('/m.cjs'), ['/m.cjs', '--ozone-platform-hint=auto']);
  assert.ok(
    chromiumKioskArgs({
      pageUrl: 'about:blank',
      userDataDir: '/p',
      autoGrantMedia: false,
      headless: true,
    }).includes('--headless'),
  );
});

test('the kiosk user is found in the password file; root without it opens nothing', async () => {
  const passwd = join(scratch, 'passwd');
  writeFileSync(
    passwd,
    'root:x:0:0::/root:/bin/sh\nsportello-kiosk:x:991:988::/nonexistent:/usr/sbin/nologin\n',
  );
  assert.deepEqual(lookupUser('sportello-kiosk', passwd), { uid: 991, gid: 988 });
  assert.equal(lookupUser('nobody-here', passwd), undefined);
  const refused = await launchKioskWindow({
    pageUrl: PAGE,
    env: { DISPLAY: ':99' },
    chromiumPath: '/bin/true',
    electronPath: null,
    isRoot: true,
    runAs: 'no-such-kiosk-user',
  });
  assert.equal(refused.opened, false);
  assert.match(refused.opened ? '' : refused.reason, /never runs without its sandbox/);
  const asRoot = await launchKioskWindow({
    pageUrl: PAGE,
    env: { DISPLAY: ':99' },
    chromiumPath: '/bin/true',
    electronPath: null,
    isRoot: true,
    runAs: { uid: 0, gid: 0 },
  });
  assert.equal(asRoot.opened, false, 'uid 0 is not an unprivileged user');
});

test('without a display nothing is opened and the reason is given', async () => {
  assert.equal(hasDisplay({}), false);
  assert.equal(hasDisplay({ DISPLAY: '' }), false);
  assert.equal(hasDisplay({ DISPLAY: ':0' }), true);
  assert.equal(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }), true);
  const choice = chooseRuntime({ ...facts, ...electronReady, env: {} });
  assert.equal(choice.runtime, 'none');
  const result = await launchKioskWindow({
    pageUrl: PAGE,
    env: { PATH: '/usr/bin' },
    chromiumPath: '/bin/false',
  });
  assert.equal(result.opened, false);
  assert.match(result.opened ? '' : result.reason, /no display/);
});

test('Electron is chosen when its binary, bundle and settings are there; Chromium otherwise', () => {
  assert.equal(chooseRuntime({ ...facts, ...electronReady }).runtime, 'electron');
  assert.equal(chooseRuntime({ ...facts, ...electronReady, prefer: 'chromium' }).runtime, 'chromium');
  assert.equal(chooseRuntime(facts).runtime, 'chromium');
  assert.equal(chooseRuntime({ ...facts, ...electronReady, electronMainExists: false }).runtime, 'chromium');
  const asked = chooseRuntime({ ...facts, prefer: 'electron' });
  assert.equal(asked.runtime, 'none');
  assert.match(asked.runtime === 'none' ? asked.reason : '', /Electron binary is not installed/);
  const noChromium = chooseRuntime({ ...facts, chromiumPath: undefined });
  assert.match(noChromium.runtime === 'none' ? noChromium.reason : '', /Chromium is not installed/);
  const noPage = chooseRuntime({ ...facts, pageUrl: undefined });
  assert.equal(noPage.runtime, 'none');
});

test('close() ends the window process and removes its profile, and is safe twice', async () => {
  // A stand-in for Chromium that just stays up until it is signalled.
  const fake = join(scratch, 'chromium');
  writeFileSync(fake, '#!/bin/sh\nexec sleep 600\n');
  chmodSync(fake, 0o755);
  const handle = await launchKioskWindow({
    pageUrl: PAGE,
    env: { DISPLAY: ':99', PATH: process.env.PATH },
    chromiumPath: fake,
    electronPath: null,
    // The window's lifecycle, not its privileges: the stand-in runs as whoever runs the test.
    isRoot: false,
  });
  assert.equal(handle.opened, true);
  if (!handle.opened) return;
  assert.equal(handle.runtime, 'chromium');
  assert.ok(handle.userDataDir && existsSync(handle.userDataDir));
  await Promise.all([handle.close(), handle.close()]);
  await handle.close();
  assert.equal(existsSync(handle.userDataDir), false);
  assert.equal(await handle.exited, null, 'ended by a signal');
});

test('a window binary that cannot start is reported, not returned as open', async () => {
  const result = await launchKioskWindow({
    pageUrl: PAGE,
    env: { DISPLAY: ':99' },
    chromiumPath: join(scratch, 'missing-chromium'),
    electronPath: null,
    isRoot: false,
  });
  assert.equal(result.opened, false);
  assert.match(result.opened ? '' : result.reason, /chromium could not start/);
});

test('with the page still to come, the window starts at once; a page that fails closes it again', async () => {
  // The stand-in writes its pid where the test sees it, then stays up until signalled.
  const started = join(scratch, 'started-pid');
  const fake = join(scratch, 'chromium-early');
  writeFileSync(fake, `#!/bin/sh\necho $$ > ${started}\nexec sleep 600\n`);
  chmodSync(fake, 0o755);
  let fail!: (err: Error) => void;
  const page = new Promise<{ pageUrl: string; pageSecret: string }>((_, reject) => (fail = reject));
  const opening = launchKioskWindow({
    page,
    env: { DISPLAY: ':99', PATH: process.env.PATH },
    chromiumPath: fake,
    electronPath: null,
    isRoot: false,
  });
  // Spawned before the page exists: the agent's start and Chromium's overlap.
  const pid = await new Promise<number>((resolve) => {
    const look = () => {
      const text = existsSync(started) ? readFileSync(started, 'utf8').trim() : '';
      if (text) resolve(Number(text));
      else setImmediate(look);
    };
    look();
  });
  fail(new Error('the agent could not open its database'));
  const result = await opening;
  assert.equal(result.opened, false);
  assert.match(
    result.opened ? '' : result.reason,
    /no page for the window: the agent could not open its database/,
  );
  assert.throws(() => process.kill(pid, 0), 'the window process was ended');
});
