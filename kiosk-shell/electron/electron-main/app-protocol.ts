// The app:// protocol: serves the built kiosk page from app/dist instead of file://, so the page
// has a real origin (app://kiosk) that navigation, permission and IPC checks can name, and every
// response carries the kiosk CSP. Requests leaving the pages folder are answered 404 (E-6).
// Electron-free: the handler takes and returns fetch Request/Response objects, which Node has too.
import { readFile, stat } from 'node:fs/promises';
import type { CustomScheme } from 'electron';
import { contentType, resolveStaticPath } from '../../host/node/static-files.ts';
import { APP_SCHEME, isAppUrl } from './security-policy.ts';

/**
 * How the scheme is registered before the app is ready: standard (real origin, relative URLs),
 * secure (getUserMedia and module scripts need a secure context), fetch-able and streamable
 * (audio cues). It gets no CSP bypass and no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
};

export type AppRequestDecision = { status: 200; file: string } | { status: 404 } | { status: 405 };

/** Which file answers a request, without touching the disk. */
export function decideAppRequest(pagesDir: string, method: string, url: string): AppRequestDecision {
  if (method !== 'GET' && method !== 'HEAD') return { status: 405 };
  if (!isAppUrl(url)) return { status: 404 };
  const file = resolveStaticPath(pagesDir, new URL(url).pathname);
  return file ? { status: 200, file } : { status: 404 };
}

export interface AppProtocolOptions {
  /** Folder with the built pages (app/dist). */
  pagesDir: string;
  /** Content-Security-Policy sent with every response. */
  csp: string;
  log?: (msg: string, detail?: unknown) => void;
}

export function createAppProtocolHandler(o: AppProtocolOptions): (request: Request) => Promise<Response> {
  const baseHeaders = {
    'content-security-policy': o.csp,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };
  const refuse = (status: 404 | 405, url: string) => {
    o.log?.('app:// request refused', { status, url });
    return new Response(status === 404 ? 'not found' : 'method not allowed', {
      status,
      headers: { ...baseHeaders, 'content-type': 'text/plain; charset=utf-8' },
    });
  };
  return async (request) => {
    const decision = decideAppRequest(o.pagesDir, request.method, request.url);
    if (decision.status !== 200) return refuse(decision.status, request.url);
    try {
      if (!(await stat(decision.file)).isFile()) return refuse(404, request.url);
      const body = await readFile(decision.file);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: { ...baseHeaders, 'content-type': contentType(decision.file) },
      });
    } catch {
      return refuse(404, request.url);
    }
  };
}
