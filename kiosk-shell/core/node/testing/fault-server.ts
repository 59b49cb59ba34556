// A scripted agenda server on loopback for fault injection (S-5): it answers the sync endpoints with
// a small valid agenda, or with the fault the test asks for — a reset connection, no answer, a 500,
// truncated JSON, a huge body, a wrong schema, a cursor going backwards. Test support only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  KIOSK_ROUTES,
  SYNC_ROUTES,
  syncPath,
  type AgendaChangesPage,
  type AgendaSnapshot,
} from '@sportello/protocol';
import { fixtureBooking, SITE_KEY } from './fixtures.ts';

export type FaultMode =
  'ok' | 'reset' | 'hang' | 'http-500' | 'truncated' | 'huge' | 'bad-schema' | 'backwards' | 'gone';

export interface FaultServer {
  url: string;
  mode: FaultMode;
  /** Requests received per path (without the query). */
  hits: Map<string, number>;
  total(): number;
  snapshot: AgendaSnapshot;
  close(): Promise<void>;
}

export async function startFaultServer(serverTime: () => string): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const state: FaultServer = {
    url: '',
    mode: 'ok',
    hits: new Map(),
    total: () => [...state.hits.values()].reduce((a, b) => a + b, 0),
    snapshot: {
      siteId: 'centro',
      siteKey: SITE_KEY,
      siteKeyVersion: 1,
      cursor: 10,
      serverTime: serverTime(),
      since: serverTime(),
      bookings: [fixtureBooking('a', 1)],
    },
    close: async () => {},
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    state.hits.set(url.pathname, (state.hits.get(url.pathname) ?? 0) + 1);
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const page: AgendaChangesPage = {
      changes: [],
      cursor: Math.max(cursor, 10),
      hasMore: false,
      serverTime: serverTime(),
      siteKeyVersion: 1,
    };
    switch (state.mode) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // The client's deadline ends it.
      case 'http-500':
        return json(res, 500, { statusCode: 500, error: 'Internal', message: 'boom' });
      case 'truncated': {
        const text = JSON.stringify(page);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text.slice(0, text.length / 2));
        return;
      }
      case 'huge': {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1 << 20, 0x20);
        let sent = 0;
        const more = () => {
          while (sent < 64 && !res.destroyed) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('error', () => {});
        more();
        return;
      }
      case 'bad-schema':
        return json(res, 200, {
          ...page,
          changes: [{ seq: cursor + 1, op: 'upsert', booking: { name: 'Anna' } }],
        });
      case 'backwards':
        return json(res, 200, { ...page, cursor: Math.max(0, cursor - 5) });
      case 'gone':
        if (url.pathname.endsWith('/changes')) {
          return json(res, 410, {
            statusCode: 410,
            error: 'HttpError',
            code: 'cursor-expired',
            message: 'old',
          });
        }
        break;
      case 'ok':
        break;
    }
    if (url.pathname === syncPath(SYNC_ROUTES.snapshot, 'centro')) {
      return json(res, 200, { ...state.snapshot, serverTime: serverTime() });
    }
    if (url.pathname === syncPath(SYNC_ROUTES.changes, 'centro')) return json(res, 200, page);
    if (url.pathname === KIOSK_ROUTES.agenda.path) return json(res, 200, { siteId: 'centro' });
    return json(res, 404, { statusCode: 404, error: 'NotFound', message: 'no' });
  };
  const server: Server = createServer(handler);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  state.close = () => {
    closed ??= new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
    return closed;
  };
  return state;
}

/** A scheduler driven by the test: timers fire only when the virtual clock is advanced. */
export class FakeTimers {
  now = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = ++this.seq;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.due.delete(handle as number);
  };

  /** The earliest pending timer's time, or undefined. */
  next(): number | undefined {
    let min: number | undefined;
    for (const t of this.due.values()) if (min === undefined || t.at < min) min = t.at;
    return min;
  }

  /** Moves the clock to the earliest timer and fires it. */
  fireNext(): number | undefined {
    let first: [number, { at: number; fn: () => void }] | undefined;
    for (const e of this.due) if (!first || e[1].at < first[1].at) first = e;
    if (!first) return undefined;
    this.due.delete(first[0]);
    this.now = first[1].at;
    first[1].fn();
    return this.now;
  }
}
