// Fast call setup end to end on real parts: the server with its SFU, the kiosk agent,
// the kiosk page and a console in Debian Chromium. While a call waits and rings both sides join
// the call's room (camera, device, connected transports, paused consumers); the answer then makes
// no transport on the SFU and only resumes, and a call that ends unanswered leaves no router,
// transport or camera track behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { startStack, type Stack } from '../support/stack.ts';
import { waitForMediaBothWays } from '../support/media.ts';
import { countSfu, type SfuCensus } from '../support/sfu-census.ts';

/** Records every camera and microphone track the page opens, to tell later whether each ended. */
const TRACK_SPY = `(() => {
  window.__tracks = [];
  const md = navigator.mediaDevices;
  const open = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => {
    const s = await open(c);
    window.__tracks.push(...s.getTracks());
    return s;
  };
})()`;

const liveTracks = (p: Page) =>
  p.evaluate(
    () =>
      ((globalThis as unknown as { __tracks: { readyState: string }[] }).__tracks ?? []).filter(
        (t) => t.readyState === 'live',
      ).length,
  );

/** Polls a server-side condition; the bound is generous, never the thing tested. */
async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

let s: Stack;
let sfu: SfuCensus;
let kiosk: Page;
let operator: Page;
before(async () => {
  sfu = await countSfu();
  s = await startStack();
  kiosk = await s.openKiosk();
  await kiosk.addInitScript(TRACK_SPY);
  await kiosk.reload();
  await kiosk.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
  operator = await s.openOperator('giulia');
  await operator.addInitScript(TRACK_SPY);
  await operator.reload();
  await operator.locator('#presence-badge[data-status="available"]').waitFor();
});
after(async () => {
  await s?.close();
  sfu?.close();
});

const idle = (p: Page) => p.locator('[data-screen="idle"]').waitFor({ state: 'visible' });

/** A walk-in call that rings with both sides joined: four transports connected on the SFU. */
async function ringPrewarmed(): Promise<void> {
  await kiosk.click('#btn-walk-in');
  await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
  await until('both sides connected while ringing', () => sfu.connected() === 4);
}

describe('fast call setup', () => {
  test('fast setup: both sides join while it rings; the answer makes no transport on the SFU and frames decode both ways', async () => {
    await ringPrewarmed();
    const before = sfu.made;
    assert.deepEqual(sfu.open(), { routers: 1, transports: 4 }, "one router: the call's, with both sides");
    // Nothing crosses before the answer: whatever consumers exist are paused on the SFU.
    assert.equal(sfu.consumers().forwarding, 0, 'no consumer forwards media while it rings');
    await operator.click('#btn-accept');
    await kiosk.locator('[data-screen="in-call"]').waitFor({ state: 'visible' });
    const [onKiosk, onOperator] = await Promise.all([
      waitForMediaBothWays(kiosk),
      waitForMediaBothWays(operator),
    ]);
    assert.ok(onKiosk.frames > 0 && onOperator.frames > 0, 'frames decoded on both pages');
    assert.equal(sfu.made, before, 'no transport made after the answer');
    assert.equal(sfu.open().transports, 4, 'the same four transports carry the call');
    assert.deepEqual(sfu.consumers(), { open: 4, forwarding: 4 }, 'audio and video each way');
    await kiosk.click('#btn-hang-up');
    await Promise.all([idle(operator), idle(kiosk)]);
    await until('the room closed', () => sfu.open().routers === 0 && sfu.open().transports === 0);
  });

  test('W-8 the citizen cancels a prewarmed call while it rings: no router, transport or kiosk camera track is left', async () => {
    await ringPrewarmed();
    await kiosk.click('#btn-waiting-cancel');
    await idle(operator);
    await until('the waiting room closed', () => sfu.open().routers === 0 && sfu.open().transports === 0);
    await kiosk.waitForFunction(
      () =>
        ((globalThis as unknown as { __tracks: { readyState: string }[] }).__tracks ?? []).every(
          (t) => t.readyState === 'ended',
        ),
      null,
      { timeout: 60_000 },
    );
    assert.equal(await liveTracks(kiosk), 0, "the kiosk's camera and microphone are released");
    // The console keeps its camera between calls (its setting), and only that.
    assert.ok((await liveTracks(operator)) <= 2, 'at most one camera and one microphone on the console');
  });

  test('W-3 the operator turns "Prepare camera between calls" off while a call rings: its side leaves the room and its camera is released', async () => {
    await ringPrewarmed();
    await operator.click('#prepare-media');
    await until("the console's side left the room", () => sfu.open().transports === 2);
    await operator.waitForFunction(
      () =>
        ((globalThis as unknown as { __tracks: { readyState: string }[] }).__tracks ?? []).every(
          (t) => t.readyState === 'ended',
        ),
      null,
      { timeout: 60_000 },
    );
    // Answered with the setting off: the console joins now (the benchmark's "no prewarm" row).
    const before = sfu.made;
    await operator.click('#btn-accept');
    await Promise.all([waitForMediaBothWays(kiosk), waitForMediaBothWays(operator)]);
    assert.equal(sfu.made - before, 2, 'the console alone made its two transports on the answer');
    await operator.click('#btn-hang-up');
    await Promise.all([idle(operator), idle(kiosk)]);
    await until('nothing left on the SFU', () => sfu.open().routers === 0 && sfu.open().transports === 0);
    assert.equal(await liveTracks(kiosk), 0);
    assert.equal(await liveTracks(operator), 0, 'setting off: no camera between calls');
  });

  test('fast setup: a ring declined on one console moves to the other; the first leaves the room, the second joins, the answer makes no transport', async () => {
    await operator.click('#prepare-media'); // back on after the previous test
    const marco = await s.openOperator('marco');
    await kiosk.click('#btn-walk-in');
    const first = await Promise.race(
      [operator, marco].map((p) =>
        p
          .locator('[data-screen="ringing"]')
          .waitFor({ state: 'visible' })
          .then(() => p),
      ),
    );
    const second = first === operator ? marco : operator;
    await until('both sides connected while ringing', () => sfu.connected() === 4);
    await first.click('#btn-decline');
    await second.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
    await until(
      'the second console joined, the first left',
      () => sfu.connected() === 4 && sfu.open().transports === 4,
    );
    const before = sfu.made;
    await second.click('#btn-accept');
    await Promise.all([waitForMediaBothWays(kiosk), waitForMediaBothWays(second)]);
    assert.equal(sfu.made, before, 'no transport made after the answer');
    await kiosk.click('#btn-hang-up');
    await Promise.all([idle(second), idle(kiosk)]);
    await until('nothing left on the SFU', () => sfu.open().routers === 0 && sfu.open().transports === 0);
    await marco.context().close();
  });
});
