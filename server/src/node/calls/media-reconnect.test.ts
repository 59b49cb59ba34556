// W-9 and W-3 at the signaling edge, without browsers: a side's media socket comes back while the
// old one is still open, the old one's late disconnect detaches nothing, media is kept while a side
// is away, and an outage past calls.outageSeconds (on a manual clock) ends the call with its room.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { io, type Socket } from 'socket.io-client';
import { EVENTS, MEDIA_RECOVERY_EVENTS, NAMESPACES, type MediaResync } from '@sportello/protocol';
import { startTestServer, totemCredential, type TestServer } from '../testing/test-server.ts';
import { TestOperator } from '../testing/operator-client.ts';
import { TestKiosk } from '../testing/kiosk-client.ts';

let t: TestServer;
let skew = 0;
const base = Date.parse('2026-03-02T09:00:00Z');
before(async () => {
  t = await startTestServer({ calls: { outageSeconds: 60 } }, () => new Date(base + skew), { tickMs: 0 });
});
after(() => t.close());

/** A media socket with its first resync (the token for its next connection). */
async function mediaSocket(token: string): Promise<{ socket: Socket; resync: MediaResync }> {
  const socket = io(t.url + NAMESPACES.media, { auth: { token }, transports: ['websocket'], forceNew: true });
  const resync = await new Promise<MediaResync>((resolve) =>
    socket.once(MEDIA_RECOVERY_EVENTS.resync, resolve),
  );
  return { socket, resync };
}

const peer = (callId: string, role: 'kiosk' | 'operator') =>
  t.server.router.sessions.get(callId)!.room.dump().peers[role]!;

test('W-9 a media socket that reconnects keeps its transports; the old socket’s late disconnect detaches nothing; W-3 an outage past the limit ends the call', async () => {
  const kiosk = await TestKiosk.connect(t.url, totemCredential(t.seed));
  const op = await TestOperator.signIn(t.url, 'giulia', 'giulia-test-password');
  await op.setPresence('available');
  assert.ok((await kiosk.request({ kind: 'walk-in' })).ok);
  const ring = await op.nextRing();
  await op.accept(ring.callId);
  const { callId, mediaToken } = await kiosk.nextAccepted();

  const first = await mediaSocket(mediaToken);
  assert.deepEqual(first.resync.consumerIds, []);
  for (const direction of ['send', 'recv'])
    assert.equal((await first.socket.emitWithAck(EVENTS.mediaCreateTransport, { direction })).ok, true);
  assert.equal(peer(callId, 'kiosk').transports, 2);

  // The page comes back on a new socket (with the token it was handed) before the server noticed
  // that the old one is gone.
  const second = await mediaSocket(first.resync.token);
  assert.notEqual(second.resync.token, first.resync.token, 'a fresh token on every connection');
  assert.equal(peer(callId, 'kiosk').transports, 2, 'the transports survive the reconnect');
  // Counted, so that the test waits for the server to handle the old socket's disconnect.
  const room0 = t.server.router.sessions.get(callId)!.room;
  const detach = room0.detach.bind(room0);
  let detaches = 0;
  room0.detach = (role, owner) => {
    detaches += 1;
    detach(role, owner);
  };
  first.socket.close();
  await until(() => detaches === 1);
  assert.equal(peer(callId, 'kiosk').attached, true, 'the late disconnect left the new socket attached');
  assert.equal(peer(callId, 'kiosk').transports, 2);

  // A page that starts over replaces its transports: still one each way.
  assert.equal(
    (await second.socket.emitWithAck(EVENTS.mediaCreateTransport, { direction: 'send' })).ok,
    true,
  );
  assert.equal(peer(callId, 'kiosk').transports, 2, 'a new send transport replaced the old one');

  // The kiosk's network goes: its socket drops; the media is kept while it may come back.
  second.socket.close();
  await until(() => !peer(callId, 'kiosk').attached);
  assert.equal(peer(callId, 'kiosk').transports, 2);
  const room = t.server.router.sessions.get(callId)!.room;
  await t.server.liveness.sample();
  assert.ok(t.server.liveness.downSince(callId, 'kiosk') !== undefined, 'the kiosk counts as down');
  skew += 59_000;
  await t.server.liveness.sample();
  assert.equal(t.server.router.activeCalls(), 1, 'kept up to the outage limit');
  const ended = Promise.all([kiosk.nextEnded(), op.nextEnd()]);
  skew += 1_000;
  await t.server.liveness.sample();
  const [toKiosk, toOperator] = await ended;
  assert.deepEqual(toKiosk, { callId, reason: 'connection-lost' });
  assert.equal(toOperator.reason, 'connection-lost');
  assert.equal(t.server.router.activeCalls(), 0);
  assert.equal(room.router.closed, true, 'the room is gone with every transport');
  kiosk.close();
  op.close();
});

async function until(fn: () => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error('condition never held');
    await new Promise((r) => setTimeout(r, 20));
  }
}
