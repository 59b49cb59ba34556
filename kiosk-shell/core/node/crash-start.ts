// The start of a kiosk after crashes (K-1), the same for the Chromium variant's agent
// (host/node/agent-run.ts) and for Electron main: read the crash count, wait the growing delay
// before starting (nothing after one crash, then 2 s, 4 s… up to 60 s), and in a crash loop start
// out of service at once and ask for a normal start again when the loop's window has passed.
import { CrashRecord, type CrashRecordOptions } from './crash-record.ts';
import { realTimers, type Timers } from './backoff.ts';

export interface CrashStartOptions {
  dataDir: string;
  /** The crash count's window and burst, and the delay's base and cap. Defaults in crash-record.ts. */
  crashes?: Partial<Pick<CrashRecordOptions, 'windowMs' | 'burst' | 'now'>> & {
    backoffBaseMs?: number;
    backoffMaxMs?: number;
  };
  /** Resolves when the kiosk is asked to stop (SIGTERM, quit): a stop during the delay ends it. */
  stop: Promise<void>;
  timers?: Timers;
  log: (msg: string, detail?: unknown) => void;
}

export interface CrashStart {
  record: CrashRecord;
  /** The delay waited before this start. */
  backoffMs: number;
  /** The kiosk was stopped during the delay: the run is over (ended cleanly), start nothing. */
  stopped: boolean;
}

/** Reads the crash count and waits the delay it asks for; resolves when the kiosk may start. */
export async function startAfterCrashes(o: CrashStartOptions): Promise<CrashStart> {
  const timers = o.timers ?? realTimers;
  const record = CrashRecord.begin({ dataDir: o.dataDir, log: o.log, ...o.crashes });
  // A crash loop starts at once, out of service: a dark screen tells a citizen nothing.
  const backoffMs = record.crashLoop
    ? 0
    : record.backoffMs(o.crashes?.backoffBaseMs, o.crashes?.backoffMaxMs);
  if (record.crashes > 0) o.log(`starting after ${record.crashes} recent crash(es), in ${backoffMs} ms`);
  if (backoffMs === 0) return { record, backoffMs, stopped: false };
  let timer: unknown;
  const waited = await Promise.race([
    new Promise<'go'>((resolve) => (timer = timers.setTimeout(() => resolve('go'), backoffMs))),
    o.stop.then(() => 'stop' as const),
  ]);
  timers.clearTimeout(timer);
  if (waited === 'stop') record.end(true);
  return { record, backoffMs, stopped: waited === 'stop' };
}

/**
 * In a crash loop, calls `retry` once the loop's window has passed (the caller exits cleanly and its
 * supervisor starts it normally). Returns a cancel function; nothing is scheduled outside a loop.
 */
export function retryAfterCrashLoop(
  record: CrashRecord,
  retry: () => void,
  log: (msg: string) => void,
  timers: Timers = realTimers,
): () => void {
  if (!record.crashLoop) return () => {};
  log(`a normal start is tried again in ${record.loopEndsInMs} ms`);
  const handle = timers.setTimeout(retry, record.loopEndsInMs);
  return () => timers.clearTimeout(handle);
}
