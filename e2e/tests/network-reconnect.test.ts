// W-1, W-4, W-9, W-2, W-3: one call between a kiosk page and a console, each in its own network
// namespace (e2e/support/netns.ts), through blackouts, dropped sockets, an address change and a
// long outage. What a person notices is read from WebRTC's statistics (frames decoded growing
// again) and from the screens (the "reconnecting" notice, the end, the call-back offer). Time
// bounds are generous; the measured figures are printed (the targets are in `npm run bench`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsAvailable } from '../support/netns.ts';
import { framesAbove, framesDecoded, startNetCall, until, type NetCall } from '../support/net-call.ts';

const PREFIX = 'spn';
const SUBNET = '10.201.0.0/16';
const skip = await netnsAvailable(PREFIX);
if (skip) console.log(`# network fault tests skipped: ${skip}`);

/** Bytes of media both ways must grow again within this (generous; W-1 says 8 s, W-9 5 s). */
const BOUND_MS = 60_000;

let n: NetCall;
let callId = '';

/** Waits until both pages decode new frames; returns how long it took. */
async function mediaBack(): Promise<number> {
  const [k, c] = await Promise.all([framesDecoded(n.kiosk), framesDecoded(n.console)]);
  const t0 = performance.now();
  await Promise.all([framesAbove(n.kiosk, k + 5, BOUND_MS), framesAbove(n.console, c + 5, BOUND_MS)]);
  return performance.now() - t0;
}

/** The same call, and nothing left behind: one transport each way and two consumers per side. */
function assertSameCallClean(label: string): void {
  const s = n.session();
  assert.equal(s.callId, callId, `${label}: still the same call`);
  for (const role of ['kiosk', 'operator']) {
    const p = s.peers[role]!;
    assert.equal(p.transports, 2, `${label}: ${role} has one send and one receive transport`);
    assert.equal(p.producers, 2, `${label}: ${role} sends audio and video`);
    assert.equal(p.consumers, 2, `${label}: ${role} receives audio and video`);
  }
}

const notice = (page: NetCall['kiosk']) => page.locator('#call-reconnecting');

