// systemd's watchdog for the kiosk (K-2): READY=1 once the kiosk serves, then a health check every
// ping period and WATCHDOG=1 only when it passed. A failed check says why in STATUS= and sends no
// ping; when pings stop for WatchdogSec, systemd kills the kiosk and starts it again (Restart=).
import { checkHealth, type HealthParts, type HealthReport } from './health.ts';
import { createNotifier, watchdogPingMs, type Notifier } from './sd-notify.ts';

export interface WatchdogOptions {
  notifier: Notifier;
  check: () => Promise<HealthReport>;
  /** Milliseconds between checks: half of WatchdogSec (sd-notify.ts watchdogPingMs). */
  pingMs: number;
  log?: (msg: string, detail?: unknown) => void;
}

export class Watchdog {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastFailure = '';

  constructor(private readonly o: WatchdogOptions) {}

  start(): void {
    this.o.notifier.notify('READY=1\nSTATUS=serving');
    void this.tick();
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    const report = await this.o.check();
    if (this.closed) return;
    if (report.ok) {
      if (this.lastFailure) this.o.notifier.notify('STATUS=serving');
      this.o.notifier.notify('WATCHDOG=1');
      this.lastFailure = '';
    } else {
      const why = report.failures.join('; ');
      if (why !== this.lastFailure) this.o.log?.(`health check failed: ${why}`);
      this.lastFailure = why;
      this.o.notifier.notify(`STATUS=unhealthy: ${why.replace(/\n/g, ' ').slice(0, 200)}`);
    }
    this.timer = setTimeout(() => void this.tick(), this.o.pingMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}

export interface KioskWatchdogOptions extends Omit<HealthParts, 'databases' | 'timeoutMs'> {
  env: NodeJS.ProcessEnv;
  core: { databases: HealthParts['databases'] };
  log?: (msg: string, detail?: unknown) => void;
}

/**
 * Tells systemd the kiosk is ready and, when the unit has WatchdogSec= (WATCHDOG_USEC), keeps the
 * watchdog fed while the kiosk is healthy. Without NOTIFY_SOCKET (not under systemd) it does nothing.
 */
export function startKioskWatchdog(o: KioskWatchdogOptions): { close(): void } {
  const notifier = createNotifier(o.env, o.log);
  const pingMs = watchdogPingMs(o.env);
  const { env: _env, core, log, ...parts } = o;
  const watchdog =
    pingMs === undefined
      ? undefined
      : new Watchdog({
          notifier,
          pingMs,
          ...(log ? { log } : {}),
          check: () =>
            checkHealth({ ...parts, databases: () => core.databases(), timeoutMs: Math.max(100, pingMs) }),
        });
  if (watchdog) watchdog.start();
  else notifier.notify('READY=1');
  let closed = false;
  return {
    close() {
      if (closed) return;
      closed = true;
      watchdog?.close();
      notifier.notify('STOPPING=1');
      notifier.close();
    },
  };
}
