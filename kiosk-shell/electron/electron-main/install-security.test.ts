// The Electron wiring of the security policy, driven through small fakes of webContents, app and
// session (there is no Electron runtime in the test environment).
import type { App, Session, WebContents } from 'electron';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { guardAllWebContents, guardWebContents, installSessionPolicy } from './install-security.ts';
import { KIOSK_PAGE_URL } from './security-policy.ts';

class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler;
  }
}

function guarded(): { contents: FakeContents; logged: string[] } {
  const contents = new FakeContents();
  const logged: string[] = [];
  guardWebContents(contents as unknown as WebContents, (msg) => logged.push(msg));
  return { contents, logged };
}

test('E-3 navigation and redirects to another origin, javascript: or file:// are prevented', () => {
  const { contents, logged } = guarded();
  for (const event of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
    for (const url of [
      'https://example.org/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,x',
    ]) {
      const e = new FakeEvent(url);
      contents.emit(event, e, url);
      assert.equal(e.defaultPrevented, true, `${event} ${url}`);
    }
    const own = new FakeEvent(KIOSK_PAGE_URL);
    contents.emit(event, own, KIOSK_PAGE_URL);
    assert.equal(own.defaultPrevented, false, event);
  }
  assert.ok(logged.includes('denied navigation'));
});

test('E-3 window.open and target=_blank are denied, webviews are not attached', () => {
  const { contents } = guarded();
  assert.deepEqual(contents.openHandler?.({ url: 'https://example.org/' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler?.({ url: KIOSK_PAGE_URL }), { action: 'deny' });
  const e = new FakeEvent();
  contents.emit('will-attach-webview', e);
  assert.equal(e.defaultPrevented, true);
});

test('E-3 every webContents the app creates is guarded', () => {
  const app = new EventEmitter();
  guardAllWebContents(app as unknown as App, () => {});
  const contents = new FakeContents();
  app.emit('web-contents-created', new FakeEvent(), contents);
  const e = new FakeEvent('https://example.org/');
  contents.emit('will-navigate', e);
  assert.equal(e.defaultPrevented, true);
  assert.deepEqual(contents.openHandler?.({ url: 'x' }), { action: 'deny' });
});

type RequestHandler = (c: unknown, p: string, cb: (granted: boolean) => void, d: object) => void;
type CheckHandler = (c: unknown, p: string, origin: string, d: object) => boolean;

function fakeSession() {
  const s = new EventEmitter() as EventEmitter & {
    request?: RequestHandler;
    check?: CheckHandler;
    device?: () => boolean;
    setPermissionRequestHandler(h: RequestHandler): void;
    setPermissionCheckHandler(h: CheckHandler): void;
    setDevicePermissionHandler(h: () => boolean): void;
  };
  s.setPermissionRequestHandler = (h) => (s.request = h);
  s.setPermissionCheckHandler = (h) => (s.check = h);
  s.setDevicePermissionHandler = (h) => (s.device = h);
  installSessionPolicy(s as unknown as Session, () => {});
  return s;
}

function requested(s: ReturnType<typeof fakeSession>, permission: string, details: object): boolean {
  let answer: boolean | undefined;
  s.request!(undefined, permission, (granted) => (answer = granted), details);
  assert.notEqual(answer, undefined);
  return answer!;
}

test('E-4 permission requests: camera and microphone for the app only', () => {
  const s = fakeSession();
  const app = { requestingUrl: KIOSK_PAGE_URL, isMainFrame: true };
  assert.equal(requested(s, 'media', { ...app, mediaTypes: ['audio', 'video'] }), true);
  assert.equal(
    requested(s, 'media', { requestingUrl: 'https://example.org/', mediaTypes: ['video'] }),
    false,
  );
  assert.equal(requested(s, 'geolocation', app), false);
  assert.equal(requested(s, 'notifications', app), false);
  assert.equal(requested(s, 'display-capture', app), false);
});

test('E-4 permission checks: camera and microphone for the app only', () => {
  const s = fakeSession();
  assert.equal(s.check!(undefined, 'media', 'app://kiosk', { mediaType: 'video', isMainFrame: true }), true);
  assert.equal(s.check!(undefined, 'media', 'app://kiosk', { mediaType: 'audio', isMainFrame: true }), true);
  assert.equal(
    s.check!(undefined, 'media', 'app://kiosk', { mediaType: 'unknown', isMainFrame: true }),
    false,
  );
  assert.equal(
    s.check!(undefined, 'media', 'https://example.org', { mediaType: 'video', isMainFrame: true }),
    false,
  );
  assert.equal(s.check!(undefined, 'geolocation', 'app://kiosk', { isMainFrame: true }), false);
  assert.equal(s.check!(undefined, 'notifications', 'app://kiosk', { isMainFrame: true }), false);
});

test('E-4 devices and downloads are refused', () => {
  const s = fakeSession();
  assert.equal(s.device?.(), false);
  const e = new FakeEvent();
  s.emit('will-download', e, { getURL: () => 'https://example.org/x.exe' });
  assert.equal(e.defaultPrevented, true);
});
