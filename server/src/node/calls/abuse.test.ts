// Abuse cases of issue 12 against one real server behind a "proxy" on loopback (trustProxy
// 127.0.0.1, so each test client speaks for the address it writes in X-Forwarded-For): floods of
// made-up totem ids, guessed secrets, rate limits per real client and per verified totem, replayed
// media tokens, caps per media peer. Nothing here is timed except the sign-in comparison, which is
// against a baseline measured in the same test with a tenfold margin.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { EVENTS, NAMESPACES, OPERATOR_ROUTES, TOTEM_ROUTES } from '@sportello/protocol';
import { io } from 'socket.io-client';
import { startTestServer, totemCredential, TEST_PASSWORDS, type TestServer } from '../testing/test-server.ts';
import { TestKiosk } from '../testing/kiosk-client.ts';
import { TestOperator } from '../testing/operator-client.ts';
import { MediaPeer, rtpParametersOf } from '../testing/media-peer.ts';
import { createEnrollment, heartbeatWith, signInAccount, TestTotem } from '../testing/test-totem.ts';
import { TotemAuthenticator } from '../auth/totem-auth.ts';
import { TOO_MANY_REFUSALS } from './handshake-limits.ts';
import { MAX_PRODUCERS_PER_PEER, MAX_TRANSPORTS_PER_PEER } from '../media/peer-caps.ts';

let t: TestServer;
const FAILED_PER_MINUTE = 5;

before(async () => {
  t = await startTestServer({
    trustProxy: '127.0.0.1',
    clientLimits: { failedAuthPerAddressPerMinute: FAILED_PER_MINUTE },
  });
});
/**
 * Every client socket a test opens, closed after it whatever its outcome: a failed assertion must
 * fail the file at once, not leave reconnecting sockets that hold it open until the runner's limit.
 */
const open = new Set<{ close(): void }>();
function held<T extends { close(): void }>(client: T): T {
  open.add(client);
  return client;
}
/** Calls a test left open (it failed before hanging up): ended, so the next test finds giulia free. */
const calls = new Set<string>();
afterEach(async () => {
  for (const callId of calls) await t.server.router.hangupByKiosk(t.seed.totem.id, callId);
  calls.clear();
  for (const c of open) c.close();
  open.clear();
});
after(async () => {
  for (const c of open) c.close();
  await t.close();
});
/** A media peer with this token, closed after the test (also one that was wrongly let in). */
const mediaPeer = (token: string) => MediaPeer.connect(t.url, token).then(held);
/** Each test's upper bound (each takes a few seconds): a hung wait fails its test, then the file. */
const BOUND = { timeout: 120_000 };

let nextAddress = 1;
/** A documentation address (RFC 5737) no other test of this file has used. */
function freshAddress(): string {
  const n = nextAddress++;
  return `198.51.${Math.floor(n / 250)}.${(n % 250) + 1}`;
}

