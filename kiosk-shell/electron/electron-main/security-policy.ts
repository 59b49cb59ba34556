// The kiosk window's security decisions as pure functions: which URLs the window may show, which
// permissions the page gets and which IPC senders are trusted. Electron is wired to them in
// install-security.ts; keeping the decisions here lets plain Node tests cover every case (E-3, E-4).

/** The custom scheme the kiosk page is served from, instead of file://. */
export const APP_SCHEME = 'app';
/** The only host of the app scheme: the page's origin is `app://kiosk`. */
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the kiosk window loads (app/dist/kiosk/index.html). */
export const KIOSK_PAGE_URL = `${APP_ORIGIN}/kiosk/index.html`;

/** The only media the page may capture: the citizen's camera and microphone. */
const ALLOWED_MEDIA_TYPES: ReadonlySet<string> = new Set(['audio', 'video']);

/**
 * Whether a URL or serialized origin belongs to the app itself. WHATWG URL gives non-special
 * schemes an opaque origin ("null"), so the scheme and host are compared one by one; credentials,
 * ports and any other host are refused.
 */
export function isAppUrl(url: string | undefined): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === ''
  );
}

/** E-3: the window may only move between pages of the app; other origins, file:, data: and javascript: are denied. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** E-3: no page may open a window (window.open, target=_blank); the kiosk has exactly one. */
export function decideWindowOpen(): { action: 'deny' } {
  return { action: 'deny' };
}

export interface PermissionQuery {
  /** Electron's permission name ('media', 'geolocation', 'notifications', …). */
  permission: string;
  /** The URL or origin asking, as Electron reports it. */
  origin: string | undefined;
  /** For 'media': the kinds of media asked for; undefined when Electron did not say. */
  mediaTypes: readonly string[] | undefined;
}

/**
 * E-4: only camera and microphone (and the choice of audio output), only for the app's own origin. A media request that does not
 * say what it captures, or asks for anything but audio and video (screen capture), is denied.
 */
export function isPermissionGranted(q: PermissionQuery): boolean {
  // The spoken prompts choose the handset's or the speaker's output (setSinkId, U-2).
  if (q.permission === 'speaker-selection') return isAppUrl(q.origin);
  if (q.permission !== 'media' || !isAppUrl(q.origin)) return false;
  if (!q.mediaTypes || q.mediaTypes.length === 0) return false;
  return q.mediaTypes.every((t) => ALLOWED_MEDIA_TYPES.has(t));
}

/** E-5: IPC is answered only for frames showing the app's own page. */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  return isAppUrl(frameUrl);
}
