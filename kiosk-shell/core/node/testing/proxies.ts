// Loopback proxies in front of a real server, for tests: a TCP proxy that can cut the network (the
// server "unreachable": every connection, WebSocket included, is dropped and new ones refused), and
// an HTTP proxy that injects faults per request (S-6). Test support only.
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer as createTcpServer, connect, type AddressInfo, type Socket } from 'node:net';

export interface TcpProxy {
  url: string;
  cut(): void;
  restore(): void;
  /** Holds back what the server sends (connections stay open, the client's bytes still go). */
  stall(): void;
  /** Delivers what was held back and lets the server's bytes flow again. */
  unstall(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<Socket>();
  let down = false;
  let stalled = false;
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const server = createTcpServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(Number(port), hostname);
    const pair = { client, upstream };
    pairs.add(pair);
    upstream.on('close', () => pairs.delete(pair));
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {});
    }
    client.pipe(upstream);
    if (!stalled) upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      down = false;
    },
    stall() {
      stalled = true;
      for (const p of pairs) p.upstream.unpipe(p.client);
    },
    unstall() {
      stalled = false;
      for (const p of pairs) p.upstream.pipe(p.client);
    },
    close() {
      closed ??= new Promise((resolve) => {
        down = true;
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

export interface FaultyHttpProxy {
  url: string;
  /** Requests seen, and how many were failed before the server and dropped after it. */
  counts: { requests: number; failed: number; dropped: number };
  close(): Promise<void>;
}

/**
 * Every third request fails without reaching the server (503); the one after it reaches the server,
 * which commits, and its answer is dropped (the connection is destroyed): "not known whether it
 * was recorded", the case idempotency keys exist for.
 */
export async function startFaultyHttpProxy(target: string): Promise<FaultyHttpProxy> {
  const { hostname, port } = new URL(target);
  const counts = { requests: 0, failed: 0, dropped: 0 };
  const server = createHttpServer((req, res) => {
    const n = counts.requests++;
    if (n % 3 === 0) {
      counts.failed++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"statusCode":503,"error":"Unavailable","message":"injected"}');
      return;
    }
    const drop = n % 3 === 1;
    const up = httpRequest(
      { host: hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (drop) {
          counts.dropped++;
          // Read the whole answer (the server has committed), then lose it.
          answer.resume();
          answer.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close() {
      closed ??= new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}
