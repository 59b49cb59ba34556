// Provisioning and identity against a real server on loopback, with a clock the tests move:
// enrollment tokens (P-1), clones (P-2), revocation mid-call and re-enrollment (P-3), and token
// renewal (P-4, server half).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FLEET_ROUTES,
  KIOSK_ROUTES,
  routePath,
  routeQuery,
  type AuditEntry,
  type FleetTotem,
} from '@sportello/protocol';
import { startTestServer, totemCredential, type TestServer } from '../testing/test-server.ts';
import { TestKiosk } from '../testing/kiosk-client.ts';
import { TestOperator } from '../testing/operator-client.ts';
import {
  createEnrollment,
  heartbeatWith,
  requestJson,
  sendHeartbeat,
  signInAccount,
  TestTotem,
} from '../testing/test-totem.ts';

let clock = Date.parse('2026-11-23T09:00:00Z');
const now = () => new Date(clock);
let t: TestServer;
let admin: string;

before(async () => {
  t = await startTestServer({}, now);
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
});
after(() => t.close());

async function audit(): Promise<AuditEntry[]> {
  const res = await requestJson<AuditEntry[]>(
    t.url + FLEET_ROUTES.listAudit.path + routeQuery({ limit: 500 }),
    {
      authorization: `Bearer ${admin}`,
    },
  );
  assert.equal(res.status, 200);
  return res.body;
}

async function fleetTotem(id: string): Promise<FleetTotem> {
  const res = await requestJson<{ totem: FleetTotem }>(t.url + routePath(FLEET_ROUTES.readTotem, { id }), {
    authorization: `Bearer ${admin}`,
  });
  assert.equal(res.status, 200);
  return res.body.totem;
}

async function enrolledTotem(totemName: string): Promise<TestTotem> {
  const { token } = await createEnrollment(t.url, admin, { siteId: 'centro', totemName });
  const totem = new TestTotem(t.url, now);
  const res = await totem.enroll(token);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return totem;
}

test('a totem enrolls with a single-use token and gets its identity and site configuration', async () => {
  const made = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: 'Totem Biblioteca' });
  assert.equal(made.expiresAt, new Date(clock + 3_600_000).toISOString(), 'valid for one hour by default');
  assert.match(made.uri, /^sportello:\/\/enroll\?server=.+&site=centro&slot=Totem\+Biblioteca&token=spe1-/);
  const totem = new TestTotem(t.url, now);
  const res = await totem.enroll(made.token, { siteId: 'centro', totemName: 'Totem Biblioteca', jwk: true });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.match(res.body.totemId, /^totem-[0-9a-f]{12}$/);
  assert.equal(res.body.siteId, 'centro');
  assert.equal(res.body.serverUrl, t.url);
  assert.deepEqual(res.body.turnServers, []);
  assert.deepEqual(res.body.languages, ['it', 'en']);
  assert.deepEqual(res.body.offices.map((o) => o.id).sort(), ['anagrafe', 'urp']);
  assert.equal(res.body.heartbeatSeconds, 30);
  const token = await totem.token();
  const agenda = await requestJson(t.url + KIOSK_ROUTES.agenda.path, { authorization: `Totem ${token}` });
  assert.equal(agenda.status, 200, 'the bearer token works where the demo credential did');
  const listed = await fleetTotem(res.body.totemId);
  assert.equal(listed.credential, 'key');
  assert.match(listed.keyFingerprint ?? '', /^SHA256:/);
});

