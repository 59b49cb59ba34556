// The fleet view against a real server on loopback: heartbeats and "not seen since", remote actions
// reaching only their totem, screenshots refused during calls, and who may use the admin endpoints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FLEET_ROUTES as F,
  OPERATOR_ROUTES,
  routePath,
  routeQuery,
  TOTEM_ROUTES,
  type AuditEntry,
  type FleetTotem,
  type FleetTotemDetail,
  type RemoteAction,
} from '@sportello/protocol';
import { hashPassword } from '../auth/secrets.ts';
import { migrateToLatest, openDatabase } from '../db/open.ts';
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
import { fleetDb } from './fleet-db.ts';
import { SCREENSHOT_IN_CALL_MESSAGE } from './remote-actions.ts';

let clock = Date.parse('2026-11-23T09:00:00Z');
const now = () => new Date(clock);
let t: TestServer;
let admin: string;
const asAdmin = () => `Bearer ${admin}`;

before(async () => {
  t = await startTestServer({ fleet: { historySize: 10 } }, now);
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
});
after(() => t.close());

async function listed(id: string): Promise<FleetTotem> {
  const res = await requestJson<FleetTotem[]>(t.url + F.listTotems.path, { authorization: asAdmin() });
  assert.equal(res.status, 200);
  const totem = res.body.find((x) => x.id === id);
  assert.ok(totem, `${id} is listed`);
  return totem;
}

function requestAction(totemId: string, kind: string) {
  return requestJson<RemoteAction & { code?: string; message?: string }>(
    t.url + routePath(F.requestAction, { id: totemId }),
    { body: { kind }, authorization: asAdmin() },
  );
}

test('heartbeats are stored with a bounded history; a silent totem is "not seen" after 3 intervals', async () => {
  const credential = totemCredential(t.seed);
  const id = t.seed.totem.id;
  assert.equal((await listed(id)).status, 'never-seen');
  for (let i = 0; i < 12; i++) {
    const res = await sendHeartbeat(t.url, credential, heartbeatWith('idle', { diskFreeBytes: i }));
    assert.equal(res.status, 200);
    assert.equal(res.body.heartbeatSeconds, 30);
  }
  const seenAt = now().toISOString();
  const online = await listed(id);
  assert.equal(online.status, 'online');
  assert.equal(online.connected, false, 'online from heartbeats alone');
  assert.equal(online.heartbeat?.diskFreeBytes, 11);
  const detail = await requestJson<FleetTotemDetail>(
    t.url + routePath(F.readTotem, { id }) + routeQuery({ history: 100 }),
    {
      authorization: asAdmin(),
    },
  );
  assert.equal(detail.body.history.length, 10, 'history keeps the configured number of heartbeats');
  assert.equal(detail.body.history[0]!.heartbeat.diskFreeBytes, 11, 'newest first');

  const outOfService = heartbeatWith('out-of-service', { reason: 'handset missing' });
  await sendHeartbeat(t.url, credential, outOfService);
  assert.deepEqual(
    [(await listed(id)).status, (await listed(id)).statusReason],
    ['out-of-service', 'handset missing'],
  );
  await sendHeartbeat(t.url, credential, heartbeatWith('idle'));
  clock += 90_000;
  assert.equal((await listed(id)).status, 'online', 'three intervals are allowed');
  clock += 1000;
  const silent = await listed(id);
  assert.equal(silent.status, 'not-seen');
  assert.equal(silent.lastSeenAt, new Date(Date.parse(seenAt)).toISOString());
  await sendHeartbeat(t.url, credential, heartbeatWith('idle'));
  assert.equal((await listed(id)).status, 'online');
});