describe('calls through network faults (namespaces)', { skip }, () => {
  before(async () => {
    n = await startNetCall({ prefix: PREFIX, subnet: SUBNET, calls: { outageSeconds: 60 } });
    callId = await n.startCall();
  });
  after(async () => {
    await n?.close();
  });

  test('W-1 all packets dropped for 5 s mid-call → media resumes by itself, both sides told meanwhile', async () => {
    const blackoutStart = performance.now();
    await n.kioskNs.block('all');
    try {
      // Both people are told: the kiosk (nothing arrives), the console (the citizen's picture froze).
      await Promise.all([
        notice(n.kiosk).waitFor({ state: 'visible', timeout: BOUND_MS }),
        notice(n.console).waitFor({ state: 'visible', timeout: BOUND_MS }),
      ]);
      const held = performance.now() - blackoutStart;
      if (held < 5_000) await new Promise((r) => setTimeout(r, 5_000 - held)); // the fault's length
    } finally {
      await n.kioskNs.unblock();
    }
    const back = await mediaBack();
    console.log(`# W-1: media back on both sides ${(back / 1000).toFixed(2)} s after a 5 s blackout`);
    await Promise.all([
      notice(n.kiosk).waitFor({ state: 'hidden' }),
      notice(n.console).waitFor({ state: 'hidden' }),
    ]);
    assert.equal(
      await n.kiosk.locator('[data-screen="in-call"]').isVisible(),
      true,
      'the kiosk is in the call',
    );
    await until('both media sockets back', () => {
      const p = n.session().peers;
      return p.kiosk!.attached && p.operator!.attached;
    });
    assertSameCallClean('W-1');
  });

  test('W-4 signaling drops while media flows → the call continues, state resynchronised on reconnect', async () => {
    // Only the server's HTTP port: socket.io (console's signaling, both media sockets) stalls,
    // media keeps its UDP path.
    await Promise.all([
      n.kioskNs.block({ tcpPorts: [n.serverPort] }),
      n.consoleNs.block({ tcpPorts: [n.serverPort] }),
    ]);
    await until('the server noticed both media sockets gone', () => {
      const p = n.session().peers;
      return !p.kiosk!.attached && !p.operator!.attached;
    });
    // The call goes on without its sockets: frames keep coming, nobody is told "reconnecting".
    const during = await mediaBack();
    console.log(
      `# W-4: frames kept arriving while signaling was down (${(during / 1000).toFixed(2)} s for 5 more)`,
    );
    assert.equal(await notice(n.kiosk).isHidden(), true, 'no reconnecting notice while media flows');
    assert.equal(
      await n.console.locator('[data-screen="in-call"]').isVisible(),
      true,
      'the console stays in the call',
    );
    await Promise.all([n.kioskNs.unblock(), n.consoleNs.unblock()]);
    await until('both media sockets back', () => {
      const p = n.session().peers;
      return p.kiosk!.attached && p.operator!.attached;
    });
    await mediaBack();
    assertSameCallClean('W-4');
    assert.equal(await n.console.locator('[data-screen="in-call"]').isVisible(), true);
    assert.equal(await n.kiosk.locator('[data-screen="in-call"]').isVisible(), true);
  });

  test('W-9 the pages’ sockets reconnect during the call → same call, media back, nothing left behind', async () => {
    // Every relayed connection to the server is reset at once: the kiosk page's media socket, the
    // console's signaling and media sockets.
    await n.lab.cutConnections(n.serverPort);
    await until('both media sockets back', () => {
      const p = n.session().peers;
      return p.kiosk!.attached && p.operator!.attached;
    });
    const back = await mediaBack();
    console.log(`# W-9: media flowing ${(back / 1000).toFixed(2)} s after the sockets were reset`);
    assertSameCallClean('W-9');
    const transports = n.t.server.router.sessions.all()[0]!.room.dump().peers;
    assert.equal(Object.keys(transports).length, 2, 'two peers, no stale one');
  });

  test('W-2 the kiosk’s address changes mid-call → ICE restart, the call continues', async () => {
    const before = n.kioskNs.address;
    const after = await n.kioskNs.changeAddress();
    assert.notEqual(after, before);
    const t0 = performance.now();
    await until('the SFU receives the kiosk from its new address', () =>
      n.session().peers.kiosk!.remoteIps.every((ip) => ip === after),
    );
    const back = await mediaBack();
    console.log(
      `# W-2: kiosk moved ${before} → ${after}; media on the new path after ${((performance.now() - t0) / 1000).toFixed(2)} s (frames ${(back / 1000).toFixed(2)} s)`,
    );
    await until('the kiosk media socket back', () => n.session().peers.kiosk!.attached);
    assertSameCallClean('W-2');
  });

  test('W-3 outage of 60 s → the call ends on both sides, a call-back offered, no transport left', async () => {
    const { room } = n.t.server.router.sessions.all()[0]!;
    await n.kioskNs.block('all');
    await until('the server sees the kiosk down', async () => {
      await n.t.server.liveness.sample();
      return n.t.server.liveness.downSince(callId, 'kiosk') !== undefined;
    });
    // Just short of the limit: the call is kept.
    n.advance(59_000);
    await n.t.server.liveness.sample();
    assert.equal(n.t.server.router.sessions.size, 1, 'kept up to the outage limit');
    n.advance(1_500);
    await n.t.server.liveness.sample();
    assert.equal(n.t.server.router.sessions.size, 0, 'the call ended after the outage limit');
    assert.equal(room.router.closed, true, 'its router, and every transport with it, is closed');
    await n.console.locator('[data-screen="in-call"]').waitFor({ state: 'hidden' });
    await n.kioskNs.unblock();
    // The kiosk hears it and offers a call-back.
    await n.kiosk.locator('[data-screen="ended"]').waitFor({ state: 'visible' });
    await n.kiosk.locator('#btn-ended-callback').click();
    await n.kiosk.locator('[data-screen="callback-entry"]').waitFor({ state: 'visible' });
    const row = await n.t.server.database.db
      .selectFrom('calls')
      .select(['end_reason'])
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
    assert.equal(row.end_reason, 'connection-lost');
  });
});
