// The kiosk as the footprint benchmark starts it: the agent (runtime and local host) and its
// Chromium window, headless, in this process as agent-run.ts does (Chromium spawned first, the agent
// loaded and started meanwhile), bundled and started with plain node like the packaged unit (or
// with tsx, for comparison). It prints one JSON line once the idle screen is on and interactive (the
// page rendered the core's state, which it asks for only after its controls are wired), then runs
// until SIGTERM.
import type { KioskAgent } from '../../kiosk-shell/host/node/agent.ts';
import { launchKioskWindow } from '../../kiosk-shell/host/node/launcher.ts';

/** Resolves in the page once the idle screen is shown. */
const IDLE_SHOWN = `new Promise((resolve) => {
  const shown = () => { const el = document.querySelector('[data-screen="idle"]'); return !!el && !el.hidden; };
  if (document.readyState !== 'loading' && shown()) return resolve(true);
  new MutationObserver((_, o) => { if (shown()) { o.disconnect(); resolve(true); } })
    .observe(document.documentElement, { subtree: true, attributes: true, childList: true });
})`;

async function main(): Promise<void> {
  const env = process.env;
  /** Milliseconds since this process started, at each phase. */
  const phases: Record<string, number> = { loaded: performance.now() };
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  let agentStarted!: (agent: KioskAgent) => void;
  const agentReady = new Promise<KioskAgent>((resolve) => (agentStarted = resolve));
  const opening = launchKioskWindow({
    page: agentReady.then((a) => ({ pageUrl: a.host.bareUrl, pageSecret: a.host.secret })),
    prefer: 'chromium',
    headless: true,
    autoGrantMedia: true,
    ...(env.BENCH_CHROMIUM ? { chromiumPath: env.BENCH_CHROMIUM } : {}),
    log,
  });
  const { startKioskAgent } = await import('../../kiosk-shell/host/node/agent.ts');
  const agent = await startKioskAgent({
    serverUrl: env.SPORTELLO_SERVER_URL!,
    credential: env.SPORTELLO_TOTEM_CREDENTIAL!,
    dataDir: env.SPORTELLO_KIOSK_DATA_DIR!,
    pagesDir: env.SPORTELLO_KIOSK_PAGES_DIR!,
    // The "call ended" screen for a moment only: the benchmark counts calls, not reading time.
    core: { endedScreenMs: 50 },
    disk: false,
    fleet: false,
    log,
  });
  agentStarted(agent);
  phases.agent = performance.now();
  const win = await opening;
  if (!win.opened) {
    log(`no kiosk window: ${win.reason}`);
    process.exit(1);
  }
  phases.window = performance.now();
  // The page may still be navigating when the first evaluation arrives: try again on a new document.
  for (;;) {
    try {
      if ((await win.evaluate!(IDLE_SHOWN)) === true) break;
    } catch {
      /* the document changed under the evaluation */
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      idleMs: performance.now(),
      phases,
      agentPid: process.pid,
      windowPid: win.pid,
      origin: agent.host.origin,
      secret: agent.host.secret,
    })}\n`,
  );
  // "gc" on stdin: a full garbage collection in the page and in the agent (both started with
  // --expose-gc), so that a memory reading shows what is kept, not what is not yet collected.
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    if (!d.includes('gc')) return;
    void (async () => {
      await win.evaluate!('(globalThis.gc ? (gc(), true) : false)').catch(() => false);
      (globalThis as { gc?: () => void }).gc?.();
      process.stdout.write('gc-done\n');
    })();
  });
  process.once('SIGTERM', () => {
    void (async () => {
      await win.close();
      await agent.close();
      process.exit(0);
    })();
  });
}

// No top-level await: the benchmark also runs this file bundled as CommonJS, like a packaged agent.
main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
