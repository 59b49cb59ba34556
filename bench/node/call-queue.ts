// The stored call queue: offer latency, from a call stored to the console ringing, with 1,000
// calls waiting and 50 consoles connected; and stored transitions per second on one core. A real
// server (SQLite, socket.io) on a fixed clock, so that it runs the same at any hour; the waiting
// calls are walk-ins of an office whose 49 consoles are all ringing, and each sample is a new call
// at another office whose one console is free, measured until that console's socket has the ring.
import type { TotemIdentity } from '../../server/src/node/auth/sessions.ts';
import { newToken, sha256Hex } from '../../server/src/node/auth/secrets.ts';
import { endItem, insertItem, markAccepted, markOffered } from '../../server/src/node/calls/call-store.ts';
import { migrateToLatest, openDatabase } from '../../server/src/node/db/open.ts';
import { fleetDb } from '../../server/src/node/fleet/fleet-db.ts';
import { TestOperator } from '../../server/src/node/testing/operator-client.ts';
import { startTestServer } from '../../server/src/node/testing/test-server.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize, type Row } from './stats.ts';

export interface QueueBenchOptions {
  /** Calls waiting. Default 1000. */
  waiting?: number;
  /** Consoles connected. Default 50. */
  operators?: number;
  /** Offer latency samples. Default 200. */
  samples?: number;
  /** Items taken through queued → offered → accepted → ended for the transition rate. Default 2000. */
  transitions?: number;
}

const NOW = new Date('2030-01-07T09:00:00.000Z');

export async function runQueueBench(o: QueueBenchOptions = {}): Promise<Row[]> {
  const waiting = o.waiting ?? 1000;
  const operators = o.operators ?? 50;
  const samples = o.samples ?? 200;
  const t = await startTestServer(
    { calls: { ringTimeoutSeconds: 600, maxWaitSeconds: 86_400 }, rateLimitPerMinute: 1_000_000 },
    () => NOW,
    { tickMs: 0 },
  );
  const consoles: TestOperator[] = [];
  try {
    const db = t.server.database.db;
    // 1,000 totems with one waiting walk-in each, at the office 'anagrafe'.
    await db
      .insertInto('totems')
      .values(
        Array.from({ length: waiting + 1 }, (_, i) => ({
          id: `bench-totem-${i}`,
          site_id: 'centro',
          name: `Bench ${i}`,
          secret_hash: 'unused',
          created_at: NOW.toISOString(),
        })),
      )
      .execute();
    for (let i = 0; i < waiting; i++) {
      await insertItem(db, {
        id: `bench-item-${i}`,
        kind: 'walk-in',
        bookingId: null,
        totemId: `bench-totem-${i}`,
        siteId: 'centro',
        officeId: 'anagrafe',
        assignedOperatorId: null,
        notBefore: null,
        now: new Date(NOW.getTime() - (waiting - i) * 1000),
      });
    }
    // 49 consoles of 'anagrafe' (each will ring with one waiting call) and one of 'urp', measured.
    const tokens: string[] = [];
    for (let i = 0; i < operators; i++) {
      const id = `bench-op-${i}`;
      await fleetDb(db)
        .insertInto('operators')
        .values({ id, username: id, display_name: `Operator ${i}`, password_hash: 'unused', active: 1 })
        .execute();
      await db
        .insertInto('operator_offices')
        .values({ operator_id: id, office_id: i === 0 ? 'urp' : 'anagrafe' })
        .execute();
      const token = newToken(24);
      await db
        .insertInto('operator_sessions')
        .values({ token_hash: sha256Hex(token), operator_id: id, expires_at: '2100-01-01T00:00:00.000Z' })
        .execute();
      tokens.push(token);
    }
    for (const token of tokens) consoles.push(await TestOperator.connect(t.url, token));
    for (const c of consoles) await c.setPresence('available');
    await t.server.router.settled();
    const measured = consoles[0]!;
    const totem: TotemIdentity = {
      id: `bench-totem-${waiting}`,
      siteId: 'centro',
      name: 'Bench',
    } as TotemIdentity;
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const res = await t.server.router.request(totem, { kind: 'walk-in' });
      if (!res.ok) throw new Error(`request refused: ${res.error}`);
      await measured.ringFor(res.callId);
      latencies.push(performance.now() - t0);
      measured.rings.length = 0;
      await t.server.router.hangupByKiosk(totem.id, res.callId);
      await t.server.router.settled();
    }
    const live = await db.selectFrom('calls').select('id').where('state', '<>', 'ended').execute();
    const summary = summarize(latencies);
    const rows: Row[] = [
      {
        name: `offer latency (stored → ringing), ${live.length} waiting, ${operators} consoles`,
        summary,
        target: 'p95 ≤ 20 ms',
        pass: summary.p95 <= 20,
      },
    ];
    rows.push(await transitionRate(o.transitions ?? 2000));
    return rows;
  } finally {
    for (const c of consoles) c.close();
    await t.close();
  }
}

/** Stored transitions per second, one after another on one connection (one core). */
async function transitionRate(items: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-bench-queue-'));
  const opened = openDatabase(join(dir, 'sportello.db'));
  try {
    const db = opened.db;
    await migrateToLatest(db);
    await db.insertInto('offices').values({ id: 'o', name: 'O', walk_in: 1 }).execute();
    await db.insertInto('sites').values({ id: 's', name: 'S', site_key: 'k' }).execute();
    await db
      .insertInto('totems')
      .values({ id: 't', site_id: 's', name: 'T', secret_hash: 'x', created_at: NOW.toISOString() })
      .execute();
    await fleetDb(db)
      .insertInto('operators')
      .values({ id: 'op', username: 'op', display_name: 'Op', password_hash: 'x', active: 1 })
      .execute();
    const t0 = performance.now();
    for (let i = 0; i < items; i++) {
      const id = `i${i}`;
      const ok =
        (await insertItem(db, {
          id,
          kind: 'walk-in',
          bookingId: null,
          totemId: 't',
          siteId: 's',
          officeId: 'o',
          assignedOperatorId: null,
          notBefore: null,
          now: NOW,
        })) &&
        (await markOffered(db, id, 'op', NOW)) &&
        (await markAccepted(db, id, 'op', NOW)) &&
        (await endItem(db, id, { from: ['accepted'], outcome: 'served', endReason: 'hangup-kiosk' }, NOW)) !==
          undefined;
      if (!ok) throw new Error(`transition refused at item ${i}`);
    }
    const perSecond = (items * 4) / ((performance.now() - t0) / 1000);
    return {
      name: `stored transitions per second (queued→offered→accepted→ended, ${items} items)`,
      value: Math.round(perSecond),
      unit: 'x',
      target: '≥ 1,000/s',
      pass: perSecond >= 1000,
      note: `${Math.round(perSecond)}/s`,
    };
  } finally {
    await opened.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
