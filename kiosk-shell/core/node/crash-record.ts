// The kiosk's own count of its recent crashes (K-1), kept in its data directory so that it survives
// the crash itself. Every start marks the run as "running"; a clean stop clears the mark. A start
// that finds the mark still set follows a crash (kill -9, an abort, a watchdog kill, power loss), and
// so does a stop with a failure code. Too many crashes within the window is a crash loop: the kiosk
// then starts in a reduced mode that shows the out-of-service screen with the reason and reports it
// in its heartbeats, instead of crashing again in front of a citizen; once the window has passed it
// tries a normal start again. systemd's RestartSec/RestartSteps space the restarts meanwhile.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const CRASH_RECORD_FILE = 'runs.json';

const recordSchema = z.object({
  running: z.boolean(),
  /** Wall-clock milliseconds of the recent crashes, oldest first. */
  crashes: z.array(z.number()).max(1_000),
});
type RunRecord = z.infer<typeof recordSchema>;

export interface CrashRecordOptions {
  dataDir: string;
  /** Crashes older than this no longer count. Default 10 minutes. */
  windowMs?: number;
  /** This many crashes within the window is a crash loop. Default 5. */
  burst?: number;
  now?: () => number;
  log?: (msg: string, detail?: unknown) => void;
}

export class CrashRecord {
  /** The crashes within the window, this start's predecessor included. */
  readonly crashes: number;
  /** Whether this start follows a crash loop: the kiosk shows out of service until the window passes. */
  readonly crashLoop: boolean;
  /** Milliseconds until the oldest counted crash leaves the window (when a normal start may be tried). */
  readonly loopEndsInMs: number;
  private readonly file: string;
  private readonly record: RunRecord;
  private ended = false;

  private constructor(private readonly o: Required<Omit<CrashRecordOptions, 'log'>> & CrashRecordOptions) {
    this.file = join(o.dataDir, CRASH_RECORD_FILE);
    const previous = this.read();
    const now = o.now();
    const crashes = previous.crashes.filter((at) => at > now - o.windowMs && at <= now);
    if (previous.running) crashes.push(now);
    this.record = { running: true, crashes: crashes.slice(-100) };
    this.crashes = crashes.length;
    this.crashLoop = crashes.length >= o.burst;
    const oldest = crashes[Math.max(0, crashes.length - o.burst)] ?? now;
    this.loopEndsInMs = Math.max(0, oldest + o.windowMs - now);
    this.write();
  }

  /** Reads the record of the previous runs and marks this one as running. */
  static begin(o: CrashRecordOptions): CrashRecord {
    return new CrashRecord({ windowMs: 10 * 60_000, burst: 5, now: Date.now, ...o });
  }

  /**
   * How long to wait before starting after this many crashes: nothing after one (a citizen may be
   * waiting), then doubling from `baseMs` up to `maxMs`, so that a crash at start does not spin.
   */
  backoffMs(baseMs = 2_000, maxMs = 60_000): number {
    if (this.crashes <= 1) return 0;
    return Math.min(maxMs, baseMs * 2 ** (this.crashes - 2));
  }

  /** Why the kiosk is out of service, for the screen, the heartbeat and the log. */
  get reason(): string {
    return `crash-loop: ${this.crashes} crashes within ${Math.round(this.o.windowMs / 60_000)} min`;
  }

  /** The run ends: cleanly (SIGTERM, a planned restart) or with a failure, which counts as a crash. */
  end(clean: boolean): void {
    if (this.ended) return;
    this.ended = true;
    this.record.running = false;
    if (!clean) this.record.crashes.push(this.o.now());
    this.write();
  }

  private read(): RunRecord {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return { running: false, crashes: [] };
    }
    try {
      return recordSchema.parse(JSON.parse(text));
    } catch {
      // A torn or foreign file: what it held is unknown, so the start counts as after a crash.
      this.o.log?.(`the crash record ${this.file} was unreadable; counted as one crash`);
      return { running: true, crashes: [] };
    }
  }

  private write(): void {
    // Written aside and renamed: a crash while writing leaves the old record or the new, never half.
    const tmp = `${this.file}.tmp`;
    try {
      // The first start may come before anything else made the data directory.
      mkdirSync(this.o.dataDir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, JSON.stringify(this.record), { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch (err) {
      // A full disk (K-3) must not stop the kiosk from starting; the count is only lost for now.
      this.o.log?.('the crash record could not be written', err);
    }
  }
}
