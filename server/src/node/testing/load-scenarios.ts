// The load scenarios L-1 and L-2 (RELIABILITY.md) as runs that return what happened; the bounded
// tests (calls/load.test.ts) assert on it, `npm run bench` (bench/node/load.ts) prints its figures.
import { EVENTS } from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import type { TestServer } from './test-server.ts';
import type { TestOperator } from './operator-client.ts';
import { MediaPeer } from './media-peer.ts';
import { addBookings, signalingRoundTrips, type SimTotem } from './load-rig.ts';
import { cpuMsOf, openLeg, replay, type MediaLeg } from './rtp-replay.ts';

export interface CallRun {
  callId: string;
  totem: SimTotem;
  /** Operators whose accept of this call succeeded (exactly one when nothing is assigned twice). */
  acceptedBy: string[];
  kiosk: MediaPeer;
  operator: MediaPeer;
  /** Accept (operator's ack) → both peers joined with both consumers offered, ms. */
  negotiateMs: number;
}

export interface L1Result {
  requested: string[];
  calls: CallRun[];
  /** Room counts per call after negotiation (Room.dump()). */
  rooms: ReturnType<NonNullable<ReturnType<TestServer['server']['router']['roomFor']>>['dump']>[];
  /** session:get round trips of every connected totem (10 at a time), with the calls up. */
  signalingMs: number[];
  media: { legs: number; sentPerLeg: number; receivedPerLeg: number[]; seconds: number };
  /** Worker CPU, ms per second of wall time: while replaying, and idle (same calls, no media). */
  workerCpu: { replayMsPerSecond: number; idleMsPerSecond: number };
  /** Hangs every call up and closes the peers. */
  end(): Promise<void>;
}

function workerCpuMs(t: TestServer): number {
  return t.server.pool.pids().reduce((sum, pid) => sum + cpuMsOf(pid), 0);
}

/** Worker CPU over `seconds` while `during` runs (or just waiting), ms per second. */
async function cpuOver(t: TestServer, seconds: number, during?: () => Promise<unknown>): Promise<number> {
  const c0 = workerCpuMs(t);
  const t0 = performance.now();
  if (during) await during();
  else await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return (workerCpuMs(t) - c0) / ((performance.now() - t0) / 1000);
}

/**
 * L-1: `totems` connected (already enrolled), `operators.length` concurrent calls negotiated end to
 * end, `mediaCalls` of them carrying the RTP fixture both ways for `mediaSeconds`.
 */
export async function runL1(
  t: TestServer,
  totems: readonly SimTotem[],
  operators: readonly TestOperator[],
  o: { mediaCalls: number; mediaSeconds: number; idleSeconds?: number },
): Promise<L1Result> {
  const count = operators.length;
  const acceptedBy = new Map<string, string[]>();
  const acceptedAt = new Map<string, number>();
  const operatorTokens = new Map<string, string>();
  // Every console accepts the first call that rings it.
  const answered = operators.map(async (op, i) => {
    const ring = await op.nextRing();
    const token = await op.accept(ring.callId);
    acceptedAt.set(ring.callId, performance.now());
    operatorTokens.set(ring.callId, token);
    acceptedBy.set(ring.callId, [...(acceptedBy.get(ring.callId) ?? []), `load-op-${i}`]);
  });
  for (const op of operators) await op.setPresence('available');
  const callers = totems.slice(0, count);
  const answers = await Promise.all(callers.map((x) => x.request({ kind: 'walk-in' })));
  const requested = answers.map((a, i) => {
    if (!a.ok) throw new Error(`call request of totem ${callers[i]!.id} refused: ${a.error}`);
    return a.callId;
  });
  await Promise.all(answered);
  await Promise.all(callers.map((x) => x.until(() => x.accepted.length > 0)));
  const calls = await Promise.all(
    callers.map(async (totem, i): Promise<CallRun> => {
      const callId = requested[i]!;
      const [kiosk, operator] = await Promise.all([
        MediaPeer.connect(t.url, totem.accepted[0]!.mediaToken),
        MediaPeer.connect(t.url, operatorTokens.get(callId)!),
      ]);
      await Promise.all([kiosk.join(100_000 + i * 10), operator.join(100_000 + i * 10 + 5)]);
      await Promise.all([kiosk.consumersOffered(2), operator.consumersOffered(2)]);
      return {
        callId,
        totem,
        acceptedBy: acceptedBy.get(callId) ?? [],
        kiosk,
        operator,
        negotiateMs: performance.now() - acceptedAt.get(callId)!,
      };
    }),
  );
  const rooms = calls.map((c) => t.server.router.roomFor(c.callId)!.dump());
  const signalingMs = await signalingRoundTrips(totems);

  const idleMsPerSecond = await cpuOver(t, o.idleSeconds ?? 0);
  const legs: (MediaLeg & { send: (p: Buffer) => void; ssrcBase: number })[] = [];
  for (const [i, c] of calls.slice(0, o.mediaCalls).entries()) {
    const router = t.server.router.roomFor(c.callId)!.router;
    for (const side of [0, 1]) {
      const ssrcBase = 500_000 + i * 10 + side * 5;
      legs.push({ ...(await openLeg(router, ssrcBase)), ssrcBase });
    }
  }
  let sentPerLeg = 0;
  const replayMsPerSecond = await cpuOver(t, o.mediaSeconds, async () => {
    sentPerLeg = await replay(legs, o.mediaSeconds);
  });
  // The last packets are on their way through the worker: wait for them (bounded), not a fixed time.
  const bound = Date.now() + 10_000;
  while (legs.some((l) => l.received() < sentPerLeg) && Date.now() < bound) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const receivedPerLeg = legs.map((l) => l.received());
  for (const l of legs) l.close();

  return {
    requested,
    calls,
    rooms,
    signalingMs,
    media: { legs: legs.length, sentPerLeg, receivedPerLeg, seconds: o.mediaSeconds },
    workerCpu: { replayMsPerSecond, idleMsPerSecond },
    async end() {
      for (const c of calls) {
        c.kiosk.close();
        c.operator.close();
      }
      await Promise.all(
        calls.map(async (c) => {
          await operators[Number(c.acceptedBy[0]!.slice('load-op-'.length))]!.hangUp(c.callId);
          await c.totem.until(() => c.totem.ended.some((e) => e.callId === c.callId));
        }),
      );
      for (const op of operators) await op.setPresence('paused');
    },
  };
}