test('remote actions reach the right totem only, and its result comes back', async () => {
  const { token } = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: 'Totem Due' });
  const second = new TestTotem(t.url, now);
  assert.equal((await second.enroll(token)).status, 200);
  const secondToken = await second.token();
  const one = await TestKiosk.connect(t.url, totemCredential(t.seed));
  const two = await TestKiosk.connect(t.url, secondToken);

  const forTwo = await requestAction(second.totemId!, 'resync-agenda');
  assert.equal(forTwo.status, 202);
  assert.equal(forTwo.body.status, 'sent');
  const forOne = await requestAction(t.seed.totem.id, 'restart-kiosk');
  assert.deepEqual(await two.nextAction(), { id: forTwo.body.id, kind: 'resync-agenda' });
  // Events on one socket arrive in order: had totem one got the other's action, it would be first.
  assert.deepEqual(await one.nextAction(), { id: forOne.body.id, kind: 'restart-kiosk' });

  const wrongTotem = await requestJson(t.url + routePath(TOTEM_ROUTES.actionResult, { id: forTwo.body.id }), {
    body: { ok: true },
    authorization: `Totem ${totemCredential(t.seed)}`,
  });
  assert.equal(wrongTotem.status, 404, "a totem cannot answer another totem's action");
  const done = await requestJson<RemoteAction>(
    t.url + routePath(TOTEM_ROUTES.actionResult, { id: forTwo.body.id }),
    {
      body: { ok: true, detail: 'full snapshot taken' },
      authorization: `Totem ${secondToken}`,
    },
  );
  assert.equal(done.status, 200);
  assert.equal(done.body.status, 'done');

  // A totem without a socket gets its actions in the answer to its heartbeat.
  one.close();
  await t.server.fleet.whenDisconnected(t.seed.totem.id);
  const logs = await requestAction(t.seed.totem.id, 'request-logs');
  assert.equal(logs.body.status, 'queued');
  const beat = await sendHeartbeat(t.url, totemCredential(t.seed), heartbeatWith('idle'));
  assert.deepEqual(
    beat.body.actions.map((a) => a.id),
    [forOne.body.id, logs.body.id],
  );
  const result = await requestJson(t.url + routePath(TOTEM_ROUTES.actionResult, { id: logs.body.id }), {
    body: { ok: true, data: Buffer.from('log lines').toString('base64'), contentType: 'text/plain' },
    authorization: `Totem ${totemCredential(t.seed)}`,
  });
  assert.equal(result.status, 200);
  const restarted = await requestJson(t.url + routePath(TOTEM_ROUTES.actionResult, { id: forOne.body.id }), {
    body: { ok: true },
    authorization: `Totem ${totemCredential(t.seed)}`,
  });
  assert.equal(restarted.status, 200);
  const read = await requestJson<RemoteAction>(t.url + routePath(F.readAction, { id: logs.body.id }), {
    authorization: asAdmin(),
  });
  assert.equal(Buffer.from(read.body.data!, 'base64').toString(), 'log lines');
  two.close();
  await t.server.fleet.whenDisconnected(second.totemId!);
});

test('a screenshot is refused while the totem is in a call, and allowed on the idle screen', async () => {
  const kiosk = await TestKiosk.connect(t.url, totemCredential(t.seed));
  const op = await TestOperator.signIn(t.url, 'marco', 'marco-test-password');
  await op.setPresence('available');
  assert.ok((await kiosk.request({ kind: 'walk-in' })).ok);
  const ring = await op.nextRing();
  await op.accept(ring.callId);
  await kiosk.nextAccepted();
  assert.equal((await listed(t.seed.totem.id)).status, 'in-call');

  const refused = await requestAction(t.seed.totem.id, 'screenshot');
  assert.equal(refused.status, 409);
  assert.equal(refused.body.code, 'totem-in-call');
  assert.equal(refused.body.message, SCREENSHOT_IN_CALL_MESSAGE);
  assert.equal(kiosk.pendingActions().length, 0, 'nothing was sent to the totem');

  await op.hangUp(ring.callId);
  await kiosk.nextEnded();
  const allowed = await requestAction(t.seed.totem.id, 'screenshot');
  assert.equal(allowed.status, 202);
  assert.equal((await kiosk.nextAction()).kind, 'screenshot');
  op.close();
  kiosk.close();
  await t.server.fleet.whenDisconnected(t.seed.totem.id);
});

