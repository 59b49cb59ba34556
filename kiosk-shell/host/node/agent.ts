// The kiosk agent: cache, server link, core and the local host, started and stopped together.
// `npm start`, the tests and totems that run Chromium instead of Electron all use it.
import type { DeviceConfig, NodeDeviceManagerOptions } from '@sportello/devices';
import { AgendaCache } from '../../core/node/agenda-cache.ts';
import { startKioskDevices, type KioskDevices } from '../../core/node/devices.ts';
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
  /** The handset device (hook switch and keypad). Default: none, the on-screen controls only. */
  device?: DeviceConfig;
  /** Timings, clock and bindings of the device manager. Default: the real ones. */
  deviceOptions?: NodeDeviceManagerOptions;
  log?: (msg: string, detail?: unknown) => void;
}

export interface KioskAgent {
  core: KioskCore;
  host: KioskHost;
  /** Present when a device is configured. */
  devices?: KioskDevices;
  pageUrl: string;
  close(): Promise<void>;
}

export async function startKioskAgent(o: KioskAgentOptions): Promise<KioskAgent> {
  const cache = new AgendaCache(o.dataDir);
  const link = new ServerLink(o.serverUrl, o.credential);
  const core = new KioskCore({ cache, link, ...(o.log ? { log: o.log } : {}), ...o.core });
  void core.refreshAgenda();
  const devices = o.device
    ? startKioskDevices({
        core,
        config: o.device,
        ...(o.deviceOptions ? { manager: o.deviceOptions } : {}),
      })
    : undefined;
  let host: KioskHost;
  try {
    host = await startKioskHost({
      core,
      pagesDir: o.pagesDir,
      serverUrl: o.serverUrl,
      ...(o.port !== undefined ? { port: o.port } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
  } catch (err) {
    // Whatever started before the host failed is released, so a failed start leaks nothing.
    await devices?.close();
    core.close();
    link.close();
    cache.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    core,
    host,
    ...(devices ? { devices } : {}),
    pageUrl: host.pageUrl,
    close() {
      closing ??= (async () => {
        await host.close();
        await devices?.close();
        core.close();
        link.close();
        cache.close();
      })();
      return closing;
    },
  };
}
