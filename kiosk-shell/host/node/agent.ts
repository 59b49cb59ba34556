// The kiosk agent: cache, server link, core and the local host, started and stopped together.
// `npm start`, the tests and totems that run Chromium instead of Electron all use it.
import { AgendaCache } from '../../core/node/agenda-cache.ts';
import { KioskCore, type KioskCoreOptions } from '../../core/node/kiosk-core.ts';
import { ServerLink } from '../../core/node/server-link.ts';
import { startKioskHost, type KioskHost } from './host.ts';

export interface KioskAgentOptions {
  serverUrl: string;
  /** Totem credential "<totem id>:<secret>". */
  credential: string;
  dataDir: string;
  pagesDir: string;
  port?: number;
  core?: Partial<Omit<KioskCoreOptions, 'cache' | 'link'>>;
  log?: (msg: string, detail?: unknown) => void;
}

export interface KioskAgent {
  core: KioskCore;
  host: KioskHost;
  pageUrl: string;
  close(): Promise<void>;
}

export async function startKioskAgent(o: KioskAgentOptions): Promise<KioskAgent> {
  const cache = new AgendaCache(o.dataDir);
  const link = new ServerLink(o.serverUrl, o.credential);
  const core = new KioskCore({ cache, link, ...(o.log ? { log: o.log } : {}), ...o.core });
  void core.refreshAgenda();
  const host = await startKioskHost({
    core,
    pagesDir: o.pagesDir,
    serverUrl: o.serverUrl,
    ...(o.port !== undefined ? { port: o.port } : {}),
    ...(o.log ? { log: o.log } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    core,
    host,
    pageUrl: host.pageUrl,
    close() {
      closing ??= (async () => {
        await host.close();
        core.close();
        link.close();
        cache.close();
      })();
      return closing;
    },
  };
}
