import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { OPERATOR_ROUTES } from '@sportello/protocol';
import { startTestServer, totemCredential, type TestServer } from '../testing/test-server.ts';
import { TestOperator } from '../testing/operator-client.ts';
import { TestKiosk } from '../testing/kiosk-client.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

async function acceptedWalkIn(kiosk: TestKiosk, op: TestOperator) {
  const res = await kiosk.request({ kind: 'walk-in' });
  assert.ok(res.ok);
  const ring = await op.nextRing();
  await op.accept(ring.callId);
  await kiosk.nextAccepted();
  return ring.callId;
}

test('W-7 the SFU worker dies mid-call: both sides told, worker replaced, the next call works', async () => {
  const kiosk = await TestKiosk.connect(t.url, totemCredential(t.seed));
  const op = await TestOperator.signIn(t.url, 'giulia', 'giulia-test-password');
  await op.setPresence('available');
  const callId = await acceptedWalkIn(kiosk, op);
  const [pid] = t.server.pool.pids();
  const replaced = once(t.server.pool, 'workerReplaced');
  process.kill(pid!, 'SIGKILL');
  const [toKiosk, toOperator] = await Promise.all([kiosk.nextEnded(), op.nextEnd()]);
  assert.deepEqual(toKiosk, { callId, reason: 'media-failure' });
  assert.equal(toOperator.reason, 'media-failure');
  await replaced;
  assert.equal(t.server.pool.size, 1);
  const record = await t.server.database.db
    .selectFrom('calls')
    .selectAll()
    .where('id', '=', callId)
    .executeTakeFirstOrThrow();
  assert.equal(record.end_reason, 'media-failure');
  // The next call gets a room on the new worker.
  const next = await acceptedWalkIn(kiosk, op);
  assert.ok(t.server.router.roomFor(next));
  await op.hangUp(next);
  await kiosk.nextEnded();
  kiosk.close();
  op.close();
});

test('W-7 the operator console closes mid-call: the kiosk is told within the grace period', async () => {
  const kiosk = await TestKiosk.connect(t.url, totemCredential(t.seed));
  const op = await TestOperator.signIn(t.url, 'marco', 'marco-test-password');
  await op.setPresence('available');
  const callId = await acceptedWalkIn(kiosk, op);
  const closedAt = Date.now();
  op.close();
  const ended = await kiosk.nextEnded();
  assert.deepEqual(ended, { callId, reason: 'connection-lost' });
  // Figure printed for the record; the 5 s budget is the configured grace (3 s) plus delivery.
  console.log(`kiosk told ${Date.now() - closedAt} ms after the console closed`);
  assert.equal(t.server.router.activeCalls(), 0);
  kiosk.close();
});

test('W-8 the citizen hangs up while the operator answers: exactly one call record, no stuck state', async () => {
  const kiosk = await TestKiosk.connect(t.url, totemCredential(t.seed));
  const op = await TestOperator.signIn(t.url, 'giulia', 'giulia-test-password');
  await op.setPresence('available');
  const res = await kiosk.request({ kind: 'walk-in' });
  assert.ok(res.ok);
  const ring = await op.nextRing();
  const [hangup, accept] = await Promise.allSettled([
    kiosk.socket.emitWithAck('call:hangup', { callId: ring.callId }),
    op.accept(ring.callId),
  ]);
  assert.equal(hangup.status, 'fulfilled');
  assert.ok(accept.status === 'fulfilled' || accept.status === 'rejected');
  const rows = await t.server.database.db
    .selectFrom('calls')
    .selectAll()
    .where('id', '=', ring.callId)
    .execute();
  assert.equal(rows.length, 1);
  assert.ok(rows[0]!.ended_at, 'the call is recorded as ended');
  assert.equal(t.server.router.activeCalls(), 0);
  // The operator is free again: a new call rings.
  assert.ok((await kiosk.request({ kind: 'walk-in' })).ok);
  const again = await op.nextRing();
  await op.decline(again.callId);
  await kiosk.socket.emitWithAck('call:hangup', { callId: again.callId });
  kiosk.close();
  op.close();
});

test('a totem with a wrong credential and an operator without a session are refused', async () => {
  await assert.rejects(TestKiosk.connect(t.url, 'totem-centro-1:wrong'), /totem credential refused/);
  const res = await fetch(t.url + OPERATOR_ROUTES.listCalls.path);
  assert.equal(res.status, 401);
});
