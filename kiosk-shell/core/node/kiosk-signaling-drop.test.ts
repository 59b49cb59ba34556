// W-4 and W-9 for the kiosk core's own signaling socket (the /kiosk namespace), without browsers:
// a real server, the core and its ServerLink behind a loopback TCP proxy, a console, and a media
// peer per side that stays connected (the pages' media does not go through the core). The core's
// connection is reset mid-call and stays refused for a while: the call goes on, the kiosk screen
// stays in the call, and on reconnection the server's truth (a fresh media token) is taken up. The
// server's reconnect grace is 0 s, so a call wrongly tied to the core's socket would end at once.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS } from '@sportello/protocol';
import {
  startTestServer,
  totemCredential,
  TEST_PASSWORDS,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { TestOperator } from '../../../server/src/node/testing/operator-client.ts';
import { MediaPeer } from '../../../server/src/node/testing/media-peer.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';
import { startTcpProxy } from './testing/proxies.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
before(async () => {
  // The liveness watch is run by hand (never here): the media peers carry no real media.
  t = await startTestServer({ calls: { reconnectGraceSeconds: 0, outageSeconds: 60 } }, undefined, {
    tickMs: 0,
  });
});
after(() => t.close());
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls the server's state each turn of the event loop, up to a generous bound. */
async function waitFor(what: string, cond: () => boolean): Promise<void> {
  const bound = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > bound) throw new Error(`${what}: not within the bound`);
    await new Promise((r) => setImmediate(r));
  }
}

/** A call answered by giulia, with both media peers connected; the core behind a proxy. */
async function callThroughProxy() {
  const proxy = await startTcpProxy(t.url);
  cleanups.push(() => proxy.close());
  const dir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-'));
  const cache = new AgendaCache(dir);
  const link = new ServerLink(proxy.url, totemCredential(t.seed));
  const core = new KioskCore({ cache, link, endedScreenMs: 50 });
  cleanups.push(() => {
    core.close();
    link.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const op = await TestOperator.signIn(t.url, 'giulia', TEST_PASSWORDS.giulia);
  cleanups.push(() => op.close());
  await op.setPresence('available');
  const ended: unknown[] = [];
  op.socket.on(EVENTS.callEnded, (e) => ended.push(e));
  await untilState(core, (s) => s.online);
  await core.handle({ method: 'startWalkIn' });
  const ring = await op.nextRing();
  const operatorToken = await op.accept(ring.callId);
  const inCall = await untilState(core, (s) => s.screen.screen === 'in-call');
  const media = inCall.screen.screen === 'in-call' ? inCall.screen.media : undefined;
  assert.equal(media?.callId, ring.callId);
  const kioskPeer = await MediaPeer.connect(t.url, media!.token);
  const operatorPeer = await MediaPeer.connect(t.url, operatorToken);
  cleanups.push(() => {
    kioskPeer.close();
    operatorPeer.close();
  });
  await Promise.all([kioskPeer.createTransport('recv'), operatorPeer.createTransport('recv')]);
  const peers = () => t.server.router.sessions.get(ring.callId)?.room.dump().peers;
  return { proxy, core, op, callId: ring.callId, token: media!.token, peers, kioskPeer, ended };
}

test(
  'W-4 the kiosk core’s signaling drops mid-call while media flows → the call continues, the screen stays in the call, the truth is taken up on reconnection',
  { timeout: 120_000 },
  async () => {
    const c = await callThroughProxy();
    c.proxy.cut();
    const offline = await untilState(c.core, (s) => !s.online);
    assert.equal(offline.screen.screen, 'in-call', 'offline, the kiosk stays in the call');
    // Refused until the server has handled the drop (and started its reconnect grace, 0 s).
    await t.server.fleet.whenDisconnected(t.seed.totem.id);
    assert.equal(c.peers()?.kiosk?.attached, true, 'the kiosk’s media stays attached');
    c.proxy.restore();
    // Back online and told the truth: the same call with a fresh token (or, wrongly, no call).
    const back = await untilState(
      c.core,
      (s) => s.online && (s.screen.screen !== 'in-call' || s.screen.media.token !== c.token),
    );
    assert.equal(back.screen.screen, 'in-call', 'the kiosk is still in the call');
    assert.equal(back.screen.screen === 'in-call' && back.screen.media.callId, c.callId, 'the same call');
    // The call outlived the grace: it belongs to the media, not to the core's socket.
    assert.equal(t.server.router.activeCalls(), 1, 'the call went on without the kiosk’s signaling');
    assert.deepEqual(c.ended, [], 'the console was never told the call ended');
    assert.equal(c.peers()?.kiosk?.attached, true);
    assert.equal(c.peers()?.operator?.attached, true);
    // The fresh token is good: the page's media socket could come back with it.
    const token = back.screen.screen === 'in-call' ? back.screen.media.token : '';
    c.kioskPeer.close();
    await waitFor('the old media socket detached', () => c.peers()?.kiosk?.attached === false);
    const again = await MediaPeer.connect(t.url, token);
    cleanups.push(() => again.close());
    await waitFor('attached again', () => c.peers()?.kiosk?.attached === true);
    await c.op.hangUp(c.callId);
    await untilState(c.core, (s) => s.screen.screen !== 'in-call');
  },
);

test(
  'W-9 the kiosk core’s socket is reset twice in a row mid-call and the page asks for a token → the same call each time, a fresh token each time',
  { timeout: 120_000 },
  async () => {
    const c = await callThroughProxy();
    const tokens = [c.token];
    for (let i = 0; i < 2; i++) {
      c.proxy.cut();
      await untilState(c.core, (s) => !s.online);
      await t.server.fleet.whenDisconnected(t.seed.totem.id);
      c.proxy.restore();
      const back = await untilState(
        c.core,
        (s) => s.online && (s.screen.screen !== 'in-call' || !tokens.includes(s.screen.media.token)),
      );
      assert.equal(back.screen.screen, 'in-call', `still in the call after reset ${i + 1}`);
      assert.equal(back.screen.screen === 'in-call' && back.screen.media.callId, c.callId);
      tokens.push(back.screen.screen === 'in-call' ? back.screen.media.token : '');
    }
    // The page's media socket missed its resync: it asks the core, which asks the server.
    const renewed = await c.core.handle({ method: 'renewMediaToken' });
    assert.equal(renewed.screen.screen, 'in-call');
    const token = renewed.screen.screen === 'in-call' ? renewed.screen.media.token : '';
    assert.ok(!tokens.includes(token), 'a token not seen before');
    c.kioskPeer.close();
    await waitFor('the old media socket detached', () => c.peers()?.kiosk?.attached === false);
    const again = await MediaPeer.connect(t.url, token);
    cleanups.push(() => again.close());
    // Tokens handed before are refused now: the one the first media socket used, at least.
    await assert.rejects(MediaPeer.connect(t.url, c.token), /media token refused/);
    assert.equal(t.server.router.activeCalls(), 1);
    assert.deepEqual(c.ended, []);
    await c.op.hangUp(c.callId);
    await untilState(c.core, (s) => s.screen.screen !== 'in-call');
  },
);
