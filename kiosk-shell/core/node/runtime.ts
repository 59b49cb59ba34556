// Everything a totem runs besides its window: identity (or the demo credential), agenda cache,
// server link, kiosk core, fleet link (heartbeats, remote actions, revocation) and the handset.
// The Chromium agent adds a local host on top; Electron main adds its window. Started and stopped
// together, so a failed start leaks nothing.
import type { DeviceConfig, NodeDeviceManagerOptions } from '@sportello/devices';
import { AgendaCache } from './agenda-cache.ts';
import { startKioskDevices, type KioskDevices } from './devices.ts';
import { TotemFleet, type TotemFleetOptions } from './fleet-link.ts';
import { TotemIdentity, type TotemIdentityOptions } from './identity.ts';
import { KioskCore, type KioskCoreOptions } from './kiosk-core.ts';
import { LogRing } from './log-ring.ts';
import { ServerLink } from './server-link.ts';

export interface KioskRuntimeOptions {
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
  core?: Partial<Omit<KioskCoreOptions, 'cache' | 'link'>>;
  /** The handset device (hook switch and keypad). Default: none, the on-screen controls only. */
  device?: DeviceConfig;
  /** Timings, clock and bindings of the device manager. Default: the real ones. */
  deviceOptions?: NodeDeviceManagerOptions;
  log?: (msg: string, detail?: unknown) => void;
}

export interface KioskRuntime {
  serverUrl: string;
  core: KioskCore;
  /** Present when a device is configured. */
  devices?: KioskDevices;
  /** Present for an enrolled totem. */
  identity?: TotemIdentity;
  /** Heartbeats, remote actions ('restart' is emitted on fleet.actions), revocation. */
  fleet?: TotemFleet;
  /** The recent log lines (sent on a "request-logs" action). */
  logs: LogRing;
  close(): Promise<void>;
}

export async function startKioskRuntime(o: KioskRuntimeOptions): Promise<KioskRuntime> {
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
  if (!serverUrl) {
    identity?.close();
    throw new Error('the kiosk needs a server URL, or an identity enrolled with `provisioning enroll`');
  }
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
  let closing: Promise<void> | undefined;
  return {
    serverUrl,
    core,
    ...(devices ? { devices } : {}),
    ...(identity ? { identity } : {}),
    ...(fleet ? { fleet } : {}),
    logs,
    close() {
      closing ??= (async () => {
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
