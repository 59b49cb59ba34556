// The fleet page (app/fleet) on Debian Chromium against a real server: an administrator signs in,
// sees a totem that sent a heartbeat as online (refreshed live), opens its detail, creates an
// enrollment token that a totem can then use; an operator account is turned away.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backOfficeRig, PAGES_DIR, signIn } from '../support/back-office.ts';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { heartbeatWith, sendHeartbeat, TestTotem } from '../../server/src/node/testing/test-totem.ts';

let t: TestServer;
// The page polls every 5 s; the per-minute limit is for the public endpoints of real citizens.
const rig = backOfficeRig(
  async () => (t = await startTestServer({ pagesDir: PAGES_DIR, rateLimitPerMinute: 2000 })),
);
const openFleet = () => rig.open('/fleet/');

describe('fleet page on Debian Chromium', () => {
  test('an administrator sees a totem that sent a heartbeat as online and creates an enrollment token', async () => {
    const { page, errors } = await openFleet();
    await signIn(page, t.seed.admin.username, t.seed.admin.password);
    await page.locator('section[data-screen="fleet"]:not([hidden])').waitFor();
    const badge = page.locator(`tr[data-totem="${t.seed.totem.id}"] .badge`);
    assert.equal(await badge.getAttribute('data-status'), 'never-seen');

    const beat = await sendHeartbeat(t.url, totemCredential(t.seed), heartbeatWith('idle'));
    assert.equal(beat.status, 200);
    // The list refreshes by itself within its 5-second period.
    await page.locator(`tr[data-totem="${t.seed.totem.id}"] .badge[data-status="online"]`).waitFor();
    assert.equal(await badge.innerText(), 'In funzione');
    assert.match(await page.locator(`tr[data-totem="${t.seed.totem.id}"]`).innerText(), /kiosk 0\.1\.0/);

    await page.click(`tr[data-totem="${t.seed.totem.id}"] button`);
    await page.locator('#detail:not([hidden])').waitFor();
    assert.equal(
      await page.locator(':focus').getAttribute('id'),
      'detail-title',
      'focus moves to the detail',
    );
    assert.equal(await page.locator('#detail-history tr').count(), 1);

    await page.selectOption('#enroll-site', 'centro');
    await page.fill('#enroll-name', 'Totem Biblioteca');
    await page.click('#enroll-form button[type=submit]');
    await page.locator('#enroll-result:not([hidden])').waitFor();
    const token = await page.locator('#enroll-token').innerText();
    assert.match(token, /^spe1-[A-Za-z0-9_-]{32}$/);
    assert.match(await page.locator('#enroll-uri').innerText(), /^sportello:\/\/enroll\?/);
    // The same address as a QR code, drawn in the page.
    await page.locator('#enroll-qr svg path').first().waitFor();

    // The token shown is the one a technician types on the totem.
    const totem = new TestTotem(t.url);
    const enrolled = await totem.enroll(token);
    assert.equal(enrolled.status, 200);
    await page.locator(`tr[data-totem="${totem.totemId}"] .badge[data-status="never-seen"]`).waitFor();

    await page.click('button[data-lang="en"]');
    await page.locator(`tr[data-totem="${t.seed.totem.id}"] .badge`, { hasText: 'Online' }).waitFor();
    assert.deepEqual(errors, []);
  });

  test('an operator account is turned away from the fleet page', async () => {
    const { page, errors } = await openFleet();
    await signIn(page, 'giulia', 'giulia-test-password');
    await page.locator('#alert', { hasText: 'non può usare il parco totem' }).waitFor();
    assert.equal(await page.locator('section[data-screen="fleet"]').isHidden(), true);
    assert.deepEqual(errors, []);
  });
});