test('an operator cannot reach administrative endpoints; a supervisor reads but cannot act', async () => {
  const operator = await signInAccount(t.url, 'giulia', 'giulia-test-password');
  const session = await requestJson<{ operator: { role: string } }>(t.url + OPERATOR_ROUTES.signIn.path, {
    body: { username: 'admin', password: t.seed.admin.password },
  });
  assert.equal(session.body.operator.role, 'administrator', 'sign-in tells the page the role');
  for (const [method, path, body] of [
    ['GET', F.listTotems.path, undefined],
    ['GET', F.listAudit.path, undefined],
    ['POST', F.createEnrollment.path, { siteId: 'centro', totemName: 'X' }],
    ['POST', routePath(F.revokeTotem, { id: t.seed.totem.id }), {}],
    ['POST', routePath(F.requestAction, { id: t.seed.totem.id }), { kind: 'restart-kiosk' }],
  ] as const) {
    const res = await requestJson(`${t.url}${path}`, { method, body, authorization: `Bearer ${operator}` });
    assert.equal(res.status, 403, `${method} ${path}`);
  }
  assert.equal((await requestJson(t.url + F.listTotems.path)).status, 401, 'not signed in');

  await fleetDb(t.server.database.db)
    .insertInto('operators')
    .values({
      id: 'sup-anna',
      username: 'anna',
      display_name: 'Anna Verdi',
      password_hash: await hashPassword('anna-test-password'),
      active: 1,
      role: 'supervisor',
    })
    .execute();
  const supervisor = `Bearer ${await signInAccount(t.url, 'anna', 'anna-test-password')}`;
  assert.equal((await requestJson(t.url + F.listTotems.path, { authorization: supervisor })).status, 200);
  assert.equal((await requestJson(t.url + F.listAudit.path, { authorization: supervisor })).status, 200);
  const enroll = await requestJson(t.url + F.createEnrollment.path, {
    body: { siteId: 'centro', totemName: 'Y' },
    authorization: supervisor,
  });
  assert.equal(enroll.status, 403);
  const revoke = await requestJson(t.url + routePath(F.revokeTotem, { id: t.seed.totem.id }), {
    body: {},
    authorization: supervisor,
  });
  assert.equal(revoke.status, 403);
  const audit = await requestJson<AuditEntry[]>(t.url + F.listAudit.path, { authorization: asAdmin() });
  const denied = audit.body.filter((e) => e.action === 'admin-access-denied');
  assert.deepEqual(
    [...new Set(denied.map((e) => e.actor))].sort(),
    ['anna', 'giulia'],
    'refused attempts are audited with who tried',
  );
});

test('fleet queries use their indexes (EXPLAIN QUERY PLAN)', async () => {
  const { db, sqlite, close } = openDatabase(':memory:');
  await migrateToLatest(db);
  const plan = (sql: string) =>
    (sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
      .map((r) => r.detail)
      .join(' | ');
  assert.match(
    plan("SELECT id FROM totem_heartbeats WHERE totem_id = 't' ORDER BY id DESC LIMIT 1 OFFSET 200"),
    /USING (COVERING )?INDEX totem_heartbeats_totem/,
  );
  assert.match(
    plan(
      "SELECT * FROM remote_actions WHERE totem_id = 't' AND status IN ('queued','sent') ORDER BY requested_at",
    ),
    /USING INDEX remote_actions_totem/,
  );
  assert.match(
    plan("DELETE FROM totem_nonces WHERE seen_at < '2026'"),
    /USING (COVERING )?INDEX totem_nonces_seen/,
  );
  await close();
});
