import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveStaticPath } from './static-files.ts';

test('E-6 path traversal out of the pages folder is refused', () => {
  const root = '/srv/app';
  assert.equal(resolveStaticPath(root, '/kiosk/index.html'), '/srv/app/kiosk/index.html');
  assert.equal(resolveStaticPath(root, '/'), '/srv/app/index.html');
  for (const evil of [
    '/../etc/passwd',
    '/kiosk/../../etc/passwd',
    '/%2e%2e/etc/passwd',
    '/%2E%2E%2Fetc/passwd',
    '/a/%00b',
    '/..%5c..%5cwin.ini',
    '/%zz',
  ]) {
    const r = resolveStaticPath(root, evil);
    assert.ok(r === undefined || r.startsWith('/srv/app/'), `${evil} → ${r}`);
  }
});
