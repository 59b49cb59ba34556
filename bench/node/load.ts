// L-1 and L-2 at full size (RELIABILITY.md): 1,000 connected totems, each enrolled with its own key
// and speaking from its own address (X-Forwarded-For through a trusted loopback proxy), 100
// concurrent calls negotiated end to end on the real SFU (rooms, transports, producers, consumers),
// 10 of them carrying the recorded RTP fixture both ways through plain transports; then 200 of the
// totems check in at the same moment. One media worker, so its CPU is one core's.
// Figures: signaling p95 (session:get round trip of every totem at once) idle and with the calls
// up, negotiation time per call, worker CPU per call (ms of CPU per second of call, beyond the
// same calls without media) and what it means in calls per core, and the check-in burst.
import { startTestServer } from '../../server/src/node/testing/test-server.ts';
import { addOperators, enrollTotems, signalingRoundTrips } from '../../server/src/node/testing/load-rig.ts';
import { runL1, runL2 } from '../../server/src/node/testing/load-scenarios.ts';
import { summarize, type Row } from './stats.ts';

export interface LoadBenchOptions {
  totems?: number;
  calls?: number;
  mediaCalls?: number;
  mediaSeconds?: number;
  checkIns?: number;
}

/** Our budget for one signaling round trip at 1,000 connected totems (p95). */
const SIGNALING_P95_MS = 100;

export async function runLoadBench(o: LoadBenchOptions = {}): Promise<Row[]> {
  const totemCount = o.totems ?? 1000;
  const callCount = o.calls ?? 100;
  const mediaCalls = o.mediaCalls ?? 10;
  const mediaSeconds = o.mediaSeconds ?? 10;
  const checkIns = Math.min(o.checkIns ?? 200, totemCount);
  const t = await startTestServer({
    trustProxy: 'loopback',
    rateLimitPerMinute: 1_000_000,
    calls: { ringTimeoutSeconds: 600, maxWaitSeconds: 86_400 },
  });
  const rows: Row[] = [];
  const totems = [];
  const consoles = [];
  try {
    const t0 = performance.now();
    totems.push(...(await enrollTotems(t, totemCount)));
    const enrollS = (performance.now() - t0) / 1000;
    consoles.push(...(await addOperators(t, callCount + 1)));
    const idle = summarize(await signalingRoundTrips(totems));
    rows.push({
      name: `signaling round trip, ${totemCount} totems connected (10 asking at a time)`,
      summary: idle,
      target: `p95 ≤ ${SIGNALING_P95_MS} ms`,
      pass: idle.p95 <= SIGNALING_P95_MS,
      note: `${totemCount} enrolled and connected in ${enrollS.toFixed(1)} s`,
    });
    rows.push({
      name: `signaling round trip, all ${totemCount} totems asking at once`,
      summary: summarize(await signalingRoundTrips(totems, totemCount)),
      note: 'a burst: the p95 is the time to answer all of them',
    });
    const l1 = await runL1(t, totems, consoles.slice(0, callCount), {
      mediaCalls,
      mediaSeconds,
      idleSeconds: mediaSeconds / 2,
    });
    const busy = summarize(l1.signalingMs);
    const assignedOnce = l1.calls.every((c) => c.acceptedBy.length === 1);
    const complete = l1.rooms.every(
      (r) => r.peers.kiosk?.consumers === 2 && r.peers.operator?.consumers === 2,
    );
    rows.push({
      name: `signaling round trip, ${totemCount} totems and ${callCount} calls up (10 at a time)`,
      summary: busy,
      target: `p95 ≤ ${SIGNALING_P95_MS} ms`,
      pass: busy.p95 <= SIGNALING_P95_MS,
    });
    rows.push({
      name: `call negotiation (accept → both peers' consumers), ${callCount} at once`,
      summary: summarize(l1.calls.map((c) => c.negotiateMs)),
      note: `${l1.calls.length}/${callCount} calls up, assigned once: ${assignedOnce ? 'yes' : 'NO'}, all consumers: ${complete ? 'yes' : 'NO'}`,
    });
    const perCall = (l1.workerCpu.replayMsPerSecond - l1.workerCpu.idleMsPerSecond) / mediaCalls;
    const received = l1.media.receivedPerLeg.reduce((a, b) => a + b, 0);
    rows.push({
      name: `worker CPU per call with media (ms CPU per s of call; ${mediaCalls} calls, both ways)`,
      value: perCall,
      note:
        `≈ ${Math.floor(1000 / perCall)} calls per core; worker ${l1.workerCpu.replayMsPerSecond.toFixed(1)} ms/s ` +
        `replaying, ${l1.workerCpu.idleMsPerSecond.toFixed(1)} ms/s idle with ${callCount} calls up; ` +
        `${received}/${l1.media.sentPerLeg * l1.media.legs} packets through`,
    });
    await l1.end();

    const l2 = await runL2(t, totems.slice(0, checkIns), consoles[callCount]!, { serve: 10 });
    const once =
      l2.checkInRows.size === checkIns &&
      [...l2.checkInRows.values()].every((n) => n === 1) &&
      [...l2.callRows.values()].every((n) => n === 1);
    const fair =
      l2.arrivalOrder.every((id, i) => l2.positions.get(id) === i + 1) &&
      l2.served.every((id, i) => l2.arrivalOrder[i] === id);
    rows.push({
      name: `check-in answer, ${checkIns} totems in the same second`,
      summary: summarize(l2.answers.map((a) => a.ms)),
      note: `${l2.answers.filter((a) => a.callId).length}/${checkIns} calls made, recorded once: ${once ? 'yes' : 'NO'}, queue order fair: ${fair ? 'yes' : 'NO'}`,
    });
    await l2.end();
    return rows;
  } finally {
    for (const x of totems) x.close();
    for (const c of consoles) c.close();
    await t.close();
  }
}
