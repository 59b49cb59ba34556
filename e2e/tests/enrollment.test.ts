// Enrollment end to end: an administrator's token → the provisioning CLI (a child process) on a temp
// data dir → a kiosk agent started from that enrolled dir connects with its identity → the totem is
// online on the fleet page in Debian Chromium; its heartbeat fields arrive, a remote action is run
// once with its result posted, and a screenshot is refused while it is in a call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { FLEET_ROUTES, routePath, type FleetTotemDetail, type RemoteAction } from '@sportello/protocol';
import { startKioskAgent, type KioskAgent } from '@sportello/kiosk-shell/host';
import { launchChromium } from '../support/browser.ts';
import { PAGES_DIR } from '../support/stack.ts';
import {
  startTestServer,
  TEST_PASSWORDS,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { TestOperator } from '../../server/src/node/testing/operator-client.ts';
import { createEnrollment, requestJson, signInAccount } from '../../server/src/node/testing/test-totem.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let t: TestServer;
let browser: Browser;
let kiosk: KioskAgent | undefined;
let giulia: TestOperator | undefined;
const contexts: BrowserContext[] = [];
const dir = mkdtempSync(join(tmpdir(), 'sportello-e2e-enrolled-'));

before(async () => {
  t = await startTestServer({ pagesDir: PAGES_DIR, rateLimitPerMinute: 2000 });
  browser = await launchChromium();
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  giulia?.close();
  await kiosk?.close();
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'provisioning/src/node/cli.ts', ...args],
      { cwd: ROOT, timeout: 300_000 },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

describe('enrollment end to end', () => {
  test('token → CLI → kiosk with its identity → online on the fleet page; heartbeat, actions once, no screenshot in a call', async () => {
    const admin = await signInAccount(t.url, 'admin', TEST_PASSWORDS.admin);
    const auth = `Bearer ${admin}`;
    const { token } = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: 'Totem Stazione' });
    const enrolled = await cli(['enroll', '--server', t.url, '--token', token, '--data-dir', dir, '--json']);
    assert.equal(enrolled.code, 0, enrolled.err);
    const { totemId } = JSON.parse(enrolled.out) as { totemId: string };

    kiosk = await startKioskAgent({ dataDir: dir, pagesDir: PAGES_DIR, core: { endedScreenMs: 300 } });
    assert.equal(kiosk.identity?.totemId, totemId);
    const restarts: string[] = [];
    kiosk.fleet!.actions.on('restart', () => restarts.push('restart'));

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(ctx);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${t.url}/fleet/`);
    await page.fill('#username', 'admin');
    await page.fill('#password', TEST_PASSWORDS.admin);
    await page.click('#sign-in-form button[type=submit]');
    await page.locator(`tr[data-totem="${totemId}"] .badge[data-status="online"]`).waitFor();
    assert.match(await page.locator(`tr[data-totem="${totemId}"]`).innerText(), /Totem Stazione/);

    const detail = async () =>
      (
        await requestJson<FleetTotemDetail>(t.url + routePath(FLEET_ROUTES.readTotem, { id: totemId }), {
          authorization: auth,
        })
      ).body;
    await kiosk.fleet!.heartbeats.beat();
    const hb = (await detail()).totem.heartbeat!;
    assert.equal(hb.state, 'idle');
    assert.equal(hb.versions?.kiosk, '0.1.0');
    assert.equal(typeof hb.diskFreeBytes, 'number');
    assert.equal(hb.devices?.handset?.detail, 'no handset configured');
    assert.equal((await detail()).totem.credential, 'key');

    // A remote action reaches this totem over its socket, runs once, and its result is posted.
    const done = new Promise((resolve) => kiosk!.fleet!.actions.once('done', resolve));
    const asked = await requestJson<RemoteAction>(
      t.url + routePath(FLEET_ROUTES.requestAction, { id: totemId }),
      {
        body: { kind: 'request-logs' },
        authorization: auth,
      },
    );
    assert.equal(asked.status, 202);
    await done;
    const action = await requestJson<RemoteAction>(
      t.url + routePath(FLEET_ROUTES.readAction, { id: asked.body.id }),
      {
        authorization: auth,
      },
    );
    assert.equal(action.body.status, 'done');
    assert.equal(action.body.contentType, 'text/plain; charset=utf-8');
    await kiosk.fleet!.heartbeats.beat();
    assert.deepEqual(restarts, []);

    // In a call, a screenshot is refused.
    giulia = await TestOperator.signIn(t.url, 'giulia', TEST_PASSWORDS.giulia);
    await giulia.setPresence('available');
    await kiosk.core.handle({ method: 'startWalkIn' });
    const ring = await giulia.nextRing();
    await giulia.accept(ring.callId);
    const refused = await requestJson<{ code: string }>(
      t.url + routePath(FLEET_ROUTES.requestAction, { id: totemId }),
      {
        body: { kind: 'screenshot' },
        authorization: auth,
      },
    );
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'totem-in-call');
    await giulia.hangUp(ring.callId);
    await giulia.setPresence('paused');
    assert.deepEqual(errors, []);
  });
});
