// E-7 through fake windows: there is no Electron runtime in the test environment.
import type { BrowserWindow } from 'electron';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { KioskWindowKeeper, restartDelayMs } from './kiosk-window.ts';

class FakeContents extends EventEmitter {
  sent: unknown[][] = [];
  destroyed = false;
  send(...args: unknown[]): void {
    this.sent.push(args);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

class FakeWindow extends EventEmitter {
  readonly webContents = new FakeContents();
  loaded: string[] = [];
  shown = false;
  destroyed = false;
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {
    this.shown = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    // Electron emits 'closed' synchronously from destroy().
    this.emit('closed');
  }
}

function keeper(now = () => 0) {
  const windows: FakeWindow[] = [];
  const lost: string[] = [];
  const k = new KioskWindowKeeper({
    createWindow: () => {
      const w = new FakeWindow();
      windows.push(w);
      return w as unknown as BrowserWindow;
    },
    pageUrl: 'app://kiosk/kiosk/index.html',
    onPageLost: (why) => lost.push(why),
    log: () => {},
    now,
  });
  return { k, windows, lost };
}

test('E-7 a crashed renderer gets a new window on the kiosk page, without a dialog', () => {
  const { k, windows, lost } = keeper();
  k.open();
  windows[0]!.emit('ready-to-show');
  assert.equal(windows[0]!.shown, true);
  windows[0]!.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 139 });
  assert.equal(windows.length, 2);
  assert.equal(windows[0]!.destroyed, true);
  assert.deepEqual(windows[1]!.loaded, ['app://kiosk/kiosk/index.html']);
  assert.equal(k.current, windows[1] as unknown as BrowserWindow);
  assert.deepEqual(lost, ['renderer gone: crashed (exit code 139)']);
  k.close();
});

test('E-7 a hung renderer or a closed window is replaced too', () => {
  const { k, windows, lost } = keeper();
  k.open();
  windows[0]!.emit('unresponsive');
  windows[1]!.emit('closed');
  assert.equal(windows.length, 3);
  assert.deepEqual(lost, ['renderer unresponsive', 'window closed']);
  k.close();
  k.close();
  assert.equal(windows[2]!.destroyed, true);
  assert.equal(windows.length, 3, 'no window after close()');
});

test('E-7 state goes to the live window only', () => {
  const { k, windows } = keeper();
  k.open();
  k.send('sportello-kiosk:state', { screen: 'idle' });
  assert.deepEqual(windows[0]!.webContents.sent, [['sportello-kiosk:state', { screen: 'idle' }]]);
  k.close();
  k.send('sportello-kiosk:state', { screen: 'idle' });
  assert.equal(windows[0]!.webContents.sent.length, 1);
});

test('E-7 a crash loop is slowed down, a single crash is not', () => {
  assert.equal(restartDelayMs(0), 0);
  assert.equal(restartDelayMs(2), 0);
  assert.equal(restartDelayMs(3), 1000);
  assert.equal(restartDelayMs(4), 2000);
  assert.equal(restartDelayMs(50), 30_000);
  const { k, windows } = keeper();
  k.open();
  for (let i = 0; i < 3; i++)
    windows.at(-1)!.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
  assert.equal(windows.length, 4);
  windows.at(-1)!.webContents.emit('render-process-gone', {}, { reason: 'oom', exitCode: 1 });
  assert.equal(windows.length, 4, 'the fourth restart within a minute waits');
  assert.equal(k.current, undefined);
  k.close();
});
