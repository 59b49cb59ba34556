// Opens the kiosk window on this machine: the Electron shell when its binary and bundle are there,
// otherwise Debian's Chromium in kiosk mode on the host's page URL. Without a display it opens
// nothing and says why, so `npm start` can print the URL instead. Electron is only located here,
// never loaded: node/ code runs without Electron.
//
// Locked down: the window never runs with --no-sandbox. Started by root (a test, a technician), it
// runs as the unprivileged kiosk user instead (KIOSK_USER, made by scripts/setup-system.sh and the
// package), with a profile folder that user owns; Chromium's sandbox then works through user
// namespaces. The page's per-start secret goes over the private DevTools pipe, never on a command
// line (any local user can read /proc/*/cmdline).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { CdpPipe, captureKioskPage, evaluateInPage, openPageWithSecret } from './cdp-pipe.ts';

/** The unprivileged system user the window runs as when the launcher is root. */
export const KIOSK_USER = 'sportello-kiosk';
/** How long Chromium gets to show its first page target and take the page over the pipe. */
const HANDOVER_TIMEOUT_MS = 30_000;

/** The Electron main bundle written by `npm run build --workspace kiosk-shell`. */
export const ELECTRON_MAIN_BUNDLE = fileURLToPath(new URL('../../electron/dist/main.cjs', import.meta.url));
/** How long a window gets to exit on SIGTERM before it is killed. */
const KILL_GRACE_MS = 5000;

export interface ElectronKioskConfig {
  serverUrl: string;
  /** Totem credential "<totem id>:<secret>". */
  credential: string;
  dataDir: string;
}

export interface KioskLaunchOptions {
  /**
   * Page for Chromium: the kiosk host's `bareUrl`, with `pageSecret`; or a URL that needs no secret.
   * Chromium needs it.
   */
  pageUrl?: string;
  /**
   * The host's per-start secret. Chromium starts on about:blank and the launcher hands the secret
   * and the page over its DevTools pipe, so the secret is on no command line.
   */
  pageSecret?: string;
  /**
   * The page and its secret when they are not known yet (the agent is still starting): Chromium
   * starts at once on about:blank, and takes the page over its DevTools pipe when this resolves.
   * If it rejects, the window is closed and nothing is opened. Chromium only.
   */
  page?: Promise<{ pageUrl: string; pageSecret: string }>;
  /** Run Chromium headless (tests and self-checks on machines without a screen). Default false. */
  headless?: boolean;
  /**
   * Who the window runs as when the launcher is root: a user name or ids. Default KIOSK_USER. When
   * that user does not exist, nothing is opened (root is never sandbox-less).
   */
  runAs?: string | { uid: number; gid: number };
  /** Core settings for Electron, which runs its own kiosk core; without them Electron is not used. */
  electron?: ElectronKioskConfig;
  /** Which runtime to use. Default 'auto': Electron when possible, else Chromium. */
  prefer?: 'auto' | 'electron' | 'chromium';
  /** Grant camera and microphone without a prompt in Chromium (demos, tests). Default false. */
  autoGrantMedia?: boolean;
  /** Environment for the display check and the child. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Chromium binary. Default SPORTELLO_CHROMIUM, /usr/bin/chromium, or chromium on PATH. */
  chromiumPath?: string;
  /** Electron binary; null forbids Electron. Default: located through the electron package. */
  electronPath?: string | null;
  /** Electron main bundle. Default ELECTRON_MAIN_BUNDLE. */
  electronMain?: string;
  /** Whether we run as root (the window then runs as `runAs`). Default from process.getuid(). */
  isRoot?: boolean;
  log?: (msg: string, detail?: unknown) => void;
}

