import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler, decideAppRequest } from './app-protocol.ts';
import { KIOSK_PAGE_URL } from './security-policy.ts';

const root = mkdtempSync(join(tmpdir(), 'sportello-app-protocol-'));
const pagesDir = join(root, 'dist');
mkdirSync(join(pagesDir, 'kiosk'), { recursive: true });
mkdirSync(join(pagesDir, 'assets'));
writeFileSync(join(pagesDir, 'kiosk', 'index.html'), '<!doctype html><title>kiosk</title>');
writeFileSync(join(pagesDir, 'assets', 'kiosk.js'), 'export {};');
writeFileSync(join(root, 'secret.txt'), 'outside the pages');
after(() => rmSync(root, { recursive: true, force: true }));

const csp = "default-src 'self'";
const handler = createAppProtocolHandler({ pagesDir, csp });

test('E-6 the kiosk page is served with the CSP and its content type', async () => {
  const res = await handler(new Request(KIOSK_PAGE_URL));
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-security-policy'), csp);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await res.text(), /<title>kiosk<\/title>/);
  const js = await handler(new Request('app://kiosk/assets/kiosk.js'));
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  await js.body?.cancel();
});

test('E-6 path traversal on app:// is answered 404', async () => {
  for (const path of [
    '/../secret.txt',
    '/kiosk/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/kiosk/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/%00/kiosk/index.html',
    '/kiosk/..%2f..%2fsecret.txt',
  ]) {
    const decision = decideAppRequest(pagesDir, 'GET', `app://kiosk${path}`);
    const res = await handler(new Request(`app://kiosk${path}`));
    const body = await res.text();
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(body, /outside the pages/, path);
    // URL parsing may already fold some dot segments; whatever is left must stay inside the folder.
    if (decision.status === 200) assert.ok(decision.file.startsWith(pagesDir), path);
  }
});

test('E-6 missing files, folders, other hosts and other methods are refused', async () => {
  assert.equal((await handler(new Request('app://kiosk/kiosk/missing.js'))).status, 404);
  assert.equal((await handler(new Request('app://kiosk/assets'))).status, 404);
  assert.equal((await handler(new Request('app://other/kiosk/index.html'))).status, 404);
  assert.equal((await handler(new Request(KIOSK_PAGE_URL, { method: 'POST', body: 'x' }))).status, 405);
  assert.deepEqual(decideAppRequest(pagesDir, 'GET', 'file:///etc/passwd'), { status: 404 });
});

test('E-6 the app scheme is standard and secure but gets no CSP bypass', () => {
  const p = APP_SCHEME_PRIVILEGES.privileges!;
  assert.equal(APP_SCHEME_PRIVILEGES.scheme, 'app');
  assert.equal(p.standard, true);
  assert.equal(p.secure, true);
  assert.equal(p.supportFetchAPI, true);
  assert.notEqual(p.bypassCSP, true);
  assert.notEqual(p.allowServiceWorkers, true);
});
