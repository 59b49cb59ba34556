// the wait estimate's error on a simulated day. One office, three operators, citizens
// arriving at random through eight hours (busier at mid-morning), handle times drawn around six
// minutes; the policy serves them and each citizen's estimate at arrival is compared with the wait
// they then had. Seeded pseudo-random numbers and a simulated clock: the same day every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  nextOffers,
  positionsOf,
  type PolicyItem,
  type PolicyOperator,
  type PolicySettings,
} from './queue-policy.ts';
import { estimateWaitMs, HandleTimeWindow } from './wait-estimate.ts';

const S: PolicySettings = {
  bookedGraceMs: 180_000,
  walkInAgeingMs: 300_000,
  missedRetryMs: 30_000,
  maxWaitMs: 600_000,
  missedRingsToPause: 2,
};

/** mulberry32: a small seeded generator, so that the simulated day is the same on every run. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function simulateDay(seed: number) {
  const rand = rng(seed);
  const exp = (mean: number) => -Math.log(1 - rand()) * mean;
  const day = 8 * 3_600_000;
  const ops: PolicyOperator[] = ['a', 'b', 'c'].map((id) => ({
    id,
    officeIds: ['o'],
    status: 'available',
    busy: false,
    freeSince: 0,
  }));
  const busyUntil = new Map<string, number>();
  const handle = new HandleTimeWindow(20, 5 * 60_000);
  const waiting: PolicyItem[] = [];
  const estimates = new Map<string, number>();
  const errors: number[] = [];
  const waits: number[] = [];
  let now = 0;
  let nextArrival = exp(150_000);
  let n = 0;
  while (now < day || waiting.length > 0) {
    const nextEnd = Math.min(...[...busyUntil.values()], Infinity);
    now = Math.min(nextArrival < day ? nextArrival : Infinity, nextEnd);
    if (now === Infinity) break;
    if (now === nextEnd) {
      for (const [id, until] of busyUntil) {
        if (until !== now) continue;
        busyUntil.delete(id);
        const op = ops.find((o) => o.id === id)!;
        op.busy = false;
        op.freeSince = now;
      }
    } else {
      const id = `c${++n}`;
      waiting.push({
        id,
        kind: rand() < 0.4 ? 'booked' : 'walk-in',
        officeId: 'o',
        assignedOperatorId: null,
        queuedAt: now,
        notBefore: null,
        state: 'queued',
        operatorId: null,
        held: false,
        lastMissedBy: null,
        lastMissedAt: null,
      });
      const pos = positionsOf(waiting, new Map(ops.map((o) => [o.id, o])), now, S).get(id)!;
      const free = ops.filter((o) => !o.busy).length;
      estimates.set(id, estimateWaitMs(pos, ops.length, free, handle.mean('o'))!);
      // Mid-morning is busier: arrivals twice as frequent between the second and fourth hour.
      const busy = now > 2 * 3_600_000 && now < 4 * 3_600_000;
      nextArrival = now + exp(busy ? 100_000 : 170_000);
    }
    for (const offer of nextOffers(waiting, ops, now, S)) {
      const i = waiting.findIndex((w) => w.id === offer.itemId);
      const [item] = waiting.splice(i, 1);
      const op = ops.find((o) => o.id === offer.operatorId)!;
      op.busy = true;
      const length = Math.max(60_000, exp(6 * 60_000));
      busyUntil.set(op.id, now + length);
      handle.add('o', length);
      const wait = now - item!.queuedAt;
      waits.push(wait);
      errors.push(Math.abs(estimates.get(item!.id)! - wait));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { citizens: waits.length, meanWaitMs: mean(waits), meanAbsErrorMs: mean(errors) };
}

test('Q-6 the wait estimate on a simulated day: its error is measured and beats saying nothing', () => {
  const runs = [1, 2, 3].map(simulateDay);
  for (const r of runs) {
    console.log(
      `simulated day: ${r.citizens} citizens, mean wait ${(r.meanWaitMs / 1000).toFixed(0)} s, ` +
        `mean absolute error of the estimate ${(r.meanAbsErrorMs / 1000).toFixed(0)} s`,
    );
    assert.ok(r.citizens > 100, 'the simulated day has a real queue');
    // An estimate of 0 for everyone would err by the mean wait; ours must do better.
    assert.ok(r.meanAbsErrorMs < r.meanWaitMs, 'the estimate is worse than no estimate');
  }
});
