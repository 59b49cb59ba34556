// The yardstick for call setup: the same Chromium, the same mediasoup worker binary, codecs and
// transport options as the product, but no application — two pages that load mediasoup-client
// from an esbuild bundle and signal through a function exposed by Playwright.
import { build } from 'esbuild';
import type { types } from 'mediasoup';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  MEDIA_CODECS,
  prepareWorkerBinary,
  webRtcTransportOptions,
  workerSettings,
} from '../../server/src/node/media/mediasoup-compat.ts';
import { BARE_SIGNAL, type BarePeerApi, type BareRequest } from '../common/bare-protocol.ts';

interface Peer {
  page: Page;
  transports: Map<string, types.WebRtcTransport>;
  recv?: types.WebRtcTransport;
  producers: types.Producer[];
  consumers: Map<string, types.Consumer>;
  rtpCapabilities?: types.RtpCapabilities;
}

/** The page's global object as the page code leaves it (casts vanish when Playwright serializes). */
type PageGlobal = { bare: BarePeerApi };

async function bundlePage(): Promise<string> {
  const entry = fileURLToPath(new URL('../browser/bare-peer.ts', import.meta.url));
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'error',
  });
  return out.outputFiles[0]!.text;
}

async function serve(script: string): Promise<Server> {
  const html =
    '<!doctype html><meta charset="utf-8"><title>bare</title><script type="module" src="/bare.js"></script>';
  const server = createServer((req, res) => {
    const isScript = req.url === '/bare.js';
    res.writeHead(200, { 'content-type': isScript ? 'text/javascript' : 'text/html' });
    res.end(isScript ? script : html);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** One round's router and the two peers' state; the driver's answers to each page. */
class Round {
  private constructor(
    readonly router: types.Router,
    readonly peers: Peer[],
  ) {}

  static async open(worker: types.Worker, pages: Page[]): Promise<Round> {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    return new Round(
      router,
      pages.map((page) => ({ page, transports: new Map(), producers: [], consumers: new Map() })),
    );
  }

  async handle(index: number, req: BareRequest): Promise<unknown> {
    const peer = this.peers[index]!;
    switch (req.method) {
      case 'caps':
        return this.router.rtpCapabilities;
      case 'createTransport': {
        const t = await this.router.createWebRtcTransport(webRtcTransportOptions('127.0.0.1'));
        peer.transports.set(t.id, t);
        if (req.direction === 'recv') peer.recv = t;
        return {
          id: t.id,
          iceParameters: t.iceParameters,
          iceCandidates: t.iceCandidates,
          dtlsParameters: t.dtlsParameters,
        };
      }
      case 'connect':
        return peer.transports
          .get(req.transportId)!
          .connect({ dtlsParameters: req.dtlsParameters as types.DtlsParameters });
      case 'ready':
        peer.rtpCapabilities = req.rtpCapabilities as types.RtpCapabilities;
        // A snapshot: a producer that arrives meanwhile is consumed by its own 'produce'.
        for (const other of this.peers)
          if (other !== peer) for (const p of [...other.producers]) await this.consume(peer, p);
        return null;
      case 'produce': {
        const producer = await peer.transports.get(req.transportId)!.produce({
          kind: req.kind,
          rtpParameters: req.rtpParameters as types.RtpParameters,
        });
        peer.producers.push(producer);
        for (const other of this.peers)
          if (other !== peer && other.rtpCapabilities) await this.consume(other, producer);
        return producer.id;
      }
      case 'resume': {
        const recv = peer.recv!;
        if (recv.dtlsState !== 'connected') {
          await new Promise<void>((resolve) => {
            const on = (state: types.DtlsState) => {
              if (state !== 'connected') return;
              recv.off('dtlsstatechange', on);
              resolve();
            };
            recv.on('dtlsstatechange', on);
          });
        }
        await peer.consumers.get(req.consumerId)!.resume();
        return null;
      }
    }
  }

  /** Paused, like the product's room; the page resumes it once its transport is connected. */
  private async consume(peer: Peer, producer: types.Producer): Promise<void> {
    const caps = peer.rtpCapabilities!;
    if (!peer.recv || !this.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return;
    const consumer = await peer.recv.consume({
      producerId: producer.id,
      rtpCapabilities: caps,
      paused: true,
    });
    peer.consumers.set(consumer.id, consumer);
    const info = {
      id: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
    // Sent without waiting for the page, as a signaling message would be.
    void peer.page
      .evaluate((i) => (globalThis as unknown as PageGlobal).bare.consume(i), info)
      .catch(() => {});
  }

  close(): void {
    this.router.close();
  }
}

export interface BareRunner {
  /** One round on a fresh router: both pages start together; returns the round's figures. */
  once(): Promise<BareRound>;
  close(): Promise<void>;
}

export interface BareRound {
  /** Start on both pages (camera, device, transports, produce) → a decoded frame on both. */
  setup: number;
  /** First consume on a page → a decoded frame there; the worse of the two pages. */
  consumeToFrame: number;
}

/** Starts a worker, builds and serves the page, opens two pages on the given browser. */
export async function openBareLoopback(browser: Browser): Promise<BareRunner> {
  prepareWorkerBinary();
  // mediasoup reads MEDIASOUP_WORKER_BIN when its module loads, so it is loaded only now.
  const { createWorker } = await import('mediasoup');
  // Its own port range, away from the product server's worker (40000–49999) running beside it.
  const worker = await createWorker(workerSettings(50_000, 50_999));
  const contexts: BrowserContext[] = [];
  let http: Server | undefined;
  const close = async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
    worker.close();
    http?.close();
  };
  try {
    http = await serve(await bundlePage());
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    let round: Round | undefined;
    const pages: Page[] = [];
    for (let i = 0; i < 2; i++) {
      const ctx = await browser.newContext();
      contexts.push(ctx);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.error(`[bare page ${i}] ${e.message}`));
      await page.exposeFunction(BARE_SIGNAL, (req: BareRequest) => round!.handle(i, req));
      await page.goto(url);
      await page.waitForFunction(() => 'bare' in globalThis);
      pages.push(page);
    }
    return {
      close,
      async once() {
        round = await Round.open(worker, pages);
        try {
          const starts = await Promise.all(
            pages.map((p) => p.evaluate(() => (globalThis as unknown as PageGlobal).bare.start())),
          );
          const frames = await Promise.all(
            pages.map(async (p) => {
              await p.waitForFunction(
                () => (globalThis as unknown as PageGlobal).bare.firstFrameAt !== undefined,
                null,
                {
                  timeout: 20_000,
                  polling: 20,
                },
              );
              return p.evaluate(() => {
                const b = (globalThis as unknown as PageGlobal).bare;
                return { frame: b.firstFrameAt!, consume: b.firstConsumeAt! };
              });
            }),
          );
          return {
            setup: Math.max(...frames.map((f) => f.frame)) - Math.min(...starts),
            consumeToFrame: Math.max(...frames.map((f) => f.frame - f.consume)),
          };
        } finally {
          await Promise.all(
            pages.map((p) => p.evaluate(() => (globalThis as unknown as PageGlobal).bare.close())),
          );
          round.close();
        }
      },
    };
  } catch (err) {
    await close();
    throw err;
  }
}
