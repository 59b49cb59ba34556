// A stand-in for the 'electron' module, so that Electron main's bundle (electron/dist/main.cjs) runs
// under plain Node where Electron's binary cannot be downloaded: `node --import <this> main.cjs`.
// It plays the page once the window loads (asks the kiosk API for its state over the IPC handler,
// as the preload would) and reports what main does as JSON lines on stdout: "fake-electron {...}".
import Module from 'node:module';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';

const say = (event, detail = {}) =>
  process.stdout.write(`fake-electron ${JSON.stringify({ event, ...detail })}\n`);

const ipcHandlers = new Map();
const PAGE_URL = 'app://kiosk/kiosk/index.html';

class FakeWebContents extends EventEmitter {
  destroyed = false;
  isDestroyed() {
    return this.destroyed;
  }
  setWindowOpenHandler() {}
  send(channel, ...args) {
    say('send', { channel, args });
  }
  executeJavaScript() {
    return Promise.resolve(true);
  }
  capturePage() {
    return Promise.resolve({ toPNG: () => Buffer.alloc(0) });
  }
}

class BrowserWindow extends EventEmitter {
  constructor() {
    super();
    this.webContents = new FakeWebContents();
    this.destroyed = false;
    app.emit('web-contents-created', {}, this.webContents);
    say('window');
  }
  loadURL(url) {
    say('load', { url });
    setImmediate(async () => {
      this.emit('ready-to-show');
      const handler = ipcHandlers.get('sportello-kiosk:request');
      if (!handler) return;
      const state = await handler({ senderFrame: { url: PAGE_URL } }, { method: 'getState' });
      say('page-state', { state });
    });
    return Promise.resolve();
  }
  show() {}
  isDestroyed() {
    return this.destroyed;
  }
  destroy() {
    this.destroyed = true;
    this.webContents.destroyed = true;
  }
}

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  getPath: () => process.env.FAKE_ELECTRON_USER_DATA ?? tmpdir(),
  whenReady: () => Promise.resolve(),
  requestSingleInstanceLock: () => true,
  relaunch: () => say('relaunch'),
  quit() {
    say('quit');
    app.emit('before-quit', { preventDefault() {} });
    // Main closes its parts without waiting; give them the next turns of the loop, then end.
    setTimeout(() => process.exit(0), 50);
  },
  exit(code) {
    say('exit', { code });
    process.exit(code);
  },
});

const session = Object.assign(new EventEmitter(), {
  setPermissionRequestHandler() {},
  setPermissionCheckHandler() {},
  setDevicePermissionHandler() {},
});

const electron = {
  app,
  BrowserWindow,
  Menu: { setApplicationMenu() {} },
  ipcMain: {
    handle: (channel, fn) => ipcHandlers.set(channel, fn),
    removeHandler: (channel) => ipcHandlers.delete(channel),
  },
  protocol: { registerSchemesAsPrivileged() {}, handle() {} },
  session: { defaultSession: session },
};

const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'electron') return electron;
  return load.call(this, request, parent, isMain);
};
