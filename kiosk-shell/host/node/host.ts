// The Chromium host: serves the kiosk page and the kiosk API (the same requests as the Electron
// preload) over a local WebSocket. Only the page this host launched gets in: the WebSocket must
// come from the host's own origin and present the per-start secret, which the page reads from the
// URL fragment (fragments are never sent over the network).
import {
  KIOSK_CHANNELS,
  KIOSK_HOST_SOCKET_PATH,
  MAX_KIOSK_MESSAGE_BYTES,
  hostClientMessageSchema,
  type HostServerMessage,
  type KioskState,
} from '@sportello/protocol';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KioskCore } from '../../core/node/kiosk-core.ts';
import { contentType, kioskCsp, resolveStaticPath } from './static-files.ts';

export const HOST_PROTOCOL = 'sportello-kiosk';

export interface KioskHostOptions {
  core: KioskCore;
  /** Folder with the built kiosk page (app/dist). */
  pagesDir: string;
  /** Central server origin the page may connect to for media. */
  serverUrl: string;
  port?: number;
  log?: (msg: string, detail?: unknown) => void;
}

export interface KioskHost {
  /**
   * The URL to open, with the per-start secret in its fragment: for browsers the launcher does not
   * start itself (tests driving Chromium). The launcher uses `bareUrl` and hands `secret` over its
   * DevTools pipe instead, so that the secret is on no command line.
   */
  pageUrl: string;
  /** The page without the secret. */
  bareUrl: string;
  /** The per-start secret the page must present to the kiosk API. */
  secret: string;
  origin: string;
  close(): Promise<void>;
}

function sameSecret(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export async function startKioskHost(o: KioskHostOptions): Promise<KioskHost> {
  const log = o.log ?? (() => {});
  const secret = randomBytes(24).toString('base64url');
  let origin = '';
  const serverOrigin = new URL(o.serverUrl).origin;
  const wsServerOrigin = serverOrigin.replace(/^http/, 'ws');

  const http: Server = createServer((req, res) => {
    const file = resolveStaticPath(o.pagesDir, new URL(req.url ?? '/', 'http://x').pathname);
    if (req.method !== 'GET' || !file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': contentType(file),
      'content-security-policy': kioskCsp([origin.replace(/^http/, 'ws'), serverOrigin, wsServerOrigin]),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_KIOSK_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(HOST_PROTOCOL) ? HOST_PROTOCOL : false),
  });
  http.on('upgrade', (req, socket, head) => {
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const presented = offered.find((p) => p !== HOST_PROTOCOL) ?? '';
    const url = new URL(req.url ?? '/', 'http://x');
    if (
      url.pathname !== KIOSK_HOST_SOCKET_PATH ||
      req.headers.origin !== origin ||
      !sameSecret(presented, secret)
    ) {
      log('refused a kiosk API connection', { origin: req.headers.origin, path: url.pathname });
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const clients = new Set<WebSocket>();
  const broadcast = (state: KioskState) => {
    const msg: HostServerMessage = { type: 'state', state };
    for (const ws of clients) ws.send(JSON.stringify(msg));
  };
  o.core.on('state', broadcast);

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.send(JSON.stringify({ type: 'state', state: o.core.getState() } satisfies HostServerMessage));
    ws.on('message', (data, isBinary) => {
      let parsedJson: unknown;
      try {
        parsedJson = isBinary ? undefined : JSON.parse(String(data));
      } catch {
        parsedJson = undefined;
      }
      const parsed = hostClientMessageSchema.safeParse(parsedJson);
      if (!parsed.success) {
        log(`rejected a malformed ${KIOSK_CHANNELS.request} message`);
        const id = (parsedJson as { id?: unknown } | undefined)?.id;
        const reply: HostServerMessage = {
          type: 'response',
          id: typeof id === 'number' ? id : -1,
          result: { ok: false, error: { code: 'invalid-request', message: 'request refused: wrong shape' } },
        };
        ws.send(JSON.stringify(reply));
        return;
      }
      const { id, request } = parsed.data;
      o.core.handle(request).then(
        (state) =>
          ws.send(
            JSON.stringify({
              type: 'response',
              id,
              result: { ok: true, value: state },
            } satisfies HostServerMessage),
          ),
        (err: unknown) => {
          log('kiosk request failed', err);
          ws.send(
            JSON.stringify({
              type: 'response',
              id,
              result: { ok: false, error: { code: 'internal', message: 'the kiosk could not do that' } },
            } satisfies HostServerMessage),
          );
        },
      );
    });
  });

  await new Promise<void>((resolve) => http.listen(o.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  let closing: Promise<void> | undefined;
  return {
    origin,
    pageUrl: `${origin}/kiosk/index.html#${secret}`,
    bareUrl: `${origin}/kiosk/index.html`,
    secret,
    close() {
      closing ??= (async () => {
        o.core.off('state', broadcast);
        for (const ws of clients) ws.terminate();
        wss.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}
