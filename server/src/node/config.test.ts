import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './config.ts';

test('defaults give a working embedded configuration', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.port, 8080);
  assert.equal(c.timeZone, 'Europe/Rome');
  assert.ok(c.media.workers >= 1);
  assert.equal(c.checkIn.earlyMinutes, 15);
});

test('a bad environment variable is named with the field it sets', () => {
  assert.throws(
    () => loadConfig({ env: { SPORTELLO_PORT: 'eighty' } }),
    (err: Error) =>
      err instanceof ConfigError && /port/.test(err.message) && /SPORTELLO_PORT/.test(err.message),
  );
  assert.throws(
    () => loadConfig({ env: { SPORTELLO_MEDIA_WORKERS: '0' } }),
    /media\.workers.*SPORTELLO_MEDIA_WORKERS/s,
  );
  assert.throws(() => loadConfig({ env: { SPORTELLO_TIME_ZONE: 'Mars/Olympus' } }), /timeZone/);
});

test('a configuration file is read, validated and named in errors; unknown keys are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-config-'));
  const good = join(dir, 'good.json');
  writeFileSync(
    good,
    JSON.stringify({ port: 9000, media: { listenIp: '0.0.0.0', announcedIp: '203.0.113.7' } }),
  );
  const c = loadConfig({ file: good, env: { SPORTELLO_PORT: '9100' } });
  assert.equal(c.port, 9100, 'environment wins over the file');
  assert.equal(c.media.announcedIp, '203.0.113.7');
  const typo = join(dir, 'typo.json');
  writeFileSync(typo, JSON.stringify({ prot: 9000 }));
  assert.throws(() => loadConfig({ file: typo }), /prot/);
  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '{ port: ');
  assert.throws(() => loadConfig({ file: broken }), /cannot be read as JSON/);
  const ports = join(dir, 'ports.json');
  writeFileSync(ports, JSON.stringify({ media: { rtcMinPort: 50000, rtcMaxPort: 40000 } }));
  assert.throws(() => loadConfig({ file: ports }), /rtcMinPort/);
});

test('demo secrets are off unless asked for; trustProxy takes a flag or the proxies, from the environment too', () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.demoSecrets, false);
  assert.equal(c.trustProxy, false);
  assert.equal(c.clientLimits.totemRequestsPerMinute, undefined, 'follows rateLimitPerMinute');
  const e = loadConfig({
    env: { SPORTELLO_DEMO_SECRETS: 'true', SPORTELLO_TRUST_PROXY: 'loopback, 10.0.0.0/8' },
  });
  assert.equal(e.demoSecrets, true);
  assert.equal(e.trustProxy, 'loopback, 10.0.0.0/8');
  assert.equal(loadConfig({ env: { SPORTELLO_TRUST_PROXY: '1' } }).trustProxy, true);
  assert.throws(
    () => loadConfig({ env: { SPORTELLO_DEMO_SECRETS: 'perhaps' } }),
    /demoSecrets.*SPORTELLO_DEMO_SECRETS/s,
  );
});