/** One HTTP request, optionally from another loopback source address, with its status and body. */
function send(
  path: string,
  o: { method?: string; body?: unknown; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const url = new URL(path, t.url);
  const data = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: o.method ?? (data ? 'POST' : 'GET'),
        headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...o.headers },
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function signIn(password: string, from: string) {
  return send(OPERATOR_ROUTES.signIn.path, {
    body: { username: 'giulia', password },
    headers: { 'x-forwarded-for': from },
  });
}

/** A kiosk handshake; resolves with "connected" or the server's refusal. */
function kioskHandshake(credential: string, from: string): Promise<string> {
  const socket = held(
    io(t.url + NAMESPACES.kiosk, {
      auth: { credential },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      extraHeaders: { 'x-forwarded-for': from },
    }),
  );
  return new Promise((resolve) => {
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (err) => {
      socket.close();
      resolve(err.message);
    });
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

test(
  'Abuse: demo totem secrets are accepted only with demoSecrets on, and cost no argon2 when off',
  BOUND,
  async () => {
    const db = t.server.database.db;
    const off = new TotemAuthenticator(db, {});
    assert.equal(await off.authenticate(totemCredential(t.seed)), null, 'refused by default');
    assert.equal(off.secretVerifications, 0);
    const on = new TotemAuthenticator(db, { demoSecrets: true });
    assert.equal((await on.authenticate(totemCredential(t.seed)))?.id, t.seed.totem.id);
    assert.equal(on.secretVerifications, 1);
    assert.equal(await on.authenticate(`totem-nobody-knows:${t.seed.totem.secret}`), null);
    assert.equal(on.secretVerifications, 1, 'an unknown id is refused without argon2');
  },
);

test(
  'Abuse: a flood of kiosk handshakes with random totem ids runs no argon2 and leaves operator sign-in answering as before',
  BOUND,
  async () => {
    const baseline: number[] = [];
    for (let i = 0; i < 3; i++) {
      baseline.push(
        await timed(async () =>
          assert.equal((await signIn(TEST_PASSWORDS.giulia, freshAddress())).status, 200),
        ),
      );
    }
    const before = t.server.totems.secretVerifications;
    // 200 handshakes at once, each from its own client address so none is cut off by the limiter:
    // every one of them reaches the credential check.
    const flood = Array.from({ length: 200 }, () =>
      kioskHandshake(
        `totem-${randomBytes(6).toString('hex')}:${randomBytes(12).toString('hex')}`,
        freshAddress(),
      ),
    );
    const during: number[] = [];
    for (let i = 0; i < 3; i++) {
      during.push(
        await timed(async () =>
          assert.equal((await signIn(TEST_PASSWORDS.giulia, freshAddress())).status, 200),
        ),
      );
    }
    const refusals = await Promise.all(flood);
    assert.ok(
      refusals.every((r) => r === 'totem credential refused'),
      `every made-up id refused: ${[...new Set(refusals)].join(', ')}`,
    );
    assert.equal(t.server.totems.secretVerifications - before, 0, 'no argon2 for unknown ids');
    const worst = Math.max(...baseline);
    console.log(
      `sign-in: baseline worst ${worst.toFixed(0)} ms, during the flood ${during.map((d) => d.toFixed(0)).join('/')} ms`,
    );
    assert.ok(
      Math.max(...during) < 10 * worst,
      `sign-in during the flood ${Math.max(...during).toFixed(0)} ms, ten times the baseline is ${(10 * worst).toFixed(0)} ms`,
    );
  },
);

test(
  "Abuse: guessing a known totem's secret from one address is cut off after the refusal limit",
  BOUND,
  async () => {
    const from = freshAddress();
    const before = t.server.totems.secretVerifications;
    const answers: string[] = [];
    for (let i = 0; i < FAILED_PER_MINUTE + 5; i++) {
      answers.push(await kioskHandshake(`${t.seed.totem.id}:guess-${i}`, from));
    }
    assert.deepEqual(
      answers.slice(0, FAILED_PER_MINUTE),
      Array(FAILED_PER_MINUTE).fill('totem credential refused'),
    );
    assert.deepEqual(answers.slice(FAILED_PER_MINUTE), Array(5).fill(TOO_MANY_REFUSALS));
    assert.equal(
      t.server.totems.secretVerifications - before,
      FAILED_PER_MINUTE,
      'refused unheard past the limit',
    );
    // The totem itself, from its own address, is not locked out by someone else's guesses.
    assert.equal(await kioskHandshake(totemCredential(t.seed), freshAddress()), 'connected');
    // Over HTTP too, a secret from that address is refused before it is looked at...
    const http = await send(TOTEM_ROUTES.heartbeat.path, {
      body: heartbeatWith('idle'),
      headers: { 'x-forwarded-for': from, authorization: `Totem ${totemCredential(t.seed)}` },
    });
    assert.equal(http.status, 429);
    // ...but an enrolled totem behind the same address (a mall's Wi-Fi) keeps working: signed
    // tokens cannot be guessed, so they are never locked out by someone else's guesses.
    const admin = await signInAccount(t.url, t.seed.admin.username, TEST_PASSWORDS.admin);
    const { token } = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: 'Totem Galleria' });
    const neighbour = new TestTotem(t.url);
    assert.equal((await neighbour.enroll(token)).status, 200);
    const bearer = await neighbour.token();
    assert.equal(await kioskHandshake(bearer, from), 'connected');
    const beat = await send(TOTEM_ROUTES.heartbeat.path, {
      body: heartbeatWith('idle'),
      headers: { 'x-forwarded-for': from, authorization: `Totem ${bearer}` },
    });
    assert.equal(beat.status, 200);
  },
);

test('Abuse: rate limits hold per real client behind a proxy header', BOUND, async () => {
  // Sign-in allows 10 attempts a minute per client address (protocol's route table).
  const guesser = freshAddress();
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) statuses.push((await signIn(`wrong-${i}`, guesser)).status);
  assert.deepEqual(statuses, [...Array(10).fill(401), 429], 'the guesser is limited');
  // Everyone else behind the same proxy still signs in.
  assert.equal((await signIn(TEST_PASSWORDS.giulia, freshAddress())).status, 200);
  // A client that is not the trusted proxy cannot pick its address with the header: from
  // 127.0.0.2 the header is ignored, so a fresh header per request buys no fresh limit.
  const direct: number[] = [];
  for (let i = 0; i < 11; i++) {
    direct.push(
      (
        await send(OPERATOR_ROUTES.signIn.path, {
          body: { username: 'giulia', password: `wrong-${i}` },
          headers: { 'x-forwarded-for': freshAddress() },
          localAddress: '127.0.0.2',
        })
      ).status,
    );
  }
  assert.deepEqual(direct, [...Array(10).fill(401), 429]);
});

