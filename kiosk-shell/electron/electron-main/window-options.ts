// The options of the one kiosk window. Pure (Electron is imported for its types only) so that a
// plain Node test can assert every security-relevant choice (RELIABILITY E-1).
import type { BrowserWindowConstructorOptions } from 'electron';

/** The page's own background (app/kiosk/kiosk.css --bg), shown before the first paint and after a crash. */
export const KIOSK_BACKGROUND = '#f6f7f9';

export interface KioskWindowInput {
  /** Absolute path of the bundled preload script. */
  preloadPath: string;
  /** Developer tools; only ever true for an unpackaged app started with SPORTELLO_KIOSK_DEVTOOLS=1. Default false. */
  devTools?: boolean;
}

export function kioskWindowOptions(input: KioskWindowInput): BrowserWindowConstructorOptions {
  return {
    kiosk: true,
    fullscreen: true,
    frame: false,
    autoHideMenuBar: true,
    backgroundColor: KIOSK_BACKGROUND,
    // Shown once the first frame is ready, so a recreated window never flashes an empty frame.
    show: false,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      devTools: input.devTools === true,
      spellcheck: false,
      navigateOnDragDrop: false,
      // alert(), confirm() and prompt() would block an unattended totem.
      disableDialogs: true,
      // Video calls must keep running when the window is covered, e.g. by a compositor overlay.
      backgroundThrottling: false,
      autoplayPolicy: 'no-user-gesture-required',
    },
  };
}
