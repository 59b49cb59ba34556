import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TurnCredentials, turnRestCredential } from './turn-credentials.ts';
import { loadConfig } from '../config.ts';

test('W-6 TURN credentials follow the REST scheme coturn checks (vector from openssl dgst -sha1 -hmac)', () => {
  // echo -n "1800000000:call-1:kiosk" | openssl dgst -sha1 -hmac "a-shared-secret-of-coturn" -binary | base64
  assert.deepEqual(turnRestCredential('a-shared-secret-of-coturn', 'call-1:kiosk', 1_800_000_000), {
    username: '1800000000:call-1:kiosk',
    credential: 'rCaZq9iiH2gYDdEMzrVeFnW1Fvc=',
  });
});

test('W-6 a grant expires ttl seconds after the clock it is given, and none without a secret', () => {
  let now = new Date('2026-12-01T23:55:00Z');
  const turn = new TurnCredentials(
    { urls: ['turns:turn.example:443?transport=tcp'], secret: 'x'.repeat(32), credentialSeconds: 600 },
    () => now,
  );
  const g = turn.grant('c:kiosk');
  assert.equal(g.expiresAt, '2026-12-02T00:05:00.000Z');
  assert.equal(g.ttlSeconds, 600);
  assert.deepEqual(g.iceServers[0]!.urls, ['turns:turn.example:443?transport=tcp']);
  assert.equal(g.iceServers[0]!.username, `${Date.parse('2026-12-02T00:05:00Z') / 1000}:c:kiosk`);
  now = new Date(now.getTime() + 300_000);
  assert.notEqual(turn.grant('c:kiosk').iceServers[0]!.credential, g.iceServers[0]!.credential);
  const off = new TurnCredentials({ urls: ['turn:x'], credentialSeconds: 600 }, () => now);
  assert.deepEqual(off.grant('c'), { iceServers: [], expiresAt: null, ttlSeconds: null });
});

test('W-6 TURN configuration: URLs and secret from the environment; URLs without a secret are refused', () => {
  const c = loadConfig({
    env: {
      SPORTELLO_TURN_URLS: 'turns:turn.example:443?transport=tcp, turn:turn.example:3478',
      SPORTELLO_TURN_SECRET: 's'.repeat(32),
    },
  });
  assert.deepEqual(c.turn.urls, ['turns:turn.example:443?transport=tcp', 'turn:turn.example:3478']);
  assert.equal(c.turn.credentialSeconds, 3600);
  assert.throws(() => loadConfig({ env: { SPORTELLO_TURN_URLS: 'turn:turn.example:3478' } }), /turn\.secret/);
  assert.deepEqual(loadConfig({ env: {} }).turn.urls, []);
});