test('P-1 an enrollment token reused, replayed, expired, for another site or unknown is refused and audited', async () => {
  await t.server.database.db
    .insertInto('sites')
    .values({ id: 'stazione', name: 'Stazione', site_key: 'a2V5' })
    .execute();
  const first = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: 'Totem Mercato' });
  const wrongSite = await new TestTotem(t.url, now).enroll(first.token, { siteId: 'stazione' });
  assert.equal(wrongSite.status, 403);
  assert.equal(wrongSite.body.code, 'enrollment-wrong-site');
  const wrongSlot = await new TestTotem(t.url, now).enroll(first.token, { totemName: 'Totem Porto' });
  assert.equal(wrongSlot.body.code, 'enrollment-wrong-slot');

  const owner = new TestTotem(t.url, now);
  assert.equal((await owner.enroll(first.token)).status, 200, 'a refused attempt does not burn the token');
  const replay = await owner.enroll(first.token);
  assert.equal(replay.status, 409);
  assert.equal(replay.body.code, 'enrollment-replayed');
  const reuse = await new TestTotem(t.url, now).enroll(first.token);
  assert.equal(reuse.status, 409);
  assert.equal(reuse.body.code, 'enrollment-token-used');

  const late = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: 'Totem Porto' });
  clock += 61 * 60_000;
  const expired = await new TestTotem(t.url, now).enroll(late.token);
  assert.equal(expired.status, 410);
  assert.equal(expired.body.code, 'enrollment-token-expired');
  const unknown = await new TestTotem(t.url, now).enroll('spe1-' + 'x'.repeat(32));
  assert.equal(unknown.status, 401);

  const refusals = (await audit()).filter((e) => e.action === 'enrollment' && e.result === 'refused');
  assert.deepEqual(refusals.map((e) => e.detail).sort(), [
    'enrollment-replayed',
    'enrollment-token-expired',
    'enrollment-token-unknown',
    'enrollment-token-used',
    'enrollment-wrong-site',
    'enrollment-wrong-slot',
  ]);
  assert.ok(refusals.every((e) => e.actor.startsWith('anonymous@')));
});

test('P-1 a signed token request replayed, from a skewed clock or with another key is refused and audited', async () => {
  const totem = await enrolledTotem('Totem Scuola');
  const signed = totem.signedRequest();
  assert.equal((await totem.requestToken(signed)).status, 200);
  const replayed = await totem.requestToken(signed);
  assert.equal(replayed.status, 401);
  assert.equal(replayed.body.code, 'replayed');
  const skewed = await totem.requestToken(
    totem.signedRequest({ timestamp: new Date(clock - 6 * 60_000).toISOString() }),
  );
  assert.equal(skewed.body.code, 'clock-skew');
  const impostor = new TestTotem(t.url, now);
  const forged = await impostor.requestToken(impostor.signedRequest({ totemId: totem.totemId! }));
  assert.equal(forged.body.code, 'bad-signature');
  const details = (await audit())
    .filter((e) => e.action === 'totem-token' && e.target === totem.totemId)
    .map((e) => e.detail);
  assert.deepEqual(details.sort(), ['bad-signature', 'clock-skew', 'replayed']);
});

test('P-2 a second connection with the same identity is refused and flagged as a clone', async () => {
  const credential = totemCredential(t.seed);
  const kiosk = await TestKiosk.connect(t.url, credential);
  await assert.rejects(TestKiosk.connect(t.url, credential), /identity already connected \(clone\?\)/);
  const totem = await enrolledTotem('Totem Ospedale');
  const original = await TestKiosk.connect(t.url, await totem.token());
  await assert.rejects(TestKiosk.connect(t.url, await totem.token()), /identity already connected/);
  const flagged = await fleetTotem(t.seed.totem.id);
  assert.ok(flagged.cloneSuspectedAt, 'the fleet view flags the clone');
  const clones = (await audit()).filter((e) => e.action === 'totem-clone-refused');
  assert.deepEqual(clones.map((e) => e.target).sort(), [t.seed.totem.id, totem.totemId].sort());
  // Once the first connection is gone, the same identity may connect again (a totem reconnecting).
  kiosk.close();
  await t.server.fleet.whenDisconnected(t.seed.totem.id);
  const again = await TestKiosk.connect(t.url, credential);
  again.close();
  original.close();
  await t.server.fleet.whenDisconnected(t.seed.totem.id);
  await t.server.fleet.whenDisconnected(totem.totemId!);
});

