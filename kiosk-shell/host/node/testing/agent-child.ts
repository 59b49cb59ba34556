// The kiosk agent as the K-1 test's supervisor starts it: agent-run.ts without a window (the test
// plays the page over the kiosk API), its crash-count settings from SPORTELLO_TEST_CRASHES (JSON).
// SPORTELLO_TEST_WINDOW=headless opens a headless Chromium window (K-2). It prints one JSON line when the page is served, then runs until killed or sent SIGTERM.
import { runKioskAgent } from '../agent-run.ts';

const stop = new Promise<void>((resolve) => process.once('SIGTERM', () => resolve()));
const crashes = JSON.parse(process.env.SPORTELLO_TEST_CRASHES ?? '{}') as Record<string, number>;

runKioskAgent({
  env: process.env,
  defaults: {
    dataDir: process.env.SPORTELLO_KIOSK_DATA_DIR!,
    pagesDir: process.env.SPORTELLO_KIOSK_PAGES_DIR!,
  },
  window: process.env.SPORTELLO_TEST_WINDOW === 'headless' ? 'headless' : false,
  crashes,
  runtime: { disk: false },
  stop,
  log: (msg) => process.stderr.write(`${msg}\n`),
  onReady: ({ agent, crashes, backoffMs, crashLoop }) => {
    const { origin, secret } = agent.host;
    process.stdout.write(
      `${JSON.stringify({ pid: process.pid, origin, bareUrl: agent.host.bareUrl, secret, crashes, backoffMs, crashLoop })}\n`,
    );
  },
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
