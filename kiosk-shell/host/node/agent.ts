// The kiosk agent: cache, server link, core and the local host, started and stopped together.
// `npm start`, the tests and totems that run Chromium instead of Electron all use it. A demo totem
// authenticates with "<totemId>:<secret>"; an enrolled one with the identity `provisioning enroll`
// left in its data directory (signed short-lived tokens), and then also reports to the fleet.
import type { DeviceConfig, NodeDeviceManagerOptions } from '@sportello/devices';
import { AgendaCache } from '../../core/node/agenda-cache.ts';
import { startKioskDevices, type KioskDevices } from '../../core/node/devices.ts';
import { TotemFleet, type TotemFleetOptions } from '../../core/node/fleet-link.ts';
import { TotemIdentity, type TotemIdentityOptions } from '../../core/node/identity.ts';
import { KioskCore, type KioskCoreOptions } from '../../core/node/kiosk-core.ts';
import { LogRing } from '../../core/node/log-ring.ts';
import { ServerLink } from '../../core/node/server-link.ts';
import { startKioskHost, type KioskHost } from './host.ts';

export interface KioskAgentOptions {
  /** The central server. Default: the enrolled identity's. */
  serverUrl?: string;
  /** Demo credential "<totem id>:<secret>". Default: the enrolled identity in `identityDir`. */
  credential?: string;
  /** Where `provisioning enroll` left the identity. Default `dataDir`. */
  identityDir?: string;
  /** Token timings and HTTP client of the enrolled identity (tests). */
  identity?: TotemIdentityOptions;
  /** Heartbeats, remote actions and revocation; false turns them off. Default on. */
  fleet?:
    | false
    | Partial<Pick<TotemFleetOptions, 'heartbeatSeconds' | 'captureScreen' | 'timers' | 'http' | 'versions'>>;
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
  /** Present for an enrolled totem. */
  identity?: TotemIdentity;
  /** Heartbeats, remote actions ('restart' is emitted on fleet.actions), revocation. */
  fleet?: TotemFleet;
  /** The recent log lines (sent on a "request-logs" action). */
  logs: LogRing;
  pageUrl: string;
  close(): Promise<void>;
}

export async function startKioskAgent(o: KioskAgentOptions): Promise<KioskAgent> {
  const logs = new LogRing();
  const log = (msg: string, detail?: unknown) => {
    logs.add(msg, detail);
    o.log?.(msg, detail);
  };
  const identity =
    o.credential === undefined
      ? TotemIdentity.load(o.identityDir ?? o.dataDir, { log, ...o.identity })
      : undefined;
  // The first token before the first request; a failure is retried by the identity and reported.
  await identity?.start();
  const serverUrl = o.serverUrl ?? identity?.serverUrl;
  if (!serverUrl) throw new Error('startKioskAgent needs a serverUrl, or an enrolled identity');
  const cache = new AgendaCache(o.dataDir);
  const link = new ServerLink(serverUrl, identity ? identity.credential : o.credential!);
  const core = new KioskCore({ cache, link, log, ...o.core });
  const fleet =
    o.fleet === false
      ? undefined
      : new TotemFleet({
          core,
          link,
          cache,
          logs,
          log,
          versions: { kiosk: '0.1.0', node: process.versions.node },
          ...(identity ? { identity } : {}),
          ...o.fleet,
        });
  fleet?.start();
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
      serverUrl,
      ...(o.port !== undefined ? { port: o.port } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
  } catch (err) {
    // Whatever started before the host failed is released, so a failed start leaks nothing.
    await devices?.close();
    fleet?.close();
    core.close();
    link.close();
    identity?.close();
    cache.close();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    core,
    host,
    ...(devices ? { devices } : {}),
    ...(identity ? { identity } : {}),
    ...(fleet ? { fleet } : {}),
    logs,
    pageUrl: host.pageUrl,
    close() {
      closing ??= (async () => {
        await host.close();
        await devices?.close();
        fleet?.close();
        core.close();
        link.close();
        identity?.close();
        cache.close();
      })();
      return closing;
    },
  };
}
