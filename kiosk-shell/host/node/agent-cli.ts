// The Chromium variant of the totem, as systemd starts it in its cage session
// (kiosk-shell/packaging/systemd/sportello-kiosk-chromium.service): the kiosk agent (core, fleet,
// handset, local host) and Debian's Chromium on its page, with the per-start secret handed over the
// window's DevTools pipe. The configuration is the Electron shell's (environment, or the JSON file
// named by SPORTELLO_KIOSK_CONFIG). When the window ends, so does the agent, with a non-zero code,
// and systemd starts both again; SIGTERM ends both cleanly. What one run does: agent-run.ts.
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../core/node/kiosk-config.ts';
import { runKioskAgent } from './agent-run.ts';

/** Where the package and docs/totem-install.md put the data, apart from the program. */
export const DEFAULT_DATA_DIR = '/var/lib/sportello-kiosk';
const DEFAULT_PAGES_DIR = fileURLToPath(new URL('../../../app/dist', import.meta.url));

const log = (msg: string, detail?: unknown) =>
  console.error(detail === undefined ? msg : `${msg} ${JSON.stringify(detail)}`);

const stop = new Promise<void>((resolve) => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve());
});

runKioskAgent({
  env: process.env,
  defaults: { dataDir: DEFAULT_DATA_DIR, pagesDir: DEFAULT_PAGES_DIR },
  stop,
  log,
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      log(err.message);
      process.exit(1);
    }
    // The crash record still says "running": the next start counts this as a crash.
    log('the kiosk agent failed', err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