export interface L2Result {
  /** Per check-in: the call it made (undefined if refused), and its answer time in ms. */
  answers: { totemId: string; bookingId: string; callId: string | undefined; error?: string; ms: number }[];
  /** check_ins rows per booking of the run. */
  checkInRows: Map<string, number>;
  /** Booked call items per booking of the run. */
  callRows: Map<string, number>;
  /** The queue positions the totems are told, by call id. */
  positions: Map<string, number>;
  /** Call ids in the order the server recorded the check-ins (received_at, then call seq). */
  arrivalOrder: string[];
  /** The first `serve` calls in the order one operator was offered them. */
  served: string[];
  /** Abandons every call still waiting. */
  end(): Promise<void>;
}

/** L-2: every totem checks in for its own booking at the same moment; then one operator serves `serve`. */
export async function runL2(
  t: TestServer,
  totems: readonly SimTotem[],
  server: TestOperator,
  o: { serve: number },
): Promise<L2Result> {
  const db = t.server.database.db;
  const bookings = await addBookings(t, totems.length, new Date());
  const answers = await Promise.all(
    totems.map(async (x, i) => {
      const b = bookings[i]!;
      const t0 = performance.now();
      const res = await x.request({
        kind: 'booked',
        bookingId: b.bookingId,
        checkInKey: randomUUID(),
        codeHash: b.codeHash,
      });
      return {
        totemId: x.id,
        bookingId: b.bookingId,
        callId: res.ok ? res.callId : undefined,
        ...(res.ok ? {} : { error: res.error }),
        ms: performance.now() - t0,
      };
    }),
  );
  const ids = bookings.map((b) => b.bookingId);
  const count = (rows: { booking_id: string | null }[]) => {
    const m = new Map<string, number>();
    for (const r of rows) m.set(r.booking_id!, (m.get(r.booking_id!) ?? 0) + 1);
    return m;
  };
  const checkInRows = count(
    await db.selectFrom('check_ins').select('booking_id').where('booking_id', 'in', ids).execute(),
  );
  const callRows = count(
    await db.selectFrom('calls').select('booking_id').where('booking_id', 'in', ids).execute(),
  );
  const ordered = await db
    .selectFrom('calls')
    .innerJoin('check_ins', 'check_ins.booking_id', 'calls.booking_id')
    .select(['calls.id'])
    .where('calls.booking_id', 'in', ids)
    .orderBy('check_ins.received_at')
    .orderBy('calls.created_at')
    .orderBy('calls.seq')
    .execute();
  const positions = new Map<string, number>();
  await Promise.all(
    totems.map(async (x) => {
      const { session } = await x.sessionRoundTrip();
      if (session.call?.phase === 'queued') positions.set(session.call.callId, session.call.status.position);
    }),
  );
  const served: string[] = [];
  await server.setPresence('available');
  for (let i = 0; i < o.serve; i++) {
    const ring = await server.nextRing();
    served.push(ring.callId);
    await server.accept(ring.callId);
    await server.hangUp(ring.callId);
  }
  await server.setPresence('paused');
  return {
    answers,
    checkInRows,
    callRows,
    positions,
    arrivalOrder: ordered.map((r) => r.id),
    served,
    async end() {
      await Promise.all(
        answers.map(async (a, i) => {
          if (!a.callId || served.includes(a.callId)) return;
          await totems[i]!.socket.timeout(120_000).emitWithAck(EVENTS.callHangup, { callId: a.callId });
        }),
      );
    },
  };
}
