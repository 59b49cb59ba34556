// Simulated totems and consoles for the load scenarios (L-1, L-2), shared by the bounded tests and
// `npm run bench`. No browsers: each totem is a socket.io client with its own enrolled identity
// (Ed25519 key, single-use enrollment token, signed token request, bearer token) speaking from its
// own client address, told to the server through X-Forwarded-For (the server trusts loopback as
// its proxy, as behind the reverse proxy the README describes). Consoles are real operator
// sockets; calls are negotiated end to end on the real SFU by MediaPeer (testing/media-peer.ts).
import {
  EVENTS,
  NAMESPACES,
  makeBookingCode,
  type CallAccepted,
  type CallEnded,
  type KioskClientEvents,
  type KioskServerEvents,
  type KioskSession,
  type QueueStatus,
} from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { codeHash } from '../agenda/kiosk-agenda.ts';
import { recordBookingChange } from '../agenda/change-log.ts';
import { hashPassword, newToken, sha256Hex } from '../auth/secrets.ts';
import { fleetDb } from '../fleet/fleet-db.ts';
import { TestOperator } from './operator-client.ts';
import { TestTotem } from './test-totem.ts';
import type { TestServer } from './test-server.ts';

/** The n-th simulated totem's public address (10.0.0.0/8 as a proxy would report it). */
export function addressOf(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** One simulated totem: its identity, its kiosk socket, what the server told it. */
export class SimTotem {
  readonly accepted: CallAccepted[] = [];
  readonly ended: CallEnded[] = [];
  readonly statuses: QueueStatus[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly id: string,
    readonly address: string,
    readonly socket: Socket<KioskServerEvents, KioskClientEvents>,
  ) {
    const note =
      <T>(list: T[]) =>
      (v: T) => {
        list.push(v);
        for (const w of [...this.waiters]) w();
      };
    socket.on(EVENTS.callAccepted, note(this.accepted));
    socket.on(EVENTS.callEnded, note(this.ended));
    socket.on(EVENTS.queueStatus, note(this.statuses));
  }

  static async enroll(t: TestServer, n: number): Promise<SimTotem> {
    const address = addressOf(n);
    const { token } = await t.server.fleet.enrollment.createToken('load-rig', {
      siteId: 'centro',
      totemName: `Load ${n}`,
    });
    const totem = new TestTotem(t.url);
    totem.forwardedFor = address;
    const res = await totem.enroll(token);
    if (res.status !== 200)
      throw new Error(`enrollment ${n} refused: ${res.status} ${JSON.stringify(res.body)}`);
    const bearer = await totem.token();
    const socket: Socket<KioskServerEvents, KioskClientEvents> = io(t.url + NAMESPACES.kiosk, {
      auth: { credential: bearer },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { 'x-forwarded-for': address },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => reject(new Error(`totem ${n} not connected: ${err.message}`)));
    });
    return new SimTotem(totem.totemId!, address, socket);
  }

  /** Resolves once `pred` holds, re-checked at every event this totem receives. */
  until(pred: () => boolean): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (!pred()) return;
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  request(
    req: { kind: 'walk-in' } | { kind: 'booked'; bookingId: string; checkInKey: string; codeHash: string },
  ) {
    return this.socket
      .timeout(120_000)
      .emitWithAck(EVENTS.callRequest, { ...req, requestId: randomUUID() })
      .catch((err: unknown) => {
        throw new Error(`call request of ${this.id}: ${(err as Error).message}`, { cause: err });
      });
  }

  /** One signaling round trip (session:get), in milliseconds, with the answer. */
  async sessionRoundTrip(): Promise<{ ms: number; session: KioskSession }> {
    const t0 = performance.now();
    const res = (await this.socket
      .timeout(120_000)
      .emitWithAck(EVENTS.sessionGet, {})
      .catch((err: unknown) => {
        throw new Error(`session:get of ${this.id}: ${(err as Error).message}`, { cause: err });
      })) as unknown as { ok: boolean } & KioskSession;
    if (!res.ok) throw new Error('session:get refused');
    return { ms: performance.now() - t0, session: { call: res.call } };
  }

  close(): void {
    this.socket.close();
  }
}

/** Enrolls and connects `count` totems, `parallel` at a time. */
export async function enrollTotems(t: TestServer, count: number, parallel = 25): Promise<SimTotem[]> {
  const out: SimTotem[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const n = next++;
        out[n] = await SimTotem.enroll(t, n + 1);
      }
    }),
  );
  return out;
}

/**
 * `count` operators of both offices, signed in (sessions written directly: one argon2 hash for all
 * of them, since sign-in is not what is measured) and connected, not yet available.
 */
export async function addOperators(t: TestServer, count: number): Promise<TestOperator[]> {
  const db = t.server.database.db;
  const hash = await hashPassword(newToken(9));
  const consoles: TestOperator[] = [];
  for (let i = 0; i < count; i++) {
    const id = `load-op-${i}`;
    await fleetDb(db)
      .insertInto('operators')
      .values({ id, username: id, display_name: `Operator ${i}`, password_hash: hash, active: 1 })
      .execute();
    await db
      .insertInto('operator_offices')
      .values([
        { operator_id: id, office_id: 'urp' },
        { operator_id: id, office_id: 'anagrafe' },
      ])
      .execute();
    const token = newToken(24);
    await db
      .insertInto('operator_sessions')
      .values({ token_hash: sha256Hex(token), operator_id: id, expires_at: '2100-01-01T00:00:00.000Z' })
      .execute();
    consoles.push(await TestOperator.connect(t.url, token));
  }
  return consoles;
}

export interface LoadBooking {
  bookingId: string;
  code: string;
  codeHash: string;
}

/** `count` bookings of office 'urp' (no operator: any of the office) whose window is open at `now`. */
export async function addBookings(t: TestServer, count: number, now: Date): Promise<LoadBooking[]> {
  const db = t.server.database.db;
  const { site_key: siteKey } = await db
    .selectFrom('sites')
    .select('site_key')
    .where('id', '=', 'centro')
    .executeTakeFirstOrThrow();
  const slotStart = new Date(now.getTime() - 60_000);
  const out: LoadBooking[] = [];
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i++) {
      const body = String(70_000_000 + i);
      let k = 0;
      const code = makeBookingCode(() => Number(body[k++]));
      const id = `load-${i}`;
      const stamp = now.toISOString();
      await trx
        .insertInto('bookings')
        .values({
          id,
          code,
          service_id: 'urp-info',
          office_id: 'urp',
          operator_id: null,
          slot_start: slotStart.toISOString(),
          slot_end: new Date(slotStart.getTime() + 15 * 60_000).toISOString(),
          reason: 'r',
          name: 'n',
          email: null,
          phone: null,
          status: 'booked',
          manage_token_hash: `load-hash-${i}`,
          version: 1,
          created_at: stamp,
          updated_at: stamp,
        })
        .execute();
      await recordBookingChange(trx, { bookingId: id, officeId: 'urp', version: 1, kind: 'upsert', now });
      out.push({ bookingId: id, code, codeHash: codeHash(siteKey, code) });
    }
  });
  return out;
}

/** The p-th percentile (0–100) of samples, nearest rank. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * One session round trip per totem, `inFlight` at a time: the latency of a signaling request
 * while every totem is connected. With `inFlight` = all, the burst of everyone asking at once.
 */
export async function signalingRoundTrips(totems: readonly SimTotem[], inFlight = 10): Promise<number[]> {
  const out: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, totems.length) }, async () => {
      while (next < totems.length) out.push((await totems[next++]!.sessionRoundTrip()).ms);
    }),
  );
  return out;
}
