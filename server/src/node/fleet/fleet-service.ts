// The fleet as one object for the HTTP routes and the kiosk namespace: enrollment, totem tokens,
// heartbeats and status, remote actions, revocation, clone detection and the audit log. It reaches
// connected totems through the kiosk namespace and calls through the router, both made after it.
import {
  EVENTS,
  type EndReason,
  type FleetTotemDetail,
  type Heartbeat,
  type HeartbeatAnswer,
  type KioskClientEvents,
  type KioskServerEvents,
  type RemoteActionNotice,
} from '@sportello/protocol';
import type { Namespace } from 'socket.io';
import type { ServerConfig } from '../config.ts';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { TotemAuthenticator, TotemIdentity } from '../auth/totem-auth.ts';
import { HttpError } from '../http/errors.ts';
import { AuditLog } from './audit.ts';
import { Enrollment } from './enrollment.ts';
import { fleetDb, type FleetDb } from './fleet-db.ts';
import { FleetView } from './fleet-view.ts';
import { RemoteActions } from './remote-actions.ts';
import { SelfTests } from './self-tests.ts';
import { TotemTokens } from './totem-tokens.ts';

/** What the fleet needs of the call router (server/src/node/calls/call-router.ts). */
export interface FleetCalls {
  hasCall(totemId: string): boolean;
  endTotemCalls(totemId: string, reason: EndReason): Promise<void>;
}

export type KioskNamespace = Namespace<KioskClientEvents, KioskServerEvents>;

export interface FleetServiceOptions {
  db: Db;
  log: Logger;
  now: () => Date;
  totems: TotemAuthenticator;
  config: ServerConfig['fleet'];
  /** Base URL handed to totems at enrollment. */
  serverUrl: () => string;
  /** The kiosk namespace, once signaling has started. */
  kiosk: () => KioskNamespace | undefined;
  calls: () => FleetCalls | undefined;
}

const room = (totemId: string) => `totem:${totemId}`;

export class FleetService {
  readonly audit: AuditLog;
  readonly enrollment: Enrollment;
  readonly tokens: TotemTokens;
  readonly view: FleetView;
  readonly actions: RemoteActions;
  readonly selfTests: SelfTests;
  private readonly db: FleetDb;

  constructor(private readonly o: FleetServiceOptions) {
    this.db = fleetDb(o.db);
    const log = o.log;
    this.audit = new AuditLog(this.db, log, o.now);
    this.enrollment = new Enrollment({
      db: this.db,
      audit: this.audit,
      now: o.now,
      serverUrl: o.serverUrl,
      enrollmentTokenMinutes: o.config.enrollmentTokenMinutes,
      heartbeatSeconds: o.config.heartbeatSeconds,
      turnServers: o.config.turnServers,
      languages: o.config.languages,
      onReplaced: (totemId) => this.cutOff(totemId, undefined),
    });
    this.tokens = new TotemTokens({
      db: this.db,
      audit: this.audit,
      totems: o.totems,
      now: o.now,
      tokenMinutes: o.config.totemTokenMinutes,
      clockSkewSeconds: o.config.clockSkewSeconds,
    });
    this.view = new FleetView({
      db: this.db,
      now: o.now,
      live: { connected: (id) => this.connected(id), inCall: (id) => this.o.calls()?.hasCall(id) ?? false },
      heartbeatSeconds: o.config.heartbeatSeconds,
      missedHeartbeats: o.config.missedHeartbeats,
      historySize: o.config.historySize,
    });
    this.actions = new RemoteActions({
      db: this.db,
      audit: this.audit,
      now: o.now,
      inCall: async (id) => (this.o.calls()?.hasCall(id) ?? false) || (await this.view.reportsCall(id)),
      send: (id, notice) => this.send(id, notice),
    });
    this.selfTests = new SelfTests({ db: o.db, audit: this.audit, now: o.now });
  }

  connected(totemId: string): boolean {
    return (this.o.kiosk()?.adapter.rooms.get(room(totemId))?.size ?? 0) > 0;
  }

