// What municipal IT sees: each totem's status computed from its enrollment, its latest heartbeat,
// its live connection and the call router; and the bounded heartbeat history behind it.
import { heartbeatSchema, type FleetStatus, type FleetTotem, type Heartbeat } from '@sportello/protocol';
import type { FleetDb } from './fleet-db.ts';
import { HOME_SITE_ID } from '../calls/home-guests.ts';

export interface LiveState {
  connected(totemId: string): boolean;
  inCall(totemId: string): boolean;
}

export interface FleetViewOptions {
  db: FleetDb;
  now: () => Date;
  live: LiveState;
  heartbeatSeconds: number;
  missedHeartbeats: number;
  historySize: number;
}

export function parseHeartbeat(json: string | null): Heartbeat | null {
  if (!json) return null;
  try {
    const parsed = heartbeatSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export class FleetView {
  constructor(private readonly o: FleetViewOptions) {}

  /** Makes sure a totem has its fleet row (demo totems get one when first seen). */
  async ensureRow(totemId: string): Promise<void> {
    await this.o.db
      .insertInto('totem_fleet')
      .values({ totem_id: totemId })
      .onConflict((oc) => oc.column('totem_id').doNothing())
      .execute();
  }

  async markSeen(totemId: string): Promise<void> {
    await this.ensureRow(totemId);
    await this.o.db
      .updateTable('totem_fleet')
      .set({ last_seen_at: this.o.now().toISOString() })
      .where('totem_id', '=', totemId)
      .execute();
  }

  async recordHeartbeat(totemId: string, heartbeat: Heartbeat): Promise<void> {
    const at = this.o.now().toISOString();
    const json = JSON.stringify(heartbeat);
    await this.ensureRow(totemId);
    await this.o.db
      .updateTable('totem_fleet')
      .set({ last_seen_at: at, last_heartbeat: json })
      .where('totem_id', '=', totemId)
      .execute();
    await this.o.db
      .insertInto('totem_heartbeats')
      .values({ totem_id: totemId, received_at: at, heartbeat: json })
      .execute();
    // Keep the newest `historySize` rows of this totem: delete at and below the first one past them.
    await this.o.db
      .deleteFrom('totem_heartbeats')
      .where('totem_id', '=', totemId)
      .where('id', '<=', (eb) =>
        eb
          .selectFrom('totem_heartbeats')
          .select('id')
          .where('totem_id', '=', totemId)
          .orderBy('id', 'desc')
          .limit(1)
          .offset(this.o.historySize),
      )
      .execute();
  }

  async history(totemId: string, limit: number): Promise<{ receivedAt: string; heartbeat: Heartbeat }[]> {
    const rows = await this.o.db
      .selectFrom('totem_heartbeats')
      .select(['received_at', 'heartbeat'])
      .where('totem_id', '=', totemId)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.flatMap((r) => {
      const heartbeat = parseHeartbeat(r.heartbeat);
      return heartbeat ? [{ receivedAt: r.received_at, heartbeat }] : [];
    });
  }

  /** A heartbeat saying "in call" still counts if it is recent: used to refuse screenshots. */
  async reportsCall(totemId: string): Promise<boolean> {
    const row = await this.o.db
      .selectFrom('totem_fleet')
      .select(['last_seen_at', 'last_heartbeat'])
      .where('totem_id', '=', totemId)
      .executeTakeFirst();
    return parseHeartbeat(row?.last_heartbeat ?? null)?.state === 'in-call' && this.recent(row?.last_seen_at);
  }

  async list(totemId?: string): Promise<FleetTotem[]> {
    let q = this.o.db
      .selectFrom('totems')
      .innerJoin('sites', 'sites.id', 'totems.site_id')
      // The join pages of home appointments are totems only for the queue (calls/home-guests.ts).
      .where('totems.site_id', '!=', HOME_SITE_ID)
      .leftJoin('totem_fleet', 'totem_fleet.totem_id', 'totems.id')
      .select([
        'totems.id',
        'totems.name',
        'totems.site_id',
        'totems.secret_hash',
        'sites.name as site_name',
        'totem_fleet.status',
        'totem_fleet.status_reason',
        'totem_fleet.public_key',
        'totem_fleet.key_fingerprint',
        'totem_fleet.enrolled_at',
        'totem_fleet.last_seen_at',
        'totem_fleet.last_heartbeat',
        'totem_fleet.clone_suspected_at',
      ])
      .select((eb) =>
        eb
          .selectFrom('remote_actions')
          .select((e) => e.fn.countAll<number>().as('n'))
          .whereRef('remote_actions.totem_id', '=', 'totems.id')
          .where('remote_actions.status', 'in', ['queued', 'sent'])
          .as('pending'),
      )
      .orderBy('sites.name')
      .orderBy('totems.name');
    if (totemId) q = q.where('totems.id', '=', totemId);
    const rows = await q.execute();
    return rows.map((r) => {
      const heartbeat = parseHeartbeat(r.last_heartbeat);
      const connected = this.o.live.connected(r.id);
      const revoked = r.status === 'revoked';
      const [status, reason] = this.statusOf({
        revoked,
        revokedReason: r.status_reason,
        connected,
        inCall: this.o.live.inCall(r.id),
        lastSeenAt: r.last_seen_at,
        heartbeat,
      });
      return {
        id: r.id,
        name: r.name,
        siteId: r.site_id,
        siteName: r.site_name,
        status,
        statusReason: reason,
        connected,
        lastSeenAt: r.last_seen_at,
        enrolledAt: r.enrolled_at,
        credential: revoked ? 'none' : r.public_key ? 'key' : r.secret_hash ? 'secret' : 'none',
        keyFingerprint: r.key_fingerprint,
        cloneSuspectedAt: r.clone_suspected_at,
        heartbeat,
        pendingActions: Number(r.pending ?? 0),
      };
    });
  }

  private recent(lastSeenAt: string | null | undefined): boolean {
    if (!lastSeenAt) return false;
    const staleMs = this.o.heartbeatSeconds * this.o.missedHeartbeats * 1000;
    return this.o.now().getTime() - Date.parse(lastSeenAt) <= staleMs;
  }

  private statusOf(s: {
    revoked: boolean;
    revokedReason: string | null;
    connected: boolean;
    inCall: boolean;
    lastSeenAt: string | null;
    heartbeat: Heartbeat | null;
  }): [FleetStatus, string | null] {
    if (s.revoked) return ['revoked', s.revokedReason];
    // A live socket is proof of life even between heartbeats (and for totems that do not send any).
    if (!s.connected && !this.recent(s.lastSeenAt)) return [s.lastSeenAt ? 'not-seen' : 'never-seen', null];
    if (s.heartbeat?.state === 'out-of-service') return ['out-of-service', s.heartbeat.reason ?? null];
    // The router knows calls for certain; a heartbeat's "in call" may be 30 s old.
    if (s.inCall) return ['in-call', null];
    return ['online', null];
  }
}
