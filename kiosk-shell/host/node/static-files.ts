// Resolves a request path inside the folder of built pages, refusing anything that would leave it
// (`..`, encoded `%2e%2e`, absolute paths, NUL bytes). Shared by the Chromium host and the
// Electron app:// protocol handler.
import { extname, join, normalize, relative, sep } from 'node:path';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
};

/** The file for a URL path, or undefined when the path is not a safe path below root. */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const cleaned = normalize(decoded).replace(/^(\.\.(\/|\\|$))+/, '');
  if (cleaned.split(/[\\/]/).includes('..')) return undefined;
  const file = join(root, cleaned === '/' || cleaned === '' ? 'index.html' : cleaned);
  const rel = relative(root, file);
  if (rel.startsWith('..') || rel.includes(`..${sep}`)) return undefined;
  return file;
}

export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
}

/**
 * The kiosk page's Content-Security-Policy: scripts only from the app itself (no inline, no
 * remote), connections only to the local API and the central server.
 */
export function kioskCsp(connectOrigins: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob: mediastream:",
    `connect-src 'self' ${connectOrigins.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}
