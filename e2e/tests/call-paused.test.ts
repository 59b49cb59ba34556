// W-4: a side that pauses both its microphone and camera is paused by its person, not stalled: the
// other side's page, told by the server (media:consumer-paused), shows no "reconnecting" notice
// however long the silence lasts, and the media comes back when the person resumes. Real parts:
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
