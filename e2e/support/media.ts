// Media assertions from WebRTC's own statistics, as the page's RoomClient reports them.
// waitForFunction needs a synchronous predicate: each poll starts a stats read and judges the
// result of the previous one, kept on the window.
import type { Page } from 'playwright-core';

export interface PageStats {
  video: { framesDecoded: number } | null;
  audio: { audioLevel: number } | null;
}

type StatsWindow = { sportelloMedia?: { stats(): Promise<PageStats> }; __lastStats?: PageStats };

/** Waits until video frames are decoded and audio is heard, then until more frames arrive. */
export async function waitForMediaBothWays(
  page: Page,
  // A generous upper bound for a busy machine (STEP_TIMEOUT_MS in browser.ts), never a media budget.
  timeoutMs = 120_000,
): Promise<{ frames: number; level: number }> {
  const poll = (minFrames: number) =>
    page.waitForFunction(
      (min) => {
        const w = globalThis as unknown as StatsWindow;
        void w.sportelloMedia?.stats().then((s) => (w.__lastStats = s));
        const s = w.__lastStats;
        return s && s.video && s.video.framesDecoded > min && s.audio && s.audio.audioLevel > 0 ? s : false;
      },
      minFrames,
      { timeout: timeoutMs, polling: 100 },
    );
  const first = (await (await poll(0)).jsonValue()) as PageStats;
  const grown = (await (await poll(first.video!.framesDecoded)).jsonValue()) as PageStats;
  await page.evaluate(() => delete (globalThis as unknown as StatsWindow).__lastStats);
  return { frames: grown.video!.framesDecoded, level: first.audio!.audioLevel };
}