test('Abuse: totem routes are limited per verified totem, not per Authorization header', BOUND, async () => {
  const admin = await signInAccount(t.url, t.seed.admin.username, TEST_PASSWORDS.admin);
  const totems: TestTotem[] = [];
  for (const name of ['Totem A', 'Totem B']) {
    const { token } = await createEnrollment(t.url, admin, { siteId: 'centro', totemName: name });
    const totem = new TestTotem(t.url);
    assert.equal((await totem.enroll(token)).status, 200);
    totems.push(totem);
  }
  const [a, b] = await Promise.all(totems.map((x) => x.token()));
  const shared = freshAddress(); // one municipality's router
  const beat = (token: string) =>
    send(TOTEM_ROUTES.heartbeat.path, {
      body: heartbeatWith('idle'),
      headers: { 'x-forwarded-for': shared, authorization: `Totem ${token}` },
    }).then((r) => r.status);
  const fromA: number[] = [];
  for (let i = 0; i < 61; i++) fromA.push(await beat(a!));
  assert.deepEqual(fromA, [...Array(60).fill(200), 429], 'A is limited at 60 a minute');
  assert.equal(await beat(b!), 200, 'B, behind the same address, is not');
  // Made-up credentials count against their address, whatever the header says: a fresh
  // Authorization header per request buys no fresh limit.
  const forger = freshAddress();
  const forged: number[] = [];
  for (let i = 0; i < 61; i++) {
    forged.push(
      (
        await send(TOTEM_ROUTES.heartbeat.path, {
          body: heartbeatWith('idle'),
          headers: {
            'x-forwarded-for': forger,
            authorization: `Totem st1.${randomBytes(8).toString('hex')}.x`,
          },
        })
      ).status,
    );
  }
  assert.deepEqual(forged, [...Array(60).fill(401), 429]);
});

/** A walk-in call answered by giulia: the kiosk's media token and a cleanup. */
async function answeredCall() {
  const kiosk = held(await TestKiosk.connect(t.url, totemCredential(t.seed)));
  const op = held(await TestOperator.signIn(t.url, 'giulia', TEST_PASSWORDS.giulia));
  await op.setPresence('available');
  const res = await kiosk.request({ kind: 'walk-in' });
  assert.ok(res.ok, JSON.stringify(res));
  const ring = await op.nextRing();
  const operatorToken = await op.accept(ring.callId);
  const accepted = await kiosk.nextAccepted();
  calls.add(ring.callId);
  return {
    callId: ring.callId,
    kioskToken: accepted.mediaToken,
    operatorToken,
    async end() {
      calls.delete(ring.callId);
      await op.hangUp(ring.callId);
      await kiosk.nextEnded();
      kiosk.close();
      op.close();
    },
  };
}

test(
  'Abuse: a replayed media token is refused, while its holder is connected and after it is gone; the holder keeps its place and comes back only with the fresh token it was handed',
  BOUND,
  async () => {
    const call = await answeredCall();
    const holder = await mediaPeer(call.kioskToken);
    await holder.createTransport('recv');
    await assert.rejects(mediaPeer(call.kioskToken), /media token refused/);
    const room = t.server.router.roomFor(call.callId)!;
    assert.equal(room.dump().peers.kiosk?.transports, 1, 'the holder was not evicted');
    await holder.createTransport('send');
    assert.equal(room.dump().peers.kiosk?.transports, 2);
    const { token: next } = await holder.resync;
    assert.notEqual(next, call.kioskToken);
    const gone = new Promise((resolve) => holder.socket.once('disconnect', resolve));
    holder.close();
    await gone;
    // The peer stays in the room, away, until the outage limit (W-9): wait until it is detached.
    await waitUntil(() => t.server.router.roomFor(call.callId)?.dump().peers.kiosk?.attached === false);
    // Single-use: with its holder gone, well within its lifetime, the spent token is still refused.
    await assert.rejects(mediaPeer(call.kioskToken), /media token refused/);
    // The holder's own reconnect presents the token it was handed, which then is spent too.
    const back = await mediaPeer(next);
    await back.createTransport('recv');
    assert.equal(room.dump().peers.kiosk?.attached, true);
    back.close();
    await waitUntil(() => t.server.router.roomFor(call.callId)?.dump().peers.kiosk?.attached === false);
    await assert.rejects(mediaPeer(next), /media token refused/, 'the fresh token, once used');
    await call.end();
    await assert.rejects(mediaPeer(call.operatorToken), /media token refused/, 'revoked at the end');
  },
);

