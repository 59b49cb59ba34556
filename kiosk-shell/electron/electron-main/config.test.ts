import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadMainConfig } from './config.ts';

const defaults = { dataDir: '/var/lib/sportello-kiosk', pagesDir: '/opt/sportello/app/dist' };
const good = {
  SPORTELLO_SERVER_URL: 'https://sportello.example.org',
  SPORTELLO_TOTEM_CREDENTIAL: 'totem-1:s3cret',
};
const noFile = (): string => {
  throw new Error('no file expected');
};

test('the configuration comes from environment variables, with defaults for the folders', () => {
  assert.deepEqual(loadMainConfig(good, defaults, noFile), {
    serverUrl: 'https://sportello.example.org',
    credential: 'totem-1:s3cret',
    ...defaults,
  });
  const withDir = loadMainConfig({ ...good, SPORTELLO_KIOSK_DATA_DIR: '/data/kiosk' }, defaults, noFile);
  assert.equal(withDir.dataDir, '/data/kiosk');
});

test('the configuration comes from a JSON file, and variables win over it', () => {
  const files: Record<string, string> = {
    '/etc/sportello/kiosk.json': JSON.stringify({
      serverUrl: 'http://10.0.0.1:8080',
      credential: 'totem-2:abc',
      dataDir: '/srv/kiosk',
    }),
  };
  const read = (path: string) => files[path] ?? noFile();
  const env = { SPORTELLO_KIOSK_CONFIG: '/etc/sportello/kiosk.json' };
  const fromFile = loadMainConfig(env, defaults, read);
  assert.equal(fromFile.serverUrl, 'http://10.0.0.1:8080');
  assert.equal(fromFile.dataDir, '/srv/kiosk');
  const overridden = loadMainConfig({ ...env, SPORTELLO_TOTEM_CREDENTIAL: 'totem-3:xyz' }, defaults, read);
  assert.equal(overridden.credential, 'totem-3:xyz');
});

test('a bad value is refused with a message naming the field and where it came from', () => {
  assert.throws(
    () => loadMainConfig({ ...good, SPORTELLO_SERVER_URL: 'ftp://x' }, defaults, noFile),
    (err: unknown) => err instanceof ConfigError && /serverUrl.*SPORTELLO_SERVER_URL/.test(err.message),
  );
  assert.throws(
    () => loadMainConfig({ SPORTELLO_SERVER_URL: good.SPORTELLO_SERVER_URL }, defaults, noFile),
    /credential: is required \(set SPORTELLO_TOTEM_CREDENTIAL/,
  );
  assert.throws(
    () => loadMainConfig({ ...good, SPORTELLO_KIOSK_DATA_DIR: 'relative/dir' }, defaults, noFile),
    /dataDir: must be an absolute path/,
  );
});

test('an unreadable, non-object or unknown-key file is refused by name', () => {
  const env = { ...good, SPORTELLO_KIOSK_CONFIG: '/etc/kiosk.json' };
  assert.throws(() => loadMainConfig(env, defaults, () => '{not json'), /cannot read \/etc\/kiosk\.json/);
  assert.throws(() => loadMainConfig(env, defaults, () => '[1]'), /must hold a JSON object/);
  assert.throws(() => loadMainConfig(env, defaults, () => '{"serverURL":"x"}'), /serverURL/);
});
