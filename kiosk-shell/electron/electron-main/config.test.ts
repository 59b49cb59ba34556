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
    () => loadMainConfig({ SPORTELLO_TOTEM_CREDENTIAL: good.SPORTELLO_TOTEM_CREDENTIAL }, defaults, noFile),
    /serverUrl: is required with a demo credential/,
  );
  assert.throws(
    () => loadMainConfig({ ...good, SPORTELLO_TOTEM_CREDENTIAL: 'no-secret' }, defaults, noFile),
    /credential: must look like/,
  );
  assert.throws(
    () => loadMainConfig({ ...good, SPORTELLO_KIOSK_DATA_DIR: 'relative/dir' }, defaults, noFile),
    /dataDir: must be an absolute path/,
  );
});

test('an enrolled totem needs no credential; the handset comes from the file and is checked', () => {
  assert.deepEqual(loadMainConfig({}, defaults, noFile), defaults);
  const env = { SPORTELLO_KIOSK_CONFIG: '/etc/kiosk.json' };
  const device = { kind: 'serial', match: { vendorId: 0x1209, productId: 0x5e11 } };
  assert.deepEqual(loadMainConfig(env, defaults, () => JSON.stringify({ device })).device, device);
  assert.throws(
    () => loadMainConfig(env, defaults, () => JSON.stringify({ device: { kind: 'usb' } })),
    /device/,
  );
});

test('an unreadable, non-object or unknown-key file is refused by name', () => {
  const env = { ...good, SPORTELLO_KIOSK_CONFIG: '/etc/kiosk.json' };
  assert.throws(() => loadMainConfig(env, defaults, () => '{not json'), /cannot read \/etc\/kiosk\.json/);
  assert.throws(() => loadMainConfig(env, defaults, () => '[1]'), /must hold a JSON object/);
  assert.throws(() => loadMainConfig(env, defaults, () => '{"serverURL":"x"}'), /serverURL/);
});
