// the pure policy under random interleavings of arrivals, accepts, declines, ring timeouts,
// console disconnects, kiosk hang-ups and restarts, driven by fast-check against a small model of
// the stored queue (the same transitions as call-store.ts). No sockets, no database, fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  nextOffers,
  phaseOf,
  positionsOf,
  rankKey,
  reservedFor,
  servingOrder,
  type PolicyItem,
  type PolicyOperator,
  type PolicySettings,
} from './queue-policy.ts';

const S: PolicySettings = {
  bookedGraceMs: 180_000,
  walkInAgeingMs: 300_000,
  missedRetryMs: 30_000,
  maxWaitMs: 600_000,
  missedRingsToPause: 2,
};
const RING_MS = 30_000;
const OFFICES = ['a', 'b'];
const OPS: { id: string; officeIds: string[] }[] = [
  { id: 'op1', officeIds: ['a'] },
  { id: 'op2', officeIds: ['a', 'b'] },
  { id: 'op3', officeIds: ['b'] },
];

type Outcome = 'served' | 'abandoned' | 'failed' | 'cancelled';
interface ModelItem extends PolicyItem {
  outcome: Outcome | null;
  offeredAt: number | null;
}
interface Model {
  now: number;
  items: ModelItem[];
  ops: Map<string, PolicyOperator & { missed: number }>;
  seq: number;
}

type Cmd =
  | { t: 'arrive'; kind: 'booked' | 'walk-in'; office: number; assigned: number | null }
  | { t: 'accept'; op: number }
  | { t: 'decline'; op: number }
  | { t: 'advance'; ms: number }
  | { t: 'connect'; op: number }
  | { t: 'disconnect'; op: number }
  | { t: 'presence'; op: number; status: 'available' | 'paused' }
  | { t: 'hangup'; item: number }
  | { t: 'end'; op: number }
  | { t: 'restart' };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    t: fc.constant('arrive' as const),
    kind: fc.constantFrom('booked' as const, 'walk-in' as const),
    office: fc.integer({ min: 0, max: 1 }),
    assigned: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  }),
  fc.record({ t: fc.constant('accept' as const), op: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ t: fc.constant('decline' as const), op: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 1_000, max: 400_000 }) }),
  fc.record({ t: fc.constant('connect' as const), op: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ t: fc.constant('disconnect' as const), op: fc.integer({ min: 0, max: 2 }) }),
  fc.record({
    t: fc.constant('presence' as const),
    op: fc.integer({ min: 0, max: 2 }),
    status: fc.constantFrom('available' as const, 'paused' as const),
  }),
  fc.record({ t: fc.constant('hangup' as const), item: fc.nat() }),
  fc.record({ t: fc.constant('end' as const), op: fc.integer({ min: 0, max: 2 }) }),
  fc.constant({ t: 'restart' as const }),
);

function live(m: Model): ModelItem[] {
  return m.items.filter((i) => i.outcome === null);
}

function endItem(item: ModelItem, outcome: Outcome): void {
  // Exactly one outcome: a second end of the same item is a bug.
  assert.equal(item.outcome, null, `item ${item.id} ended twice`);
  item.outcome = outcome;
}

function holding(m: Model): Set<string> {
  return new Set(live(m).flatMap((i) => (i.state !== 'queued' && i.operatorId ? [i.operatorId] : [])));
}

function policyOps(m: Model): PolicyOperator[] {
  const held = holding(m);
  return [...m.ops.values()].map((o) => ({ ...o, busy: held.has(o.id) }));
}

