// Electron main for the totem: one locked-down fullscreen window showing the kiosk page from
// app://kiosk, and the kiosk runtime (identity, agenda cache, server link, call state machine, fleet
// link, handset) running in this process behind one validated IPC channel. Kept thin: every decision lives in a module with tests.
// Runs only as the CommonJS bundle built by electron/build.ts (hence __dirname).
import { KIOSK_CHANNELS } from '@sportello/protocol';
import { BrowserWindow, Menu, app, ipcMain, protocol, session } from 'electron';
import { join } from 'node:path';
import { retryAfterCrashLoop, startAfterCrashes } from '../../core/node/crash-start.ts';
import { startKioskRuntime } from '../../core/node/runtime.ts';
import { startKioskWatchdog } from '../../core/node/watchdog.ts';
import { PAGE_FRAME_EXPRESSION } from '../../core/node/health.ts';
import { kioskCsp } from '../../host/node/static-files.ts';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.ts';
import { loadMainConfig } from './config.ts';
import { resolveDisplay } from '../../core/node/kiosk-display-config.ts';
import { guardAllWebContents, installSessionPolicy } from './install-security.ts';
import { createKioskIpcHandler } from './kiosk-ipc.ts';
import { KioskWindowKeeper } from './kiosk-window.ts';
import { APP_SCHEME, KIOSK_PAGE_URL } from './security-policy.ts';
import { kioskWindowOptions } from './window-options.ts';

function log(msg: string, detail?: unknown): void {
  const line = `${new Date().toISOString()} kiosk-main ${msg}`;
  if (detail === undefined) console.log(line);
  else console.log(line, detail instanceof Error ? detail.stack : JSON.stringify(detail));
}

/** E-7: an error nobody handled leaves main in an unknown state; exit so the supervisor restarts us. */
function fatal(err: unknown): never {
  console.error(`${new Date().toISOString()} kiosk-main fatal error, exiting`, err);
  app.exit(1);
  process.exit(1);
}

process.on('uncaughtException', fatal);
process.on('unhandledRejection', fatal);

// Before the app is ready: the privileged scheme, one instance, no menu (and so no reload or
// devtools accelerators), and the navigation guard on every webContents that will ever exist.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
Menu.setApplicationMenu(null);
guardAllWebContents(app, log);
// The keeper recreates the window itself; the app ends only on an explicit quit or signal.
app.on('window-all-closed', () => {});
process.on('SIGTERM', () => app.quit());
process.on('SIGINT', () => app.quit());

async function start(): Promise<void> {
  const config = loadMainConfig(process.env, {
    dataDir: join(app.getPath('userData'), 'kiosk'),
    // Packaged, the pages are a resource (electron-builder.yml); from a checkout, app/dist.
    pagesDir: app.isPackaged
      ? join(process.resourcesPath, 'pages')
      : join(__dirname, '..', '..', '..', 'app', 'dist'),
  });
  log('starting', { serverUrl: config.serverUrl ?? '(enrolled)', dataDir: config.dataDir });

  // K-1, as on the Chromium variant (crash-start.ts): after crashes the start waits a growing delay;
  // a crash loop starts out of service and quits cleanly once its window has passed, for systemd
  // (Restart=always) to start the app normally.
  const quitting = new Promise<void>((resolve) => app.once('before-quit', () => resolve()));
  const start = await startAfterCrashes({ dataDir: config.dataDir, stop: quitting, log });
  if (start.stopped) return;

  // The window (and so the page to capture) exists only later; screenshots ask the keeper then.
  const screen: { keeper?: KioskWindowKeeper } = {};
  const runtime = await startKioskRuntime({
    dataDir: config.dataDir,
    crashes: start.record,
    ...(config.serverUrl ? { serverUrl: config.serverUrl } : {}),
    ...(config.credential ? { credential: config.credential } : {}),
    ...(config.device ? { device: config.device } : {}),
    core: { display: resolveDisplay(config.display), ...(config.audio ? { audio: config.audio } : {}) },
    fleet: {
      captureScreen: async () => {
        if (!screen.keeper) throw new Error('no kiosk window yet');
        return (await screen.keeper.capture()).toPNG();
      },
    },
    log,
  });
  const { core } = runtime;
  // A restart asked by the fleet: relaunch the whole app, the supervisor sees a clean exit.
  runtime.fleet?.actions.on('restart', () => {
    app.relaunch();
    app.quit();
  });

  installSessionPolicy(session.defaultSession, log);
  const serverOrigin = new URL(runtime.serverUrl).origin;
  const csp = kioskCsp([serverOrigin, serverOrigin.replace(/^http/, 'ws')]);
  protocol.handle(APP_SCHEME, createAppProtocolHandler({ pagesDir: config.pagesDir, csp, log }));

  // The runtime's log: a request that failed for lack of disk space reaches the disk-full guard (K-3).
  const handleRequest = createKioskIpcHandler({ core, log: runtime.log });
  ipcMain.handle(KIOSK_CHANNELS.request, (event, payload: unknown) =>
    handleRequest(event.senderFrame?.url, payload),
  );

  const devTools = !app.isPackaged && process.env.SPORTELLO_KIOSK_DEVTOOLS === '1';
  const keeper = new KioskWindowKeeper({
    createWindow: () =>
      new BrowserWindow(kioskWindowOptions({ preloadPath: join(__dirname, 'preload.cjs'), devTools })),
    pageUrl: KIOSK_PAGE_URL,
    log,
    // A lost page means a lost call and a citizen who may have walked away: start over from idle.
    onPageLost: () => {
      void core
        .handle({ method: 'hangUp' })
        .then(() => core.handle({ method: 'backToIdle' }))
        .catch((err: unknown) => log('could not reset the kiosk after losing the page', err));
    },
  });
  screen.keeper = keeper;
  core.on('state', (state) => keeper.send(KIOSK_CHANNELS.state, state));
  keeper.open();
  const cancelRetry = retryAfterCrashLoop(start.record, () => app.quit(), log);
  // systemd's watchdog (K-2): pings only while the page draws frames and the databases answer.
  const watchdog = startKioskWatchdog({
    env: process.env,
    core,
    log,
    ...(runtime.devices
      ? {
          device: () => ({
            state: runtime.devices!.manager.status.state,
            msSinceLastPoll: runtime.devices!.manager.msSinceLastPoll(),
          }),
        }
      : {}),
    pageFrame: () => {
      const win = keeper.current;
      if (!win || win.webContents.isDestroyed()) return Promise.reject(new Error('no kiosk window'));
      return win.webContents.executeJavaScript(PAGE_FRAME_EXPRESSION) as Promise<unknown>;
    },
  });

  app.once('before-quit', () => {
    log('quitting');
    cancelRetry();
    watchdog.close();
    keeper.close();
    ipcMain.removeHandler(KIOSK_CHANNELS.request);
    void runtime.close();
  });
}

if (app.requestSingleInstanceLock()) {
  app.whenReady().then(start).catch(fatal);
} else {
  log('another kiosk instance is running; exiting');
  app.quit();
}
