// Call setup on the whole product: the operator clicks "accept" on a ringing walk-in call; the
// time runs until both pages (kiosk and console) have decoded a first remote video frame.
// Both ends are read inside the pages, on the browser's clock. The operator answers as a person
// does, a moment after the call is shown ringing (RING_SEEN_MS): the fast setup joins both sides
// while it waits and rings, as the product does, and the answer is timed from the click.
import type { Page } from 'playwright-core';
import type { Stack } from '../../e2e/support/stack.ts';

/** What the probe keeps on a page's global object; casts vanish when Playwright serializes. */
type ProbeGlobal = {
  sportelloMedia?: { stats(): Promise<{ video: { framesDecoded: number } | null }> };
  benchFirstFrameAt?: number;
  benchProbe?: ReturnType<typeof setInterval>;
};
type DomGlobal = { document: { querySelector(selector: string): { click(): void } | null } };

/**
 * Every 10 ms, one stats read at a time; the first read that sees a decoded video frame is the
 * time. The bare page (bench/browser/bare-peer.ts) probes the same way.
 */
function armProbe(page: Page): Promise<void> {
  return page.evaluate(() => {
    const g = globalThis as unknown as ProbeGlobal;
    clearInterval(g.benchProbe);
    g.benchFirstFrameAt = undefined;
    let busy = false;
    g.benchProbe = setInterval(() => {
      const media = g.sportelloMedia;
      if (!media || busy || g.benchFirstFrameAt !== undefined) return;
      busy = true;
      const at = performance.timeOrigin + performance.now();
      media
        .stats()
        .then((s) => {
          if (s.video && s.video.framesDecoded > 0) g.benchFirstFrameAt ??= at;
        })
        .finally(() => (busy = false));
    }, 10);
  });
}

async function firstFrameAt(page: Page): Promise<number> {
  const handle = await page.waitForFunction(
    () => (globalThis as unknown as ProbeGlobal).benchFirstFrameAt,
    null,
    {
      timeout: 20_000,
      polling: 20,
    },
  );
  return (await handle.jsonValue()) as number;
}

function disarmProbe(page: Page): Promise<void> {
  return page.evaluate(() => clearInterval((globalThis as unknown as ProbeGlobal).benchProbe));
}

/** How long the operator looks at the ringing call before clicking Answer: a quick human. */
export const RING_SEEN_MS = 1_000;

export interface CallSetupRunner {
  /**
   * One walk-in call: ring, accept, frames on both pages, hang-up, both idle. Returns ms. With
   * `consolePrepares` false the console's "Prepare camera between calls" is off for the round.
   */
  once(consolePrepares?: boolean): Promise<number>;
  close(): Promise<void>;
}

/** Opens a kiosk page and a console on the stack, ready for rounds. */
export async function openCallSetup(stack: Stack): Promise<CallSetupRunner> {
  const kiosk = await stack.openKiosk();
  const operator = await stack.openOperator('giulia');
  return {
    async once(consolePrepares = true) {
      await operator.setChecked('#prepare-media', consolePrepares);
      await Promise.all([armProbe(kiosk), armProbe(operator)]);
      await kiosk.click('#btn-walk-in');
      await operator.locator('[data-screen="ringing"]').waitFor({ state: 'visible' });
      // The operator reads the ring first; a bench's stand-in for a person, not a wait for state.
      await new Promise((r) => setTimeout(r, RING_SEEN_MS));
      // The start is read in the console page at the click, on the same clock as the probes.
      const acceptedAt = await operator.evaluate(() => {
        const at = performance.timeOrigin + performance.now();
        const button = (globalThis as unknown as DomGlobal).document.querySelector('#btn-accept');
        if (!button) throw new Error('#btn-accept is missing');
        button.click();
        return at;
      });
      const [k, o] = await Promise.all([firstFrameAt(kiosk), firstFrameAt(operator)]);
      await Promise.all([disarmProbe(kiosk), disarmProbe(operator)]);
      await kiosk.click('#btn-hang-up');
      await Promise.all([
        operator.locator('[data-screen="idle"]').waitFor({ state: 'visible' }),
        kiosk.locator('[data-screen="idle"]').waitFor({ state: 'visible' }),
      ]);
      return Math.max(k, o) - acceptedAt;
    },
    async close() {
      await kiosk.context().close();
      await operator.context().close();
    },
  };
}