/** The dispatcher's loop on the model, with the invariants every offer must respect. */
function dispatch(m: Model): void {
  // Rings that ran out go back to the queue; N in a row pause the console.
  for (const item of live(m)) {
    if (item.state === 'offered' && m.now - item.offeredAt! >= RING_MS) {
      const op = m.ops.get(item.operatorId!);
      item.state = 'queued';
      item.lastMissedBy = item.operatorId;
      item.lastMissedAt = m.now;
      item.operatorId = null;
      if (op && ++op.missed >= S.missedRingsToPause) op.status = 'paused';
    }
  }
  const ops = policyOps(m);
  const byId = new Map(ops.map((o) => [o.id, o]));
  const items = live(m);
  const offers = nextOffers(items, ops, m.now, S);
  const offeredOps = new Set<string>();
  const offeredItems = new Set<string>();
  for (const offer of offers) {
    const item = items.find((i) => i.id === offer.itemId)!;
    const op = byId.get(offer.operatorId)!;
    assert.ok(!offeredOps.has(op.id), 'one operator offered two items at once');
    assert.ok(!offeredItems.has(item.id), 'one item offered to two operators at once');
    offeredOps.add(op.id);
    offeredItems.add(item.id);
    assert.equal(item.state, 'queued');
    assert.equal(op.status, 'available');
    assert.ok(!op.busy, 'offered to a busy operator');
    assert.ok(op.officeIds.includes(item.officeId), 'offered outside the office');
    assert.ok(!item.held);
    const reserved = reservedFor(item, byId, m.now, S);
    if (reserved !== null) assert.equal(op.id, reserved, 'a booked item in its grace went to someone else');
    // Nothing this operator could have taken ranks ahead, unless it went to someone else now.
    for (const other of items) {
      if (other === item || other.state !== 'queued' || offeredItems.has(other.id)) continue;
      if (offers.some((o) => o.itemId === other.id)) continue;
      const r = reservedFor(other, byId, m.now, S);
      const takable =
        op.officeIds.includes(other.officeId) &&
        !other.held &&
        (r === null || r === op.id) &&
        !(other.lastMissedBy === op.id && m.now - other.lastMissedAt! < S.missedRetryMs);
      if (takable) assert.ok(rankKey(other, S) >= rankKey(item, S), 'served out of the documented order');
    }
    item.state = 'offered';
    item.operatorId = op.id;
    item.offeredAt = m.now;
  }
  const offeredNow = live(m).filter((i) => i.state !== 'queued');
  assert.equal(
    new Set(offeredNow.map((i) => i.operatorId)).size,
    offeredNow.length,
    'operator holds two items',
  );
  // Positions are 1..n within an office and phases are consistent with the state.
  const positions = positionsOf(live(m), byId, m.now, S);
  for (const item of live(m)) {
    if (item.state === 'accepted') continue;
    assert.ok((positions.get(item.id) ?? 0) >= 1);
    if (item.state === 'offered') assert.equal(phaseOf(item, byId, m.now, S), 'ringing');
  }
}

function apply(m: Model, c: Cmd): void {
  const opId = 'op' in c ? OPS[c.op]!.id : '';
  switch (c.t) {
    case 'arrive': {
      const office = OFFICES[c.office]!;
      const assigned = c.kind === 'booked' && c.assigned !== null ? OPS[c.assigned]!.id : null;
      m.items.push({
        id: `i${++m.seq}`,
        kind: c.kind,
        officeId: office,
        assignedOperatorId: assigned,
        queuedAt: m.now,
        notBefore: null,
        state: 'queued',
        operatorId: null,
        held: false,
        lastMissedBy: null,
        lastMissedAt: null,
        outcome: null,
        offeredAt: null,
      });
      break;
    }
    case 'accept': {
      const item = live(m).find((i) => i.state === 'offered' && i.operatorId === opId);
      if (item) {
        item.state = 'accepted';
        m.ops.get(opId)!.missed = 0;
      }
      break;
    }
    case 'decline': {
      const item = live(m).find((i) => i.state === 'offered' && i.operatorId === opId);
      if (item) {
        item.state = 'queued';
        item.operatorId = null;
        item.lastMissedBy = opId;
        item.lastMissedAt = m.now;
      }
      break;
    }
    case 'advance':
      m.now += c.ms;
      break;
    case 'connect':
      if (!m.ops.has(opId))
        m.ops.set(opId, { ...OPS[c.op]!, status: 'paused', busy: false, freeSince: m.now, missed: 0 });
      break;
    case 'disconnect':
      m.ops.delete(opId);
      for (const item of live(m)) {
        if (item.operatorId !== opId) continue;
        if (item.state === 'accepted') endItem(item, 'failed');
        else {
          item.state = 'queued';
          item.operatorId = null;
        }
      }
      break;
    case 'presence': {
      const op = m.ops.get(opId);
      if (op && !live(m).some((i) => i.state === 'accepted' && i.operatorId === opId)) {
        op.status = c.status;
        op.missed = 0;
        op.freeSince = m.now;
      }
      break;
    }
    case 'hangup': {
      const items = live(m);
      const item = items[c.item % Math.max(1, items.length)];
      if (item) endItem(item, item.state === 'accepted' ? 'served' : 'abandoned');
      break;
    }
    case 'end': {
      const item = live(m).find((i) => i.state === 'accepted' && i.operatorId === opId);
      if (item) {
        endItem(item, 'served');
        m.ops.get(opId)!.freeSince = m.now;
      }
      break;
    }
    case 'restart':
      // Calls in progress are interrupted; ringing items go back, keeping their place.
      for (const item of live(m)) {
        if (item.state === 'accepted') endItem(item, 'failed');
        else {
          item.state = 'queued';
          item.operatorId = null;
        }
      }
      m.ops.clear();
      break;
  }
}

