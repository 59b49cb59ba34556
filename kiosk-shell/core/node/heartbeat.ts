// Heartbeats: every `heartbeatSeconds` (30 by default, the server's answer may change it) the totem
// tells the fleet what it is doing (idle, in a call, out of service and why), its versions, its last
// agenda sync and its age, its devices, its health, its clock offset, its free disk and its last
// error. The answer lists the remote actions not yet answered; they are handed to the runner, which
// runs each id once.
import {
  heartbeatAnswerSchema,
  type Heartbeat,
  type HeartbeatAnswer,
  type KioskState,
  type RemoteActionNotice,
  TOTEM_ROUTES,
} from '@sportello/protocol';
import type { deviceStatusSchema } from '@sportello/protocol';
import { statfs } from 'node:fs/promises';
import type { z } from 'zod';
import { realTimers, type Timers } from './backoff.ts';
import type { LogRing } from './log-ring.ts';
import type { ServerLink } from './server-link.ts';
import { postTotemJson, type TotemHttpOptions } from './totem-http.ts';
import { hasCall } from './kiosk-machine.ts';

export interface HeartbeatsOptions {
  core: { getState(): KioskState };
  link: Pick<ServerLink, 'serverUrl' | 'bearer'>;
  /** Where the kiosk keeps its data: the disk whose free space is reported. */
  dataDir: string;
  versions: Record<string, string>;
  logs: LogRing;
  /** The identity's renewal warning (P-4), reported as the last error while it lasts. */
  warning?: () => string | null;
  /** Seconds between heartbeats until the server says otherwise. Default 30. */
  heartbeatSeconds?: number;
  onActions: (actions: RemoteActionNotice[]) => void;
  now?: () => number;
  timers?: Timers;
  http?: TotemHttpOptions;
  log?: (msg: string, detail?: unknown) => void;
}

export class Heartbeats {
  private periodMs: number;
  private timer: unknown;
  private closed = false;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly o: HeartbeatsOptions) {
    this.periodMs = (o.heartbeatSeconds ?? 30) * 1000;
    this.timers = o.timers ?? realTimers;
    this.now = o.now ?? Date.now;
  }

  /** Sends one now, then one every period. */
  start(): void {
    void this.tick();
  }

  private async tick(): Promise<void> {
    await this.beat();
    if (this.closed) return;
    this.timer = this.timers.setTimeout(() => void this.tick(), this.periodMs);
  }

  /** Builds and sends one heartbeat; resolves with the answer, or undefined when it failed. Never rejects. */
  async beat(): Promise<HeartbeatAnswer | undefined> {
    if (this.closed) return undefined;
    try {
      const heartbeat = await this.build();
      const answer = heartbeatAnswerSchema.parse(
        await postTotemJson(this.o.link, TOTEM_ROUTES.heartbeat.path, heartbeat, this.o.http),
      );
      if (answer.heartbeatSeconds > 0) this.periodMs = answer.heartbeatSeconds * 1000;
      if (answer.actions.length > 0 && !this.closed) this.o.onActions(answer.actions);
      return answer;
    } catch (err) {
      this.o.log?.('heartbeat failed', err);
      return undefined;
    }
  }

  async build(): Promise<Heartbeat> {
    const state = this.o.core.getState();
    const screen = state.screen;
    const handset = state.devices?.handset;
    const sync = state.sync;
    const warning = this.o.warning?.() ?? null;
    const inCall = hasCall(screen);
    const outOfService = screen.screen === 'out-of-service';
    // The kiosk's offset is server minus totem; the heartbeat's is totem minus server.
    const serverMinusTotem = sync?.clockOffsetMs ?? null;
    const serverNow = this.now() + (serverMinusTotem ?? 0);
    const lastSyncAt = sync?.lastSyncAt ?? null;
    const degraded =
      !state.online ||
      warning !== null ||
      (sync?.reason ?? null) !== null ||
      (handset !== undefined && (handset.state === 'missing' || handset.state === 'error'));
    return {
      state: outOfService ? 'out-of-service' : inCall ? 'in-call' : 'idle',
      ...(screen.screen === 'out-of-service' ? { reason: screen.reason.slice(0, 200) } : {}),
      versions: this.o.versions,
      lastSync: {
        at: lastSyncAt,
        ageSeconds: lastSyncAt ? Math.max(0, Math.round((serverNow - Date.parse(lastSyncAt)) / 1000)) : null,
      },
      devices: handset ? { handset: deviceStatus(handset) } : {},
      health: outOfService ? 'failing' : degraded ? 'degraded' : 'ok',
      ...(serverMinusTotem === null ? {} : { clockOffsetMs: -serverMinusTotem }),
      ...(await diskFree(this.o.dataDir)),
      lastError: warning
        ? { at: new Date(this.now()).toISOString(), message: warning.slice(0, 500) }
        : this.o.logs.lastError,
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
  }
}

type DeviceStatus = z.infer<typeof deviceStatusSchema>;

function deviceStatus(h: NonNullable<KioskState['devices']>['handset']): DeviceStatus {
  // "none" (no handset configured) and "starting" are not faults: the on-screen controls work.
  const status = h.state === 'error' ? 'error' : h.state === 'missing' ? 'missing' : 'ok';
  const detail =
    h.state === 'none' ? 'no handset configured' : h.state === 'starting' ? 'starting' : h.reason;
  return { status, ...(detail ? { detail: detail.slice(0, 200) } : {}) };
}

async function diskFree(dir: string): Promise<{ diskFreeBytes?: number }> {
  try {
    const s = await statfs(dir);
    return { diskFreeBytes: s.bavail * s.bsize };
  } catch {
    return {};
  }
}
