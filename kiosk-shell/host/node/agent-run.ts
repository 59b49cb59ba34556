// One run of the Chromium variant's kiosk agent, from configuration to exit code: what agent-cli.ts
// does under systemd, and what the K-1 test runs under its own supervisor (without a window, the
// test being the page). Crashes are counted in the data directory (crash-record.ts): after a crash
// the start waits a growing delay, and a crash loop starts out of service and tries a normal start
// again once the loop's window has passed (exit 0, systemd starts the agent again).
import type { CrashRecordOptions } from '../../core/node/crash-record.ts';
import { retryAfterCrashLoop, startAfterCrashes } from '../../core/node/crash-start.ts';
import { PAGE_FRAME_EXPRESSION } from '../../core/node/health.ts';
import { loadMainConfig } from '../../core/node/kiosk-config.ts';
import { resolveDisplay } from '../../core/node/kiosk-display-config.ts';
import { startKioskWatchdog } from '../../core/node/watchdog.ts';
import type { KioskRuntimeOptions } from '../../core/node/runtime.ts';
import type { KioskAgent } from './agent.ts';
import { launchKioskWindow, type KioskLaunchResult, type KioskWindowHandle } from './launcher.ts';

export interface AgentRunOptions {
  env: NodeJS.ProcessEnv;
  defaults: { dataDir: string; pagesDir: string };
  /** Opens the kiosk window in Chromium (headless: tests). Default true; false serves the page only. */
  window?: boolean | 'headless';
  /** The crash count's window and burst, and the restart delay's base and cap. Defaults in crash-record.ts. */
  crashes?: Partial<Pick<CrashRecordOptions, 'windowMs' | 'burst'>> & {
    backoffBaseMs?: number;
    backoffMaxMs?: number;
  };
  /** Runtime settings beyond the configuration (the disk guard's margin, heartbeat period). */
  runtime?: Pick<KioskRuntimeOptions, 'disk' | 'fleet'>;
  /** Told when the page is served (and on screen, with a window). */
  onReady?: (info: { agent: KioskAgent; crashes: number; backoffMs: number; crashLoop: boolean }) => void;
  /** Resolves when the agent should stop cleanly (SIGTERM). */
  stop: Promise<void>;
  log: (msg: string, detail?: unknown) => void;
}

/** Runs the agent until it is stopped or its window ends; resolves with the process's exit code. */
export async function runKioskAgent(o: AgentRunOptions): Promise<number> {
  const { log } = o;
  const config = loadMainConfig(o.env, o.defaults);
  const start = await startAfterCrashes({
    dataDir: config.dataDir,
    stop: o.stop,
    log,
    ...(o.crashes ? { crashes: o.crashes } : {}),
  });
  if (start.stopped) return 0;
  const { record, backoffMs } = start;
  const stopped = o.stop.then(() => 'stop' as const);
  // Filled once the window is open; the fleet's screenshot action reads it then.
  const screen: { window?: KioskWindowHandle } = {};
  // Chromium starts first and comes up while the agent loads its code and opens its databases,
  // devices and local host (a cold Chromium takes longer than all of that); the window takes the
  // page over its DevTools pipe as soon as the host serves it. The agent's code (the runtime,
  // SQLite, socket.io) is loaded only now, after Chromium was spawned: in the bundle the unit
  // runs, a dynamic import is a module initialised on demand.
  let agentStarted!: (agent: KioskAgent) => void;
  let agentFailed!: (err: unknown) => void;
  const agentReady = new Promise<KioskAgent>((resolve, reject) => {
    agentStarted = resolve;
    agentFailed = reject;
  });
  const opening: Promise<KioskLaunchResult> | undefined =
    o.window !== false
      ? launchKioskWindow({
          page: agentReady.then((a) => ({ pageUrl: a.host.bareUrl, pageSecret: a.host.secret })),
          prefer: 'chromium',
          headless: o.window === 'headless',
          log,
        })
      : undefined;
  // Awaited below, after the agent: a launch that throws meanwhile is not an unhandled rejection.
  opening?.catch(() => {});
  let agent: KioskAgent;
  try {
    const { startKioskAgent } = await import('./agent.ts');
    agent = await startKioskAgent({
      dataDir: config.dataDir,
      pagesDir: config.pagesDir,
      ...(config.serverUrl ? { serverUrl: config.serverUrl } : {}),
      ...(config.credential ? { credential: config.credential } : {}),
      ...(config.device ? { device: config.device } : {}),
      core: { display: resolveDisplay(config.display), ...(config.audio ? { audio: config.audio } : {}) },
      crashes: record,
      ...o.runtime,
      fleet: {
        captureScreen: async () => {
          if (!screen.window?.capture) throw new Error('no kiosk window on screen');
          return screen.window.capture();
        },
        ...(o.runtime?.fleet || {}),
      },
      log,
    });
  } catch (err) {
    // The window closes itself on the failed page; then the failure is the caller's.
    agentFailed(err);
    await opening;
    throw err;
  }
  agentStarted(agent);
  if (opening) {
    const opened = await opening;
    if (!opened.opened) {
      log(`no kiosk window: ${opened.reason}`);
      record.end(false);
      await agent.close();
      return 1;
    }
    screen.window = opened;
  }
  // systemd's watchdog (K-2): READY=1 now, WATCHDOG=1 after each passing health check.
  const win = screen.window;
  const watchdog = startKioskWatchdog({
    env: o.env,
    core: agent.core,
    log,
    ...(win?.evaluate ? { pageFrame: () => win.evaluate!(PAGE_FRAME_EXPRESSION) } : {}),
    ...(agent.devices
      ? {
          device: () => ({
            state: agent.devices!.manager.status.state,
            msSinceLastPoll: agent.devices!.manager.msSinceLastPoll(),
          }),
        }
      : {}),
  });
  o.onReady?.({ agent, crashes: record.crashes, backoffMs, crashLoop: record.crashLoop });
  const ends: Promise<number>[] = [stopped.then(() => 0)];
  if (screen.window) ends.push(screen.window.exited.then(() => 1));
  let cancelRetry = () => {};
  if (record.crashLoop)
    ends.push(new Promise((resolve) => (cancelRetry = retryAfterCrashLoop(record, () => resolve(0), log))));
  const code = await Promise.race(ends);
  cancelRetry();
  watchdog.close();
  // A window that ended on its own is a crash too (E-7): it counts towards the loop.
  if (code !== 0) record.end(false);
  await screen.window?.close();
  await agent.close();
  return code;
}