test('Q-1 random interleavings: never two at once, documented order, one outcome each, nobody left waiting', () => {
  fc.assert(
    fc.property(fc.array(cmd, { maxLength: 80 }), (cmds) => {
      const m: Model = { now: Date.UTC(2030, 0, 7, 8), items: [], ops: new Map(), seq: 0 };
      for (const c of cmds) {
        apply(m, c);
        dispatch(m);
      }
      // Drain: every operator available, every call answered and ended. All items must end.
      for (let i = 0; i < OPS.length; i++) {
        apply(m, { t: 'connect', op: i });
        apply(m, { t: 'presence', op: i, status: 'available' });
      }
      for (let round = 0; round < 4 * m.items.length + 10 && live(m).length > 0; round++) {
        dispatch(m);
        for (let i = 0; i < OPS.length; i++) {
          apply(m, { t: 'accept', op: i });
          apply(m, { t: 'end', op: i });
        }
        m.now += S.bookedGraceMs;
      }
      assert.deepEqual(
        live(m).map((i) => i.id),
        [],
        'an item was left waiting with every operator free',
      );
      for (const item of m.items) assert.notEqual(item.outcome, null);
    }),
    { numRuns: 300 },
  );
});

test('Q-1 booked first to its own operator, grace when busy, office after the grace or when offline', () => {
  const t0 = Date.UTC(2030, 0, 7, 8);
  const item = (over: Partial<PolicyItem>): PolicyItem => ({
    id: 'x',
    kind: 'booked',
    officeId: 'a',
    assignedOperatorId: 'op1',
    queuedAt: t0,
    notBefore: null,
    state: 'queued',
    operatorId: null,
    held: false,
    lastMissedBy: null,
    lastMissedAt: null,
    ...over,
  });
  const op = (id: string, over: Partial<PolicyOperator> = {}): PolicyOperator => ({
    id,
    officeIds: ['a'],
    status: 'available',
    busy: false,
    freeSince: 0,
    ...over,
  });
  // Own operator free: theirs, even if a colleague has been free longer.
  assert.deepEqual(
    nextOffers([item({})], [op('op2', { freeSince: -1 }), op('op1', { freeSince: 5 })], t0, S),
    [{ itemId: 'x', operatorId: 'op1' }],
  );
  // Own operator busy: it waits during the grace; a walk-in behind goes to the colleague.
  const walkIn = item({ id: 'w', kind: 'walk-in', assignedOperatorId: null, queuedAt: t0 - 60_000 });
  const busy = [op('op1', { busy: true }), op('op2')];
  assert.deepEqual(nextOffers([item({}), walkIn], busy, t0 + 1_000, S), [{ itemId: 'w', operatorId: 'op2' }]);
  assert.equal(phaseOf(item({}), new Map(busy.map((o) => [o.id, o])), t0 + 1_000, S), 'grace');
  // After the grace: to the colleague, ahead of the walk-in that came earlier.
  assert.deepEqual(nextOffers([walkIn, item({})], busy, t0 + S.bookedGraceMs, S), [
    { itemId: 'x', operatorId: 'op2' },
  ]);
  // Own operator paused: the same grace.
  assert.deepEqual(nextOffers([item({})], [op('op1', { status: 'paused' }), op('op2')], t0 + 1_000, S), []);
  // Own operator offline: straight to the office.
  assert.deepEqual(nextOffers([item({})], [op('op2')], t0, S), [{ itemId: 'x', operatorId: 'op2' }]);
  // Early arrival: not before its window opens.
  assert.deepEqual(nextOffers([item({ notBefore: t0 + 60_000 })], [op('op1')], t0, S), []);
  assert.deepEqual(nextOffers([item({ notBefore: t0 + 60_000 })], [op('op1')], t0 + 60_000, S), [
    { itemId: 'x', operatorId: 'op1' },
  ]);
  // Missed ring: to the next operator; the one who missed it gets it again after the retry time.
  const missed = item({ assignedOperatorId: null, lastMissedBy: 'op1', lastMissedAt: t0 });
  assert.deepEqual(nextOffers([missed], [op('op1'), op('op2', { freeSince: 9 })], t0 + 1, S), [
    { itemId: 'x', operatorId: 'op2' },
  ]);
  assert.deepEqual(nextOffers([missed], [op('op1')], t0 + 1, S), []);
  assert.deepEqual(nextOffers([missed], [op('op1')], t0 + S.missedRetryMs, S), [
    { itemId: 'x', operatorId: 'op1' },
  ]);
});

test('Q-1 ageing: a walk-in that has waited longer than the ageing goes ahead of new bookings', () => {
  const t0 = Date.UTC(2030, 0, 7, 8);
  const base = {
    officeId: 'a',
    assignedOperatorId: null,
    notBefore: null,
    state: 'queued' as const,
    operatorId: null,
    held: false,
    lastMissedBy: null,
    lastMissedAt: null,
  };
  const walkIn: PolicyItem = { ...base, id: 'w', kind: 'walk-in', queuedAt: t0 };
  const soonBooked: PolicyItem = { ...base, id: 'b1', kind: 'booked', queuedAt: t0 + S.walkInAgeingMs - 1 };
  const lateBooked: PolicyItem = { ...base, id: 'b2', kind: 'booked', queuedAt: t0 + S.walkInAgeingMs + 1 };
  assert.deepEqual(
    servingOrder([walkIn, soonBooked, lateBooked], S).map((i) => i.id),
    ['b1', 'w', 'b2'],
  );
});
