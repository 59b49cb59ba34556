// L-1 and L-2 (RELIABILITY.md) with bounded counts, against one real server (SQLite, socket.io,
// mediasoup) on loopback: simulated totems, each enrolled with its own key and speaking from its own
// address through the trusted-proxy header; no browsers. The full counts (1,000 totems, 100 calls)
// and the figures are in `npm run bench` (bench/node/load.ts). Nothing here is timed: latencies
// and CPU are printed for the record.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { addOperators, enrollTotems, percentile, type SimTotem } from '../testing/load-rig.ts';
import { runL1, runL2 } from '../testing/load-scenarios.ts';
import type { TestOperator } from '../testing/operator-client.ts';

const TOTEMS = 200;
const CALLS = 20;
const MEDIA_CALLS = 2;

let t: TestServer;
let totems: SimTotem[] = [];
let consoles: TestOperator[] = [];

before(async () => {
  t = await startTestServer({
    trustProxy: 'loopback',
    rateLimitPerMinute: 1_000_000,
    calls: { ringTimeoutSeconds: 600, maxWaitSeconds: 86_400 },
  });
  totems = await enrollTotems(t, TOTEMS);
  consoles = await addOperators(t, CALLS + 1);
});
after(async () => {
  for (const x of totems) x.close();
  for (const c of consoles) c.close();
  await t.close();
});

test(`L-1 ${TOTEMS} connected totems and ${CALLS} concurrent calls negotiated end to end, ${MEDIA_CALLS} with real media: no call lost, none assigned twice`, async () => {
  const r = await runL1(t, totems, consoles.slice(0, CALLS), { mediaCalls: MEDIA_CALLS, mediaSeconds: 1 });
  try {
    assert.equal(new Set(r.requested).size, CALLS, 'every request made its own call');
    assert.deepEqual(
      r.calls.map((c) => c.acceptedBy.length),
      Array(CALLS).fill(1),
      'each call answered by exactly one console',
    );
    assert.equal(new Set(r.calls.map((c) => c.acceptedBy[0])).size, CALLS, 'no console holds two calls');
    const rows = await t.server.database.db
      .selectFrom('calls')
      .select(['id', 'state', 'operator_id'])
      .where('id', 'in', r.requested)
      .execute();
    assert.equal(rows.length, CALLS);
    assert.ok(rows.every((row) => row.state === 'accepted' && row.operator_id));
    for (const room of r.rooms) {
      for (const role of ['kiosk', 'operator'] as const) {
        const peer = room.peers[role];
        assert.deepEqual(
          peer && { transports: peer.transports, producers: peer.producers, consumers: peer.consumers },
          { transports: 2, producers: 2, consumers: 2 },
          `${role} of ${room.callId}`,
        );
      }
    }
    assert.equal(r.signalingMs.length, TOTEMS, 'every totem answered on signaling');
    assert.ok(r.media.sentPerLeg > 0);
    for (const received of r.media.receivedPerLeg) {
      assert.ok(
        received >= 0.9 * r.media.sentPerLeg,
        `media forwarded by the SFU: ${received}/${r.media.sentPerLeg}`,
      );
    }
    console.log(
      `L-1 (${TOTEMS} totems, ${CALLS} calls): signaling p95 ${percentile(r.signalingMs, 95).toFixed(1)} ms, ` +
        `negotiation p95 ${percentile(
          r.calls.map((c) => c.negotiateMs),
          95,
        ).toFixed(0)} ms, ` +
        `worker CPU ${r.workerCpu.replayMsPerSecond.toFixed(0)} ms/s with ${MEDIA_CALLS} media calls, ` +
        `${r.media.receivedPerLeg.reduce((a, b) => a + b, 0)}/${r.media.sentPerLeg * r.media.legs} RTP packets through`,
    );
  } finally {
    await r.end();
  }
});

test(`L-2 ${TOTEMS} totems check in at the same second: every check-in recorded once, queue order fair, no call lost or assigned twice`, async () => {
  const r = await runL2(t, totems, consoles[CALLS]!, { serve: 10 });
  try {
    const refused = r.answers.filter((a) => !a.callId);
    assert.deepEqual(refused, [], 'every check-in made a call');
    assert.equal(new Set(r.answers.map((a) => a.callId)).size, TOTEMS, 'no two check-ins share a call');
    assert.ok(
      [...r.checkInRows.values()].every((n) => n === 1) && r.checkInRows.size === TOTEMS,
      'recorded once',
    );
    assert.ok([...r.callRows.values()].every((n) => n === 1) && r.callRows.size === TOTEMS, 'one call each');
    // Fair: the queue is in the order the check-ins arrived, as the totems are told, and as served.
    assert.equal(r.arrivalOrder.length, TOTEMS);
    assert.deepEqual(
      r.arrivalOrder.map((id) => r.positions.get(id)),
      Array.from({ length: TOTEMS }, (_, i) => i + 1),
      'positions follow arrival',
    );
    assert.deepEqual(r.served, r.arrivalOrder.slice(0, r.served.length), 'served in arrival order');
    console.log(
      `L-2 (${TOTEMS} at once): check-in answer p95 ${percentile(
        r.answers.map((a) => a.ms),
        95,
      ).toFixed(0)} ms`,
    );
  } finally {
    await r.end();
  }
});
