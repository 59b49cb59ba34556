// The pages' media sockets in one call, without network namespaces. W-9: a page whose media socket
// reconnects holding a spent token (single-use; it missed its fresh one) is refused, gets a new one
// from its own signaling (the kiosk page through the kiosk core, the console with session:get) and
// joins again, twice in a row. W-4: a side that pauses both its microphone and camera is paused by
// its person, not stalled: the other side's page, told by the server (media:consumer-paused), shows
// no "reconnecting" however long the silence lasts, and media comes back on resume. Real parts:
// server, kiosk agent, the kiosk page and a console in Debian Chromium with fake devices.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack.ts';
import { waitForMediaBothWays } from '../support/media.ts';

let s: Stack;
let kiosk: Page;
before(async () => {
  s = await startStack();
  kiosk = await s.openKiosk();
});
after(async () => {
  await s?.close();
});

type Room = {
  /** Private in RoomClient; set here to make the socket hold a spent token. */
  token: string;
  socket: { io: { engine: { close(): void } } };
  setMicrophoneMuted(m: boolean): void;
  setCameraOff(o: boolean): void;
  stats(): Promise<{ video: { framesDecoded: number } | null }>;
};
type W = { sportelloMedia?: Room; __frames?: { n: number; at: number } };

/**
 * Waits until the page has decoded no new frame for `quietMs` (measured in the page): longer than
 * the page's stall limit (2 s), so a page that took the silence for the network would show its
 * notice by then.
 */
async function silentFor(page: Page, quietMs: number): Promise<void> {
  await page.waitForFunction(
    (quiet) => {
      const w = globalThis as unknown as W;
      void w.sportelloMedia?.stats().then((st) => {
        const n = st.video?.framesDecoded ?? 0;
        if (w.__frames?.n !== n) w.__frames = { n, at: performance.now() };
      });
      return w.__frames !== undefined && performance.now() - w.__frames.at >= quiet;
    },
    quietMs,
    { timeout: 120_000, polling: 100 },
  );
}

test('W-9 media sockets that reconnect with a spent token, twice in a row on each page → refused, renewed from their own signaling, the same call with media back', async () => {
  const operator = await s.openOperator('giulia');
  await kiosk.click('#btn-walk-in');
  await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
  // The token of the waiting screen, which the kiosk page joins the room with while it rings.
  const waiting = s.kiosk.core.getState().screen;
  const waitingToken = waiting.screen === 'waiting' ? (waiting.media?.token ?? '') : '';
  await operator.click('#btn-accept');
  await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
  await Promise.all([waitForMediaBothWays(kiosk), waitForMediaBothWays(operator)]);
  const session = s.t.server.router.sessions.all()[0]!;
  // Every attach of a media socket, counted: only a socket the server let in attaches.
  const attaches = { kiosk: 0, operator: 0 };
  const attach = session.room.attach.bind(session.room);
  session.room.attach = (role, sink, owner) => {
    attaches[role] += 1;
    return attach(role, sink, owner);
  };
  const kioskToken = () => {
    const sc = s.kiosk.core.getState().screen;
    return sc.screen === 'in-call' ? sc.media.token : '';
  };
  // The token the kiosk page spent when it joined: the waiting screen's when it joined while the
  // call rang (fast setup), else the call's. Spent means no socket can claim it any more.
  const tokens = s.t.server.router.sessions.tokens;
  const spent = [waitingToken, kioskToken()].find((t) => t !== '' && tokens.check(t) === undefined);
  assert.ok(spent, 'the kiosk page spent a token when it joined');
  const tokensSeen = [spent];
  for (let round = 1; round <= 2; round++) {
    for (const page of [kiosk, operator]) {
      await page.evaluate((t) => {
        const room = (globalThis as unknown as W).sportelloMedia!;
        room.token = t;
        room.socket.io.engine.close();
      }, spent);
    }
    const bound = Date.now() + 120_000;
    while (attaches.kiosk < round || attaches.operator < round) {
      if (Date.now() > bound) throw new Error(`round ${round}: the media sockets did not come back`);
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(!tokensSeen.includes(kioskToken()), `round ${round}: the kiosk core took a fresh token`);
    tokensSeen.push(kioskToken());
  }
  await Promise.all([waitForMediaBothWays(kiosk), waitForMediaBothWays(operator)]);
  const peers = session.room.dump().peers;
  assert.deepEqual(Object.keys(peers).sort(), ['kiosk', 'operator'], 'two peers, no stale one');
  for (const role of ['kiosk', 'operator']) {
    assert.equal(peers[role]!.attached, true, `${role} attached`);
    assert.equal(peers[role]!.transports, 2, `${role}: one transport each way`);
    assert.equal(peers[role]!.consumers, 2, `${role}: receives audio and video`);
  }
  assert.equal(s.t.server.router.sessions.all()[0]?.callId, session.callId, 'the same call');
  await operator.click('#btn-hang-up');
  await kiosk.locator('[data-screen="ended"]').waitFor({ state: 'visible' });
  await operator.context().close();
  await kiosk.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
});

test('W-4 the operator pauses microphone and camera: the kiosk shows no "reconnecting", and media comes back on resume', async () => {
  const operator = await s.openOperator('giulia');
  await kiosk.click('#btn-walk-in');
  await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
  await operator.click('#btn-accept');
  await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
  await Promise.all([waitForMediaBothWays(kiosk), waitForMediaBothWays(operator)]);
  const pause = (paused: boolean) =>
    operator.evaluate((p) => {
      const room = (globalThis as unknown as W).sportelloMedia!;
      room.setMicrophoneMuted(p);
      room.setCameraOff(p);
    }, paused);
  await pause(true);
  await silentFor(kiosk, 4_000);
  assert.equal(await kiosk.locator('#call-reconnecting').isHidden(), true, 'paused is not reconnecting');
  await pause(false);
  const back = await waitForMediaBothWays(kiosk);
  assert.ok(back.frames > 0);
  assert.equal(await kiosk.locator('#call-reconnecting').isHidden(), true);
  await operator.click('#btn-hang-up');
  await kiosk.locator('[data-screen="ended"]').waitFor({ state: 'visible' });
  await operator.context().close();
});