export type KioskWindowHandle = {
  opened: true;
  runtime: 'electron' | 'chromium';
  pid: number;
  /** Chromium's fresh profile folder, removed by close(). */
  userDataDir?: string;
  /** A PNG of the page as shown now; Chromium only (Electron main captures its own window). */
  capture?: () => Promise<Buffer>;
  /**
   * Evaluates an expression in the running kiosk page (a returned promise is awaited); Chromium
   * started with `pageSecret` only. For health checks and tests (E-2).
   */
  evaluate?: (expression: string) => Promise<unknown>;
  /** Resolves with the exit code (or null after a signal) when the window process ends. */
  exited: Promise<number | null>;
  /** Ends the window process and removes its temporary profile; safe to call twice. */
  close(): Promise<void>;
};
export type KioskLaunchResult = KioskWindowHandle | { opened: false; reason: string };

/** Whether a graphical session is reachable (X11 or Wayland). */
export function hasDisplay(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

export interface ChromiumArgsInput {
  /** The first page: about:blank when the page comes over the DevTools pipe with its secret. */
  pageUrl: string;
  userDataDir: string;
  autoGrantMedia: boolean;
  headless?: boolean;
}

/**
 * Chromium features the kiosk's one app window never uses, switched off because each costs a
 * process and its memory (measured with `npm run bench kiosk`, README "Tests and benchmarks"):
 * - SpareRendererForSitePerProcess: a renderer kept ready for the next tab or site; the kiosk never
 *   opens one (one process fewer, about 15 MB of Chromium's code less touched);
 * - WebUIOmniboxPopup and WebUIOmniboxAimPopup: the address bar's suggestion popup, drawn as a
 *   WebUI page that Chromium preloads in a renderer of its own at start, though an app window has
 *   no address bar (both are needed; one renderer fewer, about 40 MB).
 * None touches the sandbox: every renderer left still runs in its namespaces (the e2e lockdown test).
 * Tried and left out, for no gain or a cost: --renderer-process-limit=1 (no process fewer: the
 * WebUI renderer cannot share with the page), --disable-gpu (the GPU process stays, for software
 * compositing), --in-process-gpu (the GPU code would leave its sandbox, and headless Chromium here
 * then never showed the page), --disable-extensions (nothing to remove), the audio service in the
 * browser process (about 7 MB, but a fault in audio would then take the whole window down).
 */
export const KIOSK_DISABLED_FEATURES = [
  'SpareRendererForSitePerProcess',
  'WebUIOmniboxPopup',
  'WebUIOmniboxAimPopup',
] as const;

/**
 * Chromium's command line for the kiosk: full screen, one app window, a throwaway profile, quiet.
 * Never --no-sandbox, and never a secret: the page and its secret come over the DevTools pipe.
 */
export function chromiumKioskArgs(i: ChromiumArgsInput): string[] {
  return [
    ...(i.headless ? ['--headless'] : ['--kiosk']),
    `--app=${i.pageUrl}`,
    `--user-data-dir=${i.userDataDir}`,
    '--autoplay-policy=no-user-gesture-required',
    ...(i.autoGrantMedia ? ['--use-fake-ui-for-media-stream'] : []),
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--noerrdialogs',
    '--disable-translate',
    '--disable-session-crashed-bubble',
    // Chromium keeps only the last --disable-features: every feature the kiosk turns off is here.
    `--disable-features=${KIOSK_DISABLED_FEATURES.join(',')}`,
    // The fleet's screenshot action: DevTools over a pipe only this launcher holds (no port).
    '--remote-debugging-pipe',
    '--ozone-platform-hint=auto',
  ];
}

/** Electron's command line: the main bundle, plus what Wayland needs. Never --no-sandbox. */
export function electronArgs(mainFile: string): string[] {
  return [mainFile, '--ozone-platform-hint=auto'];
}

/** The ids of a user from /etc/passwd, or undefined when there is no such user. */
export function lookupUser(name: string, passwd = '/etc/passwd'): { uid: number; gid: number } | undefined {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

/**
 * The Electron binary, or undefined. The electron package's index.js returns the binary's path
 * but throws when the binary was never downloaded, so both the throw and a stale path count as absent.
 */
export function findElectron(): string | undefined {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Debian's Chromium: SPORTELLO_CHROMIUM, /usr/bin/chromium, or chromium / chromium-browser on PATH. */
export function findChromium(env: NodeJS.ProcessEnv): string | undefined {
  const candidates = [env.SPORTELLO_CHROMIUM, '/usr/bin/chromium'];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    candidates.push(join(dir, 'chromium'), join(dir, 'chromium-browser'));
  }
  return candidates.find((c): c is string => Boolean(c) && isExecutable(c!));
}

export type RuntimeChoice =
  | { runtime: 'electron'; binary: string; mainFile: string; config: ElectronKioskConfig }
  | { runtime: 'chromium'; binary: string; pageUrl: string }
  | { runtime: 'none'; reason: string };

export interface RuntimeFacts {
  env: NodeJS.ProcessEnv;
  prefer: 'auto' | 'electron' | 'chromium';
  electronPath: string | undefined;
  electronMainExists: boolean;
  electronMain: string;
  electron: ElectronKioskConfig | undefined;
  chromiumPath: string | undefined;
  pageUrl: string | undefined;
}

/** Picks the runtime from what is present; never opens anything. */
export function chooseRuntime(f: RuntimeFacts): RuntimeChoice {
  if (!hasDisplay(f.env))
    return { runtime: 'none', reason: 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  const electronMissing = !f.electronPath
    ? 'the Electron binary is not installed'
    : !f.electronMainExists
      ? `the Electron bundle ${f.electronMain} is missing (npm run build --workspace kiosk-shell)`
      : !f.electron
        ? 'no core settings were given for Electron'
        : undefined;
  if (f.prefer !== 'chromium' && !electronMissing) {
    return { runtime: 'electron', binary: f.electronPath!, mainFile: f.electronMain, config: f.electron! };
  }
  if (f.prefer === 'electron')
    return { runtime: 'none', reason: `Electron was asked for, but ${electronMissing}` };
  if (!f.pageUrl)
    return {
      runtime: 'none',
      reason: `no page URL for Chromium, and ${electronMissing ?? 'Chromium was asked for'}`,
    };
  if (!f.chromiumPath)
    return { runtime: 'none', reason: 'Chromium is not installed (apt-get install chromium)' };
  return { runtime: 'chromium', binary: f.chromiumPath, pageUrl: f.pageUrl };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // The window was started as its own process group: its renderers and helpers go with it.
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // The group is already gone.
  }
}

export async function launchKioskWindow(o: KioskLaunchOptions = {}): Promise<KioskLaunchResult> {
  const env = o.env ?? process.env;
  // A page that fails while no window waits for it is its starter's to report, not an unhandled error.
  o.page?.catch(() => {});
  const electronMain = o.electronMain ?? ELECTRON_MAIN_BUNDLE;
  const choice = chooseRuntime({
    env,
    prefer: o.prefer ?? 'auto',
    electronPath: o.electronPath === null ? undefined : (o.electronPath ?? findElectron()),
    electronMainExists: existsSync(electronMain),
    electronMain,
    electron: o.electron,
    chromiumPath: o.chromiumPath ?? findChromium(env),
    pageUrl: o.pageUrl ?? (o.page ? 'about:blank' : undefined),
  });
  if (choice.runtime === 'none') return { opened: false, reason: choice.reason };
  const isRoot = o.isRoot ?? process.getuid?.() === 0;
  // Root never runs a browser: the window drops to the kiosk user, whose sandbox works.
  let ids: { uid: number; gid: number } | undefined;
  if (isRoot) {
    const runAs = o.runAs ?? KIOSK_USER;
    ids = typeof runAs === 'string' ? lookupUser(runAs) : runAs;
    if (!ids || ids.uid === 0) {
      return {
        opened: false,
        reason: `running as root, and the unprivileged user ${String(typeof runAs === 'string' ? runAs : runAs.uid)} to run the window as is missing (scripts/setup-system.sh creates ${KIOSK_USER}); the window never runs without its sandbox`,
      };
    }
  }
  const asUser = ids ? { uid: ids.uid, gid: ids.gid } : {};

  let child: ChildProcess;
  let userDataDir: string | undefined;
  let cdp: CdpPipe | undefined;
  if (choice.runtime === 'electron') {
    const childEnv: NodeJS.ProcessEnv = {
      ...env,
      SPORTELLO_SERVER_URL: choice.config.serverUrl,
      SPORTELLO_TOTEM_CREDENTIAL: choice.config.credential,
      SPORTELLO_KIOSK_DATA_DIR: choice.config.dataDir,
    };
    delete childEnv.ELECTRON_RUN_AS_NODE;
    child = spawn(choice.binary, electronArgs(choice.mainFile), {
      env: childEnv,
      stdio: 'inherit',
      detached: true,
      ...asUser,
    });
  } else {
    userDataDir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-chromium-'));
    // The profile belongs to the user the browser runs as (mkdtemp made it 0700 for us).
    if (ids) chownSync(userDataDir, ids.uid, ids.gid);
    const args = chromiumKioskArgs({
      pageUrl: o.pageSecret !== undefined || o.page ? 'about:blank' : choice.pageUrl,
      userDataDir,
      autoGrantMedia: o.autoGrantMedia === true,
      headless: o.headless === true,
    });
    // Chromium's own chatter (GPU, D-Bus) is not ours to show; fds 3 and 4 are the DevTools pipe.
    // HOME and the XDG folders point into the profile: the kiosk user has no home of its own.
    const childEnv: NodeJS.ProcessEnv = ids
      ? {
          ...env,
          HOME: userDataDir,
          XDG_CONFIG_HOME: join(userDataDir, 'config'),
          XDG_CACHE_HOME: join(userDataDir, 'cache'),
        }
      : env;
    child = spawn(choice.binary, args, {
      env: childEnv,
      stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
      detached: true,
      ...asUser,
    });
    cdp = new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable);
  }

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const failed = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (failed) {
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    return { opened: false, reason: `${choice.runtime} could not start: ${failed.message}` };
  }
  o.log?.(`kiosk window opened in ${choice.runtime}`, { pid: child.pid, uid: ids?.uid });

  let closing: Promise<void> | undefined;
  const handle: KioskWindowHandle = {
    opened: true,
    runtime: choice.runtime,
    pid: child.pid!,
    ...(userDataDir ? { userDataDir } : {}),
    exited,
    ...(cdp ? { capture: () => captureKioskPage(cdp) } : {}),
    close() {
      closing ??= (async () => {
        // A window that already ended on its own is not signalled: its group id may belong to no one now.
        if (child.exitCode === null && child.signalCode === null) {
          signalGroup(child, 'SIGTERM');
          const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), KILL_GRACE_MS);
          await exited;
          clearTimeout(killer);
          // Helpers that outlived the browser process are ended with it.
          signalGroup(child, 'SIGKILL');
        }
        cdp?.close();
        if (userDataDir) await rm(userDataDir, { recursive: true, force: true, maxRetries: 5 });
      })();
      return closing;
    },
  };
  if (cdp && (o.pageSecret !== undefined || o.page) && choice.runtime === 'chromium') {
    let page: { pageUrl: string; pageSecret: string };
    try {
      page = o.page ? await o.page : { pageUrl: choice.pageUrl, pageSecret: o.pageSecret! };
    } catch (err) {
      await handle.close();
      return { opened: false, reason: `no page for the window: ${(err as Error).message}` };
    }
    try {
      const session = await openPageWithSecret(cdp, page.pageUrl, page.pageSecret, HANDOVER_TIMEOUT_MS);
      const pipe = cdp;
      handle.evaluate = (expression) => evaluateInPage(pipe, session, expression);
    } catch (err) {
      await handle.close();
      return { opened: false, reason: `chromium did not take the page: ${(err as Error).message}` };
    }
  }
  return handle;
}
