// The kiosk's health (K-2): true only when the page renders, the databases answer and the device
// is being polled; not a timer. Each part is asked for real, within a deadline: the page for its
// next animation frame (over the window's DevTools pipe), the agenda cache and the outbox for a
// query on their tables, the device manager for when its device last answered a poll. A frozen page, a locked database or a
// frozen core (whose event loop then runs no check at all) stops the watchdog's pings, and systemd
// restarts the kiosk (watchdog.ts).
import type BetterSqlite3 from 'better-sqlite3';

export interface HealthParts {
  /** Resolves when the page has drawn a frame; absent without a window (then not checked). */
  pageFrame?: () => Promise<unknown>;
  /** The agenda cache and the outbox. */
  databases: () => { agenda: BetterSqlite3.Database; outbox: BetterSqlite3.Database };
  /**
   * The configured device: its state and how long since it last answered a poll (a board's frame,
   * a HID report or presence check). Absent: no device configured.
   */
  device?: () => { state: string; msSinceLastPoll: number | undefined };
  /** An open, working device that answered no poll for this long fails the check. Default 30 000. */
  deviceSilenceMs?: number;
  /** Deadline of each asynchronous part. Default 5 000 ms. */
  timeoutMs?: number;
}

export interface HealthReport {
  ok: boolean;
  /** What failed, for the log and the watchdog's STATUS line. */
  failures: string[];
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function checkHealth(parts: HealthParts): Promise<HealthReport> {
  const failures: string[] = [];
  const timeoutMs = parts.timeoutMs ?? 5_000;
  if (parts.pageFrame) {
    try {
      await within(parts.pageFrame(), timeoutMs, 'the page');
    } catch (err) {
      failures.push(`page not rendering: ${(err as Error).message}`);
    }
  }
  try {
    const { agenda, outbox } = parts.databases();
    agenda.prepare('SELECT count(*) FROM entries').pluck().get();
    outbox.prepare('SELECT count(*) FROM outbox').pluck().get();
  } catch (err) {
    failures.push(`database not answering: ${(err as Error).message}`);
  }
  if (parts.device) {
    // A missing or failed device is the manager's to reopen (and the heartbeat's to report): a
    // restart would not plug it in. A device said to work whose polls stopped is a stuck core.
    try {
      const d = parts.device();
      const silence = parts.deviceSilenceMs ?? 30_000;
      if (d.state === 'ok' && d.msSinceLastPoll !== undefined && d.msSinceLastPoll > silence)
        failures.push(`device not polled for ${Math.round(d.msSinceLastPoll)} ms`);
    } catch (err) {
      failures.push(`device manager not answering: ${(err as Error).message}`);
    }
  }
  return { ok: failures.length === 0, failures };
}

/** The page's side of the check: a promise that resolves on the next animation frame. */
export const PAGE_FRAME_EXPRESSION = 'new Promise((resolve) => requestAnimationFrame(() => resolve(true)))';
