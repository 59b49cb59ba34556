// The Chromium variant of the totem, as systemd starts it in its cage session
// (kiosk-shell/packaging/systemd/sportello-kiosk-chromium.service): the kiosk agent (core, fleet,
// handset, local host) and Debian's Chromium on its page, with the per-start secret handed over the
// window's DevTools pipe. The configuration is the Electron shell's (environment, or the JSON file
// named by SPORTELLO_KIOSK_CONFIG). When the window ends, so does the agent, with a non-zero code,
// and systemd starts both again; SIGTERM ends both cleanly.
import { fileURLToPath } from 'node:url';
import { ConfigError, loadMainConfig } from '../../core/node/kiosk-config.ts';
import { startKioskAgent } from './agent.ts';
import { launchKioskWindow, type KioskWindowHandle } from './launcher.ts';

/** Where the package and docs/totem-install.md put the data, apart from the program. */
export const DEFAULT_DATA_DIR = '/var/lib/sportello-kiosk';
const DEFAULT_PAGES_DIR = fileURLToPath(new URL('../../../app/dist', import.meta.url));

const log = (msg: string, detail?: unknown) =>
  console.error(detail === undefined ? msg : `${msg} ${JSON.stringify(detail)}`);

async function main(): Promise<number> {
  let config;
  try {
    config = loadMainConfig(process.env, { dataDir: DEFAULT_DATA_DIR, pagesDir: DEFAULT_PAGES_DIR });
  } catch (err) {
    if (err instanceof ConfigError) {
      log(err.message);
      return 1;
    }
    throw err;
  }
  // Filled once the window is open; the fleet's screenshot action reads it then.
  const screen: { window?: KioskWindowHandle } = {};
  const agent = await startKioskAgent({
    dataDir: config.dataDir,
    pagesDir: config.pagesDir,
    ...(config.serverUrl ? { serverUrl: config.serverUrl } : {}),
    ...(config.credential ? { credential: config.credential } : {}),
    ...(config.device ? { device: config.device } : {}),
    fleet: {
      captureScreen: async () => {
        if (!screen.window?.capture) throw new Error('no kiosk window on screen');
        return screen.window.capture();
      },
    },
    log,
  });
  const opened = await launchKioskWindow({
    pageUrl: agent.host.bareUrl,
    pageSecret: agent.host.secret,
    prefer: 'chromium',
    log,
  });
  if (!opened.opened) {
    log(`no kiosk window: ${opened.reason}`);
    await agent.close();
    return 1;
  }
  screen.window = opened;
  const stop = new Promise<number>((resolve) => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => resolve(0));
  });
  const code = await Promise.race([stop, opened.exited.then(() => 1)]);
  await opened.close();
  await agent.close();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log('the kiosk agent failed', err instanceof Error ? err.stack : String(err));
    process.exit(1);
  },
);