test('P-3 a totem revoked during a call: told, call ended, dropped by the server, refused after; re-enrollment works', async () => {
  const totem = await enrolledTotem('Totem Piazza Nuova');
  const oldToken = await totem.token();
  const kiosk = await TestKiosk.connect(t.url, oldToken);
  const op = await TestOperator.signIn(t.url, 'giulia', 'giulia-test-password');
  await op.setPresence('available');
  assert.ok((await kiosk.request({ kind: 'walk-in' })).ok);
  const ring = await op.nextRing();
  await op.accept(ring.callId);
  await kiosk.nextAccepted();

  const res = await requestJson<FleetTotem>(
    t.url + routePath(FLEET_ROUTES.revokeTotem, { id: totem.totemId }),
    {
      body: { reason: 'stolen handset' },
      authorization: `Bearer ${admin}`,
    },
  );
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'revoked');
  assert.equal(res.body.statusReason, 'stolen handset');
  assert.deepEqual(await kiosk.nextEnded(), { callId: ring.callId, reason: 'cancelled' });
  assert.equal((await op.nextEnd()).callId, ring.callId, 'the operator is told the call ended');
  assert.equal(await kiosk.disconnected, 'io server disconnect');
  assert.deepEqual(kiosk.events, ['totem:revoked', 'call:ended', 'disconnect']);
  assert.equal(t.server.router.hasCall(totem.totemId!), false);

  const heartbeat = await sendHeartbeat(t.url, oldToken, heartbeatWith('idle'));
  assert.equal(heartbeat.status, 401, 'the token held before revocation no longer works');
  assert.equal((await totem.requestToken()).body.code, 'totem-not-enrolled');
  await assert.rejects(TestKiosk.connect(t.url, oldToken), /totem credential refused/);
  op.close();

  // Re-enrollment: a new token for the same slot, a new key, the same totem id.
  const renewed = await enrolledTotem('Totem Piazza Nuova');
  assert.equal(renewed.totemId, totem.totemId, 'the slot keeps its id');
  const back = await TestKiosk.connect(t.url, await renewed.token());
  assert.equal((await fleetTotem(totem.totemId!)).status, 'online');
  assert.equal((await totem.requestToken()).body.code, 'bad-signature', 'the old key stays refused');
  back.close();
  await t.server.fleet.whenDisconnected(totem.totemId!);
});

test('P-4 a token is renewed ahead of expiry; an expired token is refused', async () => {
  const totem = await enrolledTotem('Totem Stazione');
  const first = await totem.requestToken();
  assert.equal(first.status, 200);
  assert.equal(first.body.expiresAt, new Date(clock + 15 * 60_000).toISOString());
  assert.equal(first.body.renewAfter, new Date(clock + 10 * 60_000).toISOString());
  clock += 10 * 60_000 + 1000;
  const second = await totem.requestToken();
  assert.equal(second.status, 200, 'renewal ahead of expiry works');
  assert.equal((await sendHeartbeat(t.url, first.body.token, heartbeatWith('idle'))).status, 200);
  clock += 5 * 60_000;
  assert.equal(
    (await sendHeartbeat(t.url, first.body.token, heartbeatWith('idle'))).status,
    401,
    'the first token expired',
  );
  assert.equal((await sendHeartbeat(t.url, second.body.token, heartbeatWith('idle'))).status, 200);
  const tampered = second.body.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
  assert.equal((await sendHeartbeat(t.url, tampered, heartbeatWith('idle'))).status, 401);
});

test('P-3 revoking the demo totem invalidates its secret too', async () => {
  const credential = totemCredential(t.seed);
  assert.equal((await sendHeartbeat(t.url, credential, heartbeatWith('idle'))).status, 200);
  const revoke = await requestJson(t.url + routePath(FLEET_ROUTES.revokeTotem, { id: t.seed.totem.id }), {
    body: {},
    authorization: `Bearer ${admin}`,
  });
  assert.equal(revoke.status, 200);
  assert.equal((await fleetTotem(t.seed.totem.id)).credential, 'none');
  assert.equal((await sendHeartbeat(t.url, credential, heartbeatWith('idle'))).status, 401);
  await assert.rejects(TestKiosk.connect(t.url, credential), /totem credential refused/);
});
