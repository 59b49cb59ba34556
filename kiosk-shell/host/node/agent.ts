// The kiosk agent: the kiosk runtime (identity, cache, server link, core, fleet link, handset) plus
// the local host that serves the page and the kiosk API to Debian's Chromium. `npm start`, the tests
// and totems that run Chromium instead of Electron all use it. A demo totem authenticates with
// "<totemId>:<secret>"; an enrolled one with the identity `provisioning enroll` left in its data
// directory (signed short-lived tokens), and then also reports to the fleet.
import { startKioskRuntime, type KioskRuntime, type KioskRuntimeOptions } from '../../core/node/runtime.ts';
import { startKioskHost, type KioskHost } from './host.ts';

export interface KioskAgentOptions extends KioskRuntimeOptions {
  pagesDir: string;
  port?: number;
}

export interface KioskAgent extends Omit<KioskRuntime, 'serverUrl' | 'close'> {
  host: KioskHost;
  pageUrl: string;
  close(): Promise<void>;
}

export async function startKioskAgent(o: KioskAgentOptions): Promise<KioskAgent> {
  const runtime = await startKioskRuntime(o);
  let host: KioskHost;
  try {
    host = await startKioskHost({
      core: runtime.core,
      pagesDir: o.pagesDir,
      serverUrl: runtime.serverUrl,
      ...(o.port !== undefined ? { port: o.port } : {}),
      // A request that failed for lack of disk space must reach the disk-full guard (K-3).
      log: runtime.log,
    });
  } catch (err) {
    await runtime.close();
    throw err;
  }
  const { serverUrl: _serverUrl, close: closeRuntime, ...parts } = runtime;
  let closing: Promise<void> | undefined;
  return {
    ...parts,
    host,
    pageUrl: host.pageUrl,
    close() {
      closing ??= (async () => {
        await host.close();
        await closeRuntime();
      })();
      return closing;
    },
  };
}