test('Abuse: a media peer may hold only a few transports and producers', BOUND, async () => {
  const call = await answeredCall();
  const peer = await mediaPeer(call.operatorToken);
  await peer.request(EVENTS.mediaCapabilities, {});
  // Asked all at once, so a check made before the SFU answers could not let them all through.
  const asked = await Promise.all(
    Array.from({ length: MAX_TRANSPORTS_PER_PEER + 3 }, () =>
      peer.ask(EVENTS.mediaCreateTransport, { direction: 'send' }),
    ),
  );
  const made = asked.filter((a) => a.ok) as unknown as { transport: { id: string } }[];
  assert.equal(made.length, MAX_TRANSPORTS_PER_PEER);
  assert.ok(
    asked.filter((a) => !a.ok).every((a) => /too many transports/.test((a as { error: string }).error)),
  );
  // A new transport replaces the side's older one of the same direction (W-9): produce on one made now.
  const fresh = (await peer.ask(EVENTS.mediaCreateTransport, { direction: 'send' })) as unknown as {
    ok: boolean;
    transport: { id: string };
  };
  assert.ok(fresh.ok, 'a replacement transport is allowed once the burst is over');
  const send = fresh.transport.id;
  const produced = await Promise.all(
    Array.from({ length: MAX_PRODUCERS_PER_PEER + 2 }, (_, i) =>
      peer.ask(EVENTS.mediaProduce, {
        transportId: send,
        kind: 'audio',
        rtpParameters: rtpParametersOf('audio', 5000 + i),
      }),
    ),
  );
  assert.equal(produced.filter((p) => p.ok).length, MAX_PRODUCERS_PER_PEER);
  assert.ok(
    produced.filter((p) => !p.ok).every((p) => /too many producers/.test((p as { error: string }).error)),
  );
  peer.close();
  await call.end();
});

/** Waits on the server's own events by polling its state each turn of the event loop (bounded). */
async function waitUntil(cond: () => boolean, bound = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > bound) throw new Error('condition not met within the bound');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function outcomeOf(callId: string) {
  return t.server.database.db
    .selectFrom('calls')
    .select(['outcome', 'ended_at'])
    .where('id', '=', callId)
    .executeTakeFirstOrThrow();
}

test(
  'Q-8 a call:cancel sent before the request is answered ends the call as soon as it exists',
  BOUND,
  async () => {
    const kiosk = held(await TestKiosk.connect(t.url, totemCredential(t.seed)));
    const requestId = randomUUID();
    // Both leave at once: the server is still storing the item when the cancel arrives.
    const answer = kiosk.socket.emitWithAck(EVENTS.callRequest, { kind: 'walk-in', requestId });
    kiosk.socket.emit(EVENTS.callCancel, { requestId });
    const res = await answer;
    assert.ok(res.ok, JSON.stringify(res));
    const ended = await kiosk.nextEnded();
    assert.equal(ended.callId, res.callId);
    assert.equal((await outcomeOf(res.callId)).outcome, 'abandoned');
    kiosk.close();
  },
);

test(
  'Q-8 a call:cancel after an operator answered ends that call on both sides; unknown ids change nothing',
  BOUND,
  async () => {
    const kiosk = held(await TestKiosk.connect(t.url, totemCredential(t.seed)));
    const op = held(await TestOperator.signIn(t.url, 'giulia', TEST_PASSWORDS.giulia));
    await op.setPresence('available');
    kiosk.socket.emit(EVENTS.callCancel, { requestId: randomUUID() });
    kiosk.socket.emit(EVENTS.callCancel, { requestId: 'not-a-uuid' } as never);
    const requestId = randomUUID();
    const res = await kiosk.socket.emitWithAck(EVENTS.callRequest, { kind: 'walk-in', requestId });
    assert.ok(res.ok);
    const ring = await op.nextRing();
    await op.accept(ring.callId);
    kiosk.socket.emit(EVENTS.callCancel, { requestId });
    const [toKiosk, toOperator] = await Promise.all([kiosk.nextEnded(), op.nextEnd()]);
    assert.equal(toKiosk.callId, res.callId);
    assert.equal(toOperator.callId, res.callId);
    assert.notEqual((await outcomeOf(res.callId)).ended_at, null);
    kiosk.close();
    op.close();
  },
);
