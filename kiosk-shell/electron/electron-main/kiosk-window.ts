// Keeps exactly one kiosk window alive (RELIABILITY E-7): when the renderer crashes, is killed or
// hangs, or the window is closed, the window is destroyed without any dialog and a fresh one loads
// the page again. Crash loops are slowed down so a broken page cannot spin the CPU.
import type { BrowserWindow } from 'electron';

/** Restarts inside this window count as one crash loop. */
const LOOP_WINDOW_MS = 60_000;
const FREE_RESTARTS = 3;
const MAX_DELAY_MS = 30_000;

/** Delay before the next window, given how many were recreated within the last minute. */
export function restartDelayMs(recentRestarts: number): number {
  if (recentRestarts < FREE_RESTARTS) return 0;
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (recentRestarts - FREE_RESTARTS));
}

export interface KioskWindowKeeperOptions {
  /** Creates one window with the kiosk options (window-options.ts). */
  createWindow: () => BrowserWindow;
  pageUrl: string;
  /** Called when the page was lost, before the new window loads: the core goes back to idle. */
  onPageLost: (why: string) => void;
  log: (msg: string, detail?: unknown) => void;
  now?: () => number;
}

export class KioskWindowKeeper {
  private window: BrowserWindow | undefined;
  private restarts: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: KioskWindowKeeperOptions) {}

  /** The live window, if any. */
  get current(): BrowserWindow | undefined {
    return this.window && !this.window.isDestroyed() ? this.window : undefined;
  }

  open(): void {
    if (this.closed || this.current) return;
    const win = this.o.createWindow();
    this.window = win;
    win.once('ready-to-show', () => win.show());
    win.webContents.on('render-process-gone', (_event, details) =>
      this.replace(win, `renderer gone: ${details.reason} (exit code ${details.exitCode})`),
    );
    win.on('unresponsive', () => this.replace(win, 'renderer unresponsive'));
    win.on('closed', () => this.replace(win, 'window closed'));
    win.loadURL(this.o.pageUrl).catch((err: unknown) => this.o.log('kiosk page failed to load', err));
  }

  /** A picture of the page as shown now (the fleet's screenshot action, only asked at idle). */
  async capture(): Promise<{ toPNG(): Buffer }> {
    const win = this.current;
    if (!win || win.webContents.isDestroyed()) throw new Error('no kiosk window to capture');
    return win.webContents.capturePage();
  }

  /** Sends a message to the page when there is one; a message for a lost page is dropped. */
  send(channel: string, ...args: unknown[]): void {
    const win = this.current;
    if (win && !win.webContents.isDestroyed()) win.webContents.send(channel, ...args);
  }

  private replace(win: BrowserWindow, why: string): void {
    // Events of a window already replaced (its own 'closed' after destroy()) are ignored.
    if (this.closed || win !== this.window) return;
    this.window = undefined;
    this.o.log('recreating the kiosk window', { why });
    if (!win.isDestroyed()) win.destroy();
    this.o.onPageLost(why);
    const now = (this.o.now ?? Date.now)();
    this.restarts = [...this.restarts.filter((t) => now - t < LOOP_WINDOW_MS), now];
    const delay = restartDelayMs(this.restarts.length - 1);
    if (delay === 0) return this.open();
    this.o.log('kiosk window crash loop: waiting before the next window', { delayMs: delay });
    this.timer = setTimeout(() => this.open(), delay);
  }

  /** Stops recreating and destroys the window; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    const win = this.window;
    this.window = undefined;
    if (win && !win.isDestroyed()) win.destroy();
  }
}