  /** Resolves once no kiosk socket of this totem is connected (tests, diagnostics). */
  whenDisconnected(totemId: string): Promise<void> {
    const kiosk = this.o.kiosk();
    if (!kiosk || !this.connected(totemId)) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (roomName: string) => {
        if (roomName !== room(totemId) || this.connected(totemId)) return;
        kiosk.adapter.off('leave-room', check);
        kiosk.adapter.off('delete-room', check);
        resolve();
      };
      kiosk.adapter.on('leave-room', check);
      kiosk.adapter.on('delete-room', check);
    });
  }

  private send(totemId: string, notice: RemoteActionNotice): boolean {
    const kiosk = this.o.kiosk();
    if (!kiosk || !this.connected(totemId)) return false;
    kiosk.to(room(totemId)).emit(EVENTS.totemAction, notice);
    return true;
  }

  async heartbeat(totem: TotemIdentity, heartbeat: Heartbeat): Promise<HeartbeatAnswer> {
    await this.view.recordHeartbeat(totem.id, heartbeat);
    return {
      heartbeatSeconds: this.o.config.heartbeatSeconds,
      actions: await this.actions.takePending(totem.id),
    };
  }

  async detail(totemId: string, historyLimit: number): Promise<FleetTotemDetail> {
    const [totem] = await this.view.list(totemId);
    if (!totem) throw new HttpError(404, 'totem-unknown', `There is no totem "${totemId}".`);
    return {
      totem,
      history: await this.view.history(totemId, historyLimit),
      actions: await this.actions.recent(totemId, 20),
      lastSelfTest: await this.selfTests.latest(totemId),
    };
  }

  /**
   * Revocation (P-3): the totem is told first (it wipes its keys and cache and shows out of
   * service), its call ends gracefully, its sockets are dropped, and every credential it holds
   * stops working (key version bumped, key and demo secret cleared). Re-enrollment needs a new token.
   */
  async revoke(actor: string, totemId: string, reason: string | undefined): Promise<void> {
    const totem = await this.db
      .selectFrom('totems')
      .select('id')
      .where('id', '=', totemId)
      .executeTakeFirst();
    if (!totem) throw new HttpError(404, 'totem-unknown', `There is no totem "${totemId}".`);
    const why = reason ?? 'revoked by an administrator';
    const now = this.o.now().toISOString();
    await this.view.ensureRow(totemId);
    await this.db
      .updateTable('totem_fleet')
      .set((eb) => ({
        status: 'revoked',
        status_reason: why,
        revoked_at: now,
        public_key: null,
        key_fingerprint: null,
        key_version: eb('key_version', '+', 1),
      }))
      .where('totem_id', '=', totemId)
      .execute();
    await this.db.updateTable('totems').set({ secret_hash: '' }).where('id', '=', totemId).execute();
    this.o.totems.forget(totemId);
    await this.actions.cancelPending(totemId, 'the totem was revoked');
    await this.cutOff(totemId, why);
    await this.audit.record({ actor, action: 'totem-revoked', target: totemId, result: 'ok', detail: why });
  }

  /** Tells the totem (when revoked), ends its calls, then drops its sockets. */
  private async cutOff(totemId: string, revokedReason: string | undefined): Promise<void> {
    const kiosk = this.o.kiosk();
    if (revokedReason !== undefined)
      kiosk?.to(room(totemId)).emit(EVENTS.totemRevoked, { reason: revokedReason });
    await this.o.calls()?.endTotemCalls(totemId, 'cancelled');
    kiosk?.in(room(totemId)).disconnectSockets();
  }

  /* Kiosk namespace hooks ------------------------------------------------------------------- */

  /** A kiosk socket of this totem connected: it is seen, and gets its unanswered actions. */
  kioskConnected(totem: TotemIdentity): void {
    void (async () => {
      await this.view.markSeen(totem.id);
      await this.actions.deliverPending(totem.id);
    })().catch((err: unknown) => this.o.log.error({ err, totem: totem.id }, 'could not update the fleet'));
  }

  /** A second connection with an identity already connected was refused (P-2). Never throws. */
  async cloneRefused(totem: TotemIdentity, address: string): Promise<void> {
    try {
      await this.view.ensureRow(totem.id);
      await this.db
        .updateTable('totem_fleet')
        .set({ clone_suspected_at: this.o.now().toISOString() })
        .where('totem_id', '=', totem.id)
        .execute();
      await this.audit.record({
        actor: `totem:${totem.id}@${address}`,
        action: 'totem-clone-refused',
        target: totem.id,
        result: 'refused',
        detail: `a second connection presented this identity (${totem.credential ?? 'credential'})`,
      });
    } catch (err) {
      this.o.log.error({ err, totem: totem.id }, 'could not record a clone');
    }
  }
}
