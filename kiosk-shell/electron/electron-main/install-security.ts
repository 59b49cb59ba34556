// Wires the decisions of security-policy.ts into Electron. Electron objects come in as parameters
// (only their types are imported), so the wiring itself can be exercised with small fakes.
import type { App, Session, WebContents } from 'electron';
import { decideWindowOpen, isNavigationAllowed, isPermissionGranted } from './security-policy.ts';

type Log = (msg: string, detail?: unknown) => void;

/** E-3: every webContents stays on the app's pages, opens no window and attaches no webview. */
export function guardWebContents(contents: WebContents, log: Log): void {
  const guard = (kind: string) => (event: { url: string; preventDefault(): void }) => {
    if (isNavigationAllowed(event.url)) return;
    event.preventDefault();
    log(`denied ${kind}`, { url: event.url });
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-frame-navigate', guard('frame navigation'));
  contents.setWindowOpenHandler((details) => {
    log('denied a new window', { url: details.url });
    return decideWindowOpen();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('denied a webview');
  });
}

/** Guards every webContents Electron creates, not only the kiosk window's. */
export function guardAllWebContents(app: App, log: Log): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, log));
}

/** E-4: permissions (camera and microphone for app://kiosk only), devices and downloads. */
export function installSessionPolicy(session: Session, log: Log): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const mediaTypes = 'mediaTypes' in details ? details.mediaTypes : undefined;
    const granted = isPermissionGranted({ permission, origin: details.requestingUrl, mediaTypes });
    if (!granted) log('denied a permission request', { permission, url: details.requestingUrl, mediaTypes });
    callback(granted);
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) =>
    isPermissionGranted({
      permission,
      origin: requestingOrigin,
      mediaTypes: details.mediaType ? [details.mediaType] : undefined,
    }),
  );
  // WebHID, WebUSB and Web Serial: the handset and keypad belong to main, never to the page.
  session.setDevicePermissionHandler(() => false);
  session.on('will-download', (event, item) => {
    event.preventDefault();
    log('denied a download', { url: item.getURL() });
  });
}
