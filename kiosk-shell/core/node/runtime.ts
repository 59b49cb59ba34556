// Everything a totem runs besides its window: identity (or the demo credential), agenda cache,
// server link, kiosk core, fleet link (heartbeats, remote actions, revocation) and the handset.
// The Chromium agent adds a local host on top; Electron main adds its window. Started and stopped
// together, so a failed start leaks nothing.
import type { DeviceConfig, NodeDeviceManagerOptions } from '@sportello/devices';
import { AgendaCache } from './agenda-cache.ts';
import { CrashRecord, type CrashRecordOptions } from './crash-record.ts';
import { DiskGuard, type DiskGuardOptions } from './disk-guard.ts';
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
  /** The count of recent crashes in the data directory (K-1); false turns it off. Default on. */
  crashes?: false | CrashRecord | Partial<Pick<CrashRecordOptions, 'windowMs' | 'burst' | 'now'>>;
  /** The disk-full guard (K-3); false turns it off. Default on. */
  disk?: false | Partial<Pick<DiskGuardOptions, 'minFreeBytes' | 'checkEveryMs'>>;
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
  /**
   * The runtime's log: into the ring (the fleet's "request-logs", the heartbeat's last error), to
   * the caller's log, and past the disk-full guard. Parts started beside the runtime log here.
   */
  log: (msg: string, detail?: unknown) => void;
  /** This run in the crash count; a run that ends with a failure calls end(false) before close(). */
  crashes?: CrashRecord;
  disk?: DiskGuard;
  close(): Promise<void>;
}

export async function startKioskRuntime(o: KioskRuntimeOptions): Promise<KioskRuntime> {
  const logs = new LogRing();
  let disk: DiskGuard | undefined;
  const log = (msg: string, detail?: unknown) => {
    logs.add(msg, detail);
    o.log?.(msg, detail);
    disk?.noteLog(msg, detail);
  };
  const crashes =
    o.crashes === false
      ? undefined
      : o.crashes instanceof CrashRecord
        ? o.crashes
        : CrashRecord.begin({ dataDir: o.dataDir, log, ...o.crashes });
  const identity =
    o.credential === undefined
      ? TotemIdentity.load(o.identityDir ?? o.dataDir, { log, ...o.identity })
      : undefined;
  // The first token is asked for now, but not waited for: the idle screen renders from the cache at
  // once, and the first request (sync, socket) waits for the same token request. A server that
  // does not answer (up to the request's 10 s deadline) must not keep the screen dark; a failure is
  // retried by the identity and reported.
  void identity?.start();
  const serverUrl = o.serverUrl ?? identity?.serverUrl;
  if (!serverUrl) {
    identity?.close();
    throw new Error('the kiosk needs a server URL, or an identity enrolled with `provisioning enroll`');
  }
  const cache = new AgendaCache(o.dataDir);
  const link = new ServerLink(serverUrl, identity ? identity.credential : o.credential!);
  const core = new KioskCore({ cache, link, log, ...o.core });
  // A crash loop (K-1): the out-of-service screen, with the reason, before the first heartbeat; the
  // device, the likeliest cause of a crash at start, stays closed until a normal start.
  if (crashes?.crashLoop) {
    core.outOfService(crashes.reason);
    log(`the kiosk failed again and again: out of service (${crashes.reason})`);
  }
  if (o.disk !== false) disk = new DiskGuard({ dataDir: o.dataDir, core, log, ...o.disk });
  disk?.start();
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
  const devices =
    o.device && !crashes?.crashLoop
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
    ...(crashes ? { crashes } : {}),
    ...(disk ? { disk } : {}),
    logs,
    log,
    close() {
      closing ??= (async () => {
        disk?.close();
        await devices?.close();
        fleet?.close();
        core.close();
        link.close();
        identity?.close();
        cache.close();
        crashes?.end(true);
      })();
      return closing;
    },
  };
}
