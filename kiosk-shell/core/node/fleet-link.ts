// The totem's place in the fleet, wired around a running kiosk core: heartbeats, remote actions
// (from the socket and from heartbeat answers) and revocation, with the identity's renewal warning
// reported in heartbeats. The agent starts it; close() stops what it started.
import { EventEmitter } from 'node:events';
import type { Timers } from './backoff.ts';
import { Heartbeats } from './heartbeat.ts';
import type { TotemIdentity } from './identity.ts';
import type { LogRing } from './log-ring.ts';
import { RemoteActionRunner } from './remote-actions.ts';
import { applyRevocation, type RevocationParts } from './revocation.ts';
import type { ServerLink } from './server-link.ts';
import type { KioskCore } from './kiosk-core.ts';
import type { TotemHttpOptions } from './totem-http.ts';

export interface TotemFleetOptions {
  core: KioskCore;
  link: ServerLink;
  cache: RevocationParts['cache'];
  identity?: TotemIdentity;
  logs: LogRing;
  versions: Record<string, string>;
  /** Default 30, then what the server answers. */
  heartbeatSeconds?: number;
  captureScreen?: () => Promise<Buffer>;
  timers?: Timers;
  http?: TotemHttpOptions;
  log?: (msg: string, detail?: unknown) => void;
}

export class TotemFleet extends EventEmitter<{ revoked: [reason: string] }> {
  readonly heartbeats: Heartbeats;
  readonly actions: RemoteActionRunner;
  private revokedReason: string | undefined;
  private closed = false;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly o: TotemFleetOptions) {
    super();
    const { link, identity } = o;
    this.actions = new RemoteActionRunner({
      core: o.core,
      link,
      logs: o.logs,
      ...(o.captureScreen ? { captureScreen: o.captureScreen } : {}),
      ...(o.http ? { http: o.http } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    this.heartbeats = new Heartbeats({
      core: o.core,
      link,
      dataDir: o.cache.dataDir,
      versions: o.versions,
      logs: o.logs,
      ...(identity ? { warning: () => identity.warning } : {}),
      ...(o.heartbeatSeconds ? { heartbeatSeconds: o.heartbeatSeconds } : {}),
      onActions: (actions) => actions.forEach((a) => void this.actions.run(a)),
      ...(o.timers ? { timers: o.timers } : {}),
      ...(o.http ? { http: o.http } : {}),
      ...(o.log ? { log: o.log } : {}),
    });
    const onAction = (a: Parameters<RemoteActionRunner['run']>[0]) => void this.actions.run(a);
    const onRevoked = (reason: string) => this.revoke(reason);
    link.on('totemAction', onAction);
    link.on('revoked', onRevoked);
    this.offs.push(
      () => link.off('totemAction', onAction),
      () => link.off('revoked', onRevoked),
    );
    if (identity) {
      const onWarning = (message: string | null) => {
        if (message) o.log?.(`warning: ${message}`);
      };
      identity.on('revoked', onRevoked);
      identity.on('warning', onWarning);
      this.offs.push(
        () => identity.off('revoked', onRevoked),
        () => identity.off('warning', onWarning),
      );
    }
  }

  start(): void {
    // Refused before the fleet was wired (at the first token request): revoked now.
    if (this.o.identity?.revokedReason !== undefined) return this.revoke(this.o.identity.revokedReason);
    this.heartbeats.start();
  }

  /** Why the totem was revoked, once it was. */
  get revoked(): string | undefined {
    return this.revokedReason;
  }

  private revoke(reason: string): void {
    if (this.revokedReason !== undefined) return;
    this.revokedReason = reason;
    applyRevocation(
      {
        core: this.o.core,
        link: this.o.link,
        cache: this.o.cache,
        ...(this.o.identity ? { identity: this.o.identity } : {}),
        stopFleet: () => this.stop(),
        ...(this.o.log ? { log: this.o.log } : {}),
      },
      reason,
    );
    this.emit('revoked', reason);
  }

  private stop(): void {
    this.heartbeats.close();
    this.actions.close();
    for (const off of this.offs.splice(0)) off();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    this.removeAllListeners();
  }
}
