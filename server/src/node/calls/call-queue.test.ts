// The stored queue through the real server and socket.io clients, on a clock the test moves: the
// dispatcher's timer is off (tickMs 0) and each test calls tick() after moving the clock, so no
// rule here depends on the machine's speed or the time of day.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { SYNC_ROUTES } from '@sportello/protocol';
import { startTestServer, totemCredential, type TestServer } from '../testing/test-server.ts';
import { TestOperator } from '../testing/operator-client.ts';
import { TestKiosk } from '../testing/kiosk-client.ts';
import { hashPassword } from '../auth/secrets.ts';
import { recoverAtStart } from './recovery.ts';

// A Monday 23:58 in Rome: the queue rules must not care about the hour.
const T0 = Date.parse('2030-01-07T22:58:00.000Z');
let clock = T0;
const now = () => new Date(clock);
let t: TestServer;
const open: { close(): void }[] = [];

before(async () => {
  t = await startTestServer(
    {
      calls: { ringTimeoutSeconds: 30, bookedGraceSeconds: 180, maxWaitSeconds: 600 },
      rateLimitPerMinute: 100_000,
    },
    now,
    { tickMs: 0 },
  );
  // A second totem at the same site, for two citizens waiting at once.
  await t.server.database.db
    .insertInto('totems')
    .values({
      id: 'totem-centro-2',
      site_id: 'centro',
      name: 'Totem Mercato',
      secret_hash: await hashPassword('second-totem-secret'),
      created_at: now().toISOString(),
    })
    .execute();
});
after(async () => {
  for (const c of open.splice(0)) c.close();
  await t.close();
});
beforeEach(async () => {
  for (const c of open.splice(0)) c.close();
  // Each test starts with no console on the roster (no waiting for the reconnect grace).
  for (const op of t.server.router.roster.all()) await t.server.router.operatorOffline(op.id);
  // A test that failed half-way leaves nothing waiting for the next one.
  for (const totem of ['totem-centro-1', 'totem-centro-2'])
    await t.server.router.endTotemCalls(totem, 'cancelled');
  await t.server.router.settled();
  clock = T0;
});

/** The first of these consoles to ring with this call. */
function firstRing(callId: string, ...ops: TestOperator[]): Promise<TestOperator> {
  return Promise.race(ops.map((op) => op.ringFor(callId).then(() => op)));
}

const router = () => t.server.router;
const db = () => t.server.database.db;
async function kiosk(second = false): Promise<TestKiosk> {
  // Right after a close the server may still hold the old socket (refused as a clone): try again.
  for (let attempt = 0; ; attempt++) {
    try {
      return await connectKiosk(second);
    } catch (err) {
      // A generous bound (60 s) on a busy machine; each try waits on the server's answer.
      if (attempt >= 1_200) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
async function connectKiosk(second: boolean) {
  const k = await TestKiosk.connect(
    t.url,
    second ? 'totem-centro-2:second-totem-secret' : totemCredential(t.seed),
  );
  open.push(k);
  return k;
}
const tokens = new Map<string, string>();
async function operator(name: 'giulia' | 'marco', presence?: 'available' | 'paused') {
  const token = tokens.get(name);
  const op = token
    ? await TestOperator.connect(t.url, token)
    : await TestOperator.signIn(t.url, name, `${name}-test-password`);
  tokens.set(name, op.token);
  open.push(op);
  if (presence) await op.setPresence(presence);
  return op;
}
async function advance(ms: number) {
  clock += ms;
  await router().tick();
}
const booking = (label: string) => t.seed.bookings.find((b) => b.label === label)!;
async function row(callId: string) {
  return db().selectFrom('calls').selectAll().where('id', '=', callId).executeTakeFirstOrThrow();
}
async function endAll(...callIds: string[]) {
  for (const id of callIds) {
    const r = await row(id);
    if (r.state !== 'ended') await router().hangupByKiosk(r.totem_id, id);
  }
  await router().settled();
}

test(
  'Q-3 a booked citizen waits for their busy operator during the grace, then goes to the office',
  { timeout: 20_000 },
  async () => {
    const giulia = await operator('giulia', 'paused');
    const marco = await operator('marco', 'available');
    const k = await kiosk();
    const b = booking('now');
    const res = await k.request({
      kind: 'booked',
      bookingId: b.bookingId,
      checkInKey: randomUUID(),
      codeHash: b.codeHash,
    });
    assert.ok(res.ok);
    const waiting = await k.statusWhere((s) => s.callId === res.callId);
    assert.equal(waiting.phase, 'grace');
    assert.equal(waiting.position, 1);
    await advance(60_000);
    assert.equal(marco.rings.length, 0, "marco rang during giulia's grace");
    await advance(120_000);
    const ring = await marco.ringFor(res.callId);
    assert.equal(ring.kind, 'booked');
    assert.equal(giulia.rings.length, 0);
    await endAll(res.callId);
    const r = await row(res.callId);
    assert.equal(r.outcome, 'abandoned');
    // The booking is booked again: an abandoned call does not use it up.
    const status = await db()
      .selectFrom('bookings')
      .select('status')
      .where('id', '=', b.bookingId)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, 'booked');
  },
);

test(
  'Q-3 the operator of the booking is offline: straight to the office; their own when free',
  { timeout: 20_000 },
  async () => {
    const marco = await operator('marco', 'available');
    const k = await kiosk();
    const b = booking('now'); // giulia's booking, giulia not connected
    const res = await k.request({
      kind: 'booked',
      bookingId: b.bookingId,
      checkInKey: randomUUID(),
      codeHash: b.codeHash,
    });
    assert.ok(res.ok);
    await marco.ringFor(res.callId);
    await endAll(res.callId);
    // Own operator free: she rings, not the colleague who has been free longer.
    const giulia = await operator('giulia', 'available');
    const again = await k.request({
      kind: 'booked',
      bookingId: b.bookingId,
      checkInKey: randomUUID(),
      codeHash: b.codeHash,
    });
    assert.ok(again.ok);
    await giulia.ringFor(again.callId);
    assert.ok(!marco.rings.some((r) => r.callId === again.callId));
    await endAll(again.callId);
  },
);

test(
  'Q-3 a booked call after the grace goes ahead of a walk-in that came earlier',
  { timeout: 20_000 },
  async () => {
    const marco = await operator('marco', 'paused');
    const giulia = await operator('giulia', 'paused');
    const walkInKiosk = await kiosk(true);
    const w = await walkInKiosk.request({ kind: 'walk-in' });
    assert.ok(w.ok);
    const k = await kiosk();
    const b = await k.request({
      kind: 'booked',
      bookingId: booking('soon').bookingId,
      checkInKey: randomUUID(),
      codeHash: booking('soon').codeHash,
    });
    assert.ok(b.ok);
    await advance(1_000);
    // Both operators are of both offices; the walk-in is at the walk-in office (urp), the booking at
    // anagrafe, so each has position 1 in its office.
    const bs = await walkInKiosk.statusWhere((s) => s.callId === w.callId);
    assert.equal(bs.position, 1);
    await giulia.setPresence('available');
    // Marco (the booking's operator) is paused and in his grace: giulia takes the walk-in.
    await giulia.ringFor(w.callId);
    assert.ok(!marco.rings.some((r) => r.callId === b.callId));
    await endAll(w.callId, b.callId);
  },
);

test(
  'Q-4 a ring not answered goes to the next operator; the one who missed it gets calls again; two in a row pause',
  { timeout: 20_000 },
  async () => {
    const giulia = await operator('giulia', 'available');
    const marco = await operator('marco', 'available');
    const k = await kiosk();
    const res = await k.request({ kind: 'walk-in' });
    assert.ok(res.ok);
    const first = await firstRing(res.callId, giulia, marco);
    const second = first === giulia ? marco : giulia;
    await advance(30_000); // first lets it ring out
    await second.ringFor(res.callId);
    assert.equal((await row(res.callId)).last_missed_by, first === giulia ? 'op-giulia' : 'op-marco');
    await advance(30_000); // second lets it ring out too: back to the first, offered again
    await first.where(
      first.rings,
      'call:ring',
      (r) => r.callId === res.callId && first.rings.filter((x) => x.callId === res.callId).length >= 2,
    );
    await advance(30_000); // first misses a second time in a row: paused, with the reason
    const paused = await first.presenceWhere((p) => p.reason === 'missed-rings');
    assert.deepEqual(paused, { status: 'paused', reason: 'missed-rings', missedRings: 2 });
    assert.equal(router().presenceOf(first === giulia ? 'op-giulia' : 'op-marco')?.reason, 'missed-rings');
    // Setting available again clears it.
    await first.setPresence('available');
    assert.equal(router().presenceOf(first === giulia ? 'op-giulia' : 'op-marco')?.reason, undefined);
    await endAll(res.callId);
  },
);

test(
  'Q-5 past the maximum wait the citizen is offered a call-back and can take it; the number reaches the console',
  { timeout: 20_000 },
  async () => {
    const k = await kiosk();
    const res = await k.request({ kind: 'walk-in' });
    assert.ok(res.ok);
    const giulia = await operator('giulia', 'paused');
    await advance(599_000);
    assert.equal(k.callbackOffers.length, 0);
    await advance(1_000);
    const offer = await k.callbackOfferWhere((o) => o.callId === res.callId);
    assert.equal(offer.waitedSeconds, 600);
    await k.statusWhere((s) => s.callId === res.callId && s.callbackOffered);
    const key = randomUUID();
    const cb = await k.callbackInstead({ callId: res.callId, idempotencyKey: key, phone: '+39 333 1234567' });
    assert.ok(cb.ok);
    const r = await row(res.callId);
    assert.equal(r.outcome, 'missed');
    assert.equal(r.callback_id, cb.callbackId);
    assert.equal(r.ended_at, now().toISOString());
    // The outbox delivering the same key later gets the same call-back, not a second one.
    const replay = await fetch(t.url + SYNC_ROUTES.callbacks, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Totem ${totemCredential(t.seed)}` },
      body: JSON.stringify({
        idempotencyKey: key,
        phone: '+39 333 1234567',
        occurredAt: now().toISOString(),
      }),
    });
    assert.equal(replay.status, 200);
    assert.equal(((await replay.json()) as { callbackId: string }).callbackId, cb.callbackId);
    // Pushed to the console in the same list as the calls.
    const list = await giulia.queueWhere((q) =>
      q.items.some((i) => i.kind === 'callback' && i.id === cb.callbackId),
    );
    assert.ok(list.items.every((i) => i.kind !== 'walk-in' || i.callId !== res.callId));
  },
);

test(
  'Q-5 hanging up while waiting ends the item as abandoned, with its time',
  { timeout: 20_000 },
  async () => {
    const k = await kiosk();
    const res = await k.request({ kind: 'walk-in' });
    assert.ok(res.ok);
    await advance(42_000);
    const ack = await k.hangUp(res.callId);
    assert.ok(ack.ok);
    const r = await row(res.callId);
    assert.equal(r.state, 'ended');
    assert.equal(r.outcome, 'abandoned');
    assert.equal(r.end_reason, 'hangup-kiosk');
    assert.equal(Date.parse(r.ended_at!) - Date.parse(r.created_at), 42_000);
  },
);

test(
  'Q-6 the kiosk sees its position and the estimate change with the queue',
  { timeout: 20_000 },
  async () => {
    const first = await kiosk(true);
    const a = await first.request({ kind: 'walk-in' });
    // Same clock instant on purpose: arrival order still decides (seq), not the random id.
    const k = await kiosk();
    const b = await k.request({ kind: 'walk-in' });
    assert.ok(a.ok && b.ok);
    const giulia = await operator('giulia', 'paused');
    const behind = await k.statusWhere((s) => s.callId === b.callId && s.position === 2);
    assert.equal(behind.estimatedWaitSeconds, null, 'no operator online: no estimate');
    await giulia.setPresence('available');
    await giulia.ringFor(a.callId);
    const withOperator = await k.statusWhere((s) => s.callId === b.callId && s.estimatedWaitSeconds !== null);
    assert.equal(withOperator.position, 2);
    assert.ok(withOperator.estimatedWaitSeconds! > 0);
    await first.hangUp(a.callId);
    await k.statusWhere((s) => s.callId === b.callId && s.position === 1);
    await endAll(b.callId);
  },
);

test(
  'Q-7 a code typed while the walk-in waits makes it the booked call: the booked operator rings',
  { timeout: 20_000 },
  async () => {
    const marco = await operator('marco', 'paused');
    const giulia = await operator('giulia', 'paused');
    const k = await kiosk();
    const res = await k.request({ kind: 'walk-in' });
    assert.ok(res.ok);
    const b = booking('now'); // giulia's
    const up = await k.upgrade({
      callId: res.callId,
      bookingId: b.bookingId,
      checkInKey: randomUUID(),
      codeHash: b.codeHash,
    });
    assert.deepEqual(up, { ok: true, callId: res.callId });
    await k.statusWhere((s) => s.callId === res.callId && s.kind === 'booked');
    await marco.setPresence('available');
    await advance(1_000);
    assert.ok(!marco.rings.some((r) => r.callId === res.callId), 'giulia is in her grace');
    await giulia.setPresence('available');
    const ring = await giulia.ringFor(res.callId);
    assert.equal(ring.kind, 'booked');
    assert.equal(ring.serviceName, "Carta d'identità elettronica");
    // A wrong booking leaves the call as it is.
    const k2 = await kiosk(true);
    const w = await k2.request({ kind: 'walk-in' });
    assert.ok(w.ok);
    const refused = await k2.upgrade({
      callId: w.callId,
      bookingId: b.bookingId,
      checkInKey: randomUUID(),
      codeHash: b.codeHash,
    });
    assert.deepEqual(refused.ok ? 'ok' : refused.reason, 'used');
    assert.equal((await row(w.callId)).kind, 'walk-in');
    await endAll(res.callId, w.callId);
  },
);

test('Q-8 two requests from one totem at once make one call', { timeout: 20_000 }, async () => {
  const k = await kiosk();
  const [a, b] = await Promise.all([k.request({ kind: 'walk-in' }), k.request({ kind: 'walk-in' })]);
  assert.equal([a, b].filter((r) => r.ok).length, 1);
  const live = await db()
    .selectFrom('calls')
    .select('id')
    .where('totem_id', '=', 'totem-centro-1')
    .where('state', '<>', 'ended')
    .execute();
  assert.equal(live.length, 1);
  await endAll(live[0]!.id);
});

test(
  'Q-8 accept racing hang-up, and a console on two tabs: one call, one record, one outcome',
  { timeout: 20_000 },
  async () => {
    const tab1 = await operator('giulia');
    const tab2 = await operator('giulia', 'available');
    const k = await kiosk();
    const res = await k.request({ kind: 'walk-in' });
    assert.ok(res.ok);
    await Promise.all([tab1.ringFor(res.callId), tab2.ringFor(res.callId)]);
    const answers = await Promise.allSettled([tab1.accept(res.callId), tab2.accept(res.callId)]);
    assert.equal(answers.filter((a) => a.status === 'fulfilled').length, 1);
    await k.nextAccepted();
    await k.hangUp(res.callId);
    const r = await row(res.callId);
    assert.equal(r.outcome, 'served');
    // Accept racing the citizen's hang-up.
    const again = await k.request({ kind: 'walk-in' });
    assert.ok(again.ok);
    await tab1.ringFor(again.callId);
    const [acc, hang] = await Promise.allSettled([tab1.accept(again.callId), k.hangUp(again.callId)]);
    assert.equal(hang.status, 'fulfilled');
    await router().settled();
    const r2 = await row(again.callId);
    assert.equal(r2.state, 'ended');
    assert.ok(
      acc.status === 'fulfilled' ? r2.outcome === 'served' : r2.outcome === 'abandoned',
      `outcome ${r2.outcome} with accept ${acc.status}`,
    );
    assert.equal(router().activeCalls(), 0);
  },
);

test(
  'a reconnecting kiosk and console are told the truth: the call they have, or none',
  { timeout: 20_000 },
  async () => {
    const k = await kiosk();
    const res = await k.request({ kind: 'walk-in' });
    assert.ok(res.ok);
    const giulia = await operator('giulia', 'available');
    await giulia.ringFor(res.callId);
    const k2 = await TestKiosk.connect(t.url, totemCredential(t.seed)).catch(() => undefined);
    // The first socket still holds the identity (clone refused); drop it and reconnect.
    k2?.close();
    k.close();
    const back = await kiosk();
    const session = await back.sessionWhere((s) => s.call !== null);
    assert.equal(session.call?.callId, res.callId);
    const console2 = await operator('giulia');
    const cs = await console2.sessionWhere(() => true);
    assert.deepEqual(cs, { call: { phase: 'ringing', callId: res.callId } });
    await back.hangUp(res.callId);
    back.close();
    const last = await kiosk();
    assert.deepEqual(await last.sessionWhere(() => true), { call: null });
    const dump = await router().dump();
    assert.equal(dump.queue.length, 0);
  },
);

test(
  'Q-2 after a restart: a totem back within the grace keeps its place, one back later is offered a call-back, one never back ends abandoned',
  { timeout: 20_000 },
  async () => {
    const k1 = await kiosk();
    const a = await k1.request({ kind: 'walk-in' });
    clock += 1;
    const k2 = await kiosk(true);
    const b = await k2.request({ kind: 'walk-in' });
    assert.ok(a.ok && b.ok);
    k1.close();
    k2.close();
    // What a start does after a crash (the Q-2 child-process test does the real kill -9).
    await recoverAtStart(db(), t.server.log, now());
    assert.notEqual((await row(a.callId)).held_since, null);
    const giulia = await operator('giulia', 'available');
    await advance(1_000);
    assert.equal(giulia.rings.length, 0, 'a held call rang before its totem came back');
    const back = await kiosk();
    const s = await back.sessionWhere((x) => x.call !== null);
    assert.equal(s.call?.callId, a.callId);
    assert.equal(s.call?.phase === 'queued' && s.call.status.callbackOffered, false);
    await giulia.ringFor(a.callId);
    // Totem 2 comes back after the recovery grace: its call is there, with the call-back offer.
    await advance(120_000);
    const late = await kiosk(true);
    const ls = await late.sessionWhere((x) => x.call !== null);
    assert.equal(ls.call?.callId, b.callId);
    assert.equal(ls.call?.phase === 'queued' && ls.call.status.callbackOffered, true);
    await late.callbackOfferWhere((o) => o.callId === b.callId);
    await endAll(a.callId, b.callId);
    back.close();
    late.close();
    // A totem that never comes back: its call ends abandoned after recoveryAbandonSeconds.
    const k3 = await kiosk();
    const c = await k3.request({ kind: 'walk-in' });
    assert.ok(c.ok);
    k3.close();
    await recoverAtStart(db(), t.server.log, now());
    await advance(1_800_000);
    const r = await row(c.callId);
    assert.equal(r.outcome, 'abandoned');
    assert.equal(r.detail, 'totem-did-not-return');
  },
);
