// Test support for the agenda feed: a reference totem cache (what docs/sync-protocol.md asks a
// kiosk to do), a feed client speaking HTTP to a test server, and small fixtures. Used by tests only.
import assert from 'node:assert/strict';
import {
  PUBLIC_ROUTES,
  SYNC_ROUTES,
  agendaChangesPageSchema,
  routePath,
  routeQuery,
  syncPath,
  agendaSnapshotSchema,
  type AgendaChange,
  type AgendaChangesPage,
  type AgendaSnapshot,
  type SyncedBooking,
} from '@sportello/protocol';
import { hashPassword } from '../auth/secrets.ts';
import type { Db } from '../db/open.ts';
import { totemCredential, type TestServer } from '../testing/test-server.ts';

/** The reference totem: newest version wins, tombstones respected (what the kiosk must do). */
export class Model {
  readonly rows = new Map<string, SyncedBooking>();
  readonly tombs = new Map<string, number>();
  apply(c: AgendaChange): void {
    const id = c.op === 'upsert' ? c.booking.bookingId : c.bookingId;
    const version = c.op === 'upsert' ? c.booking.version : c.version;
    const row = this.rows.get(id)?.version ?? 0;
    const tomb = this.tombs.get(id) ?? 0;
    // Older than what is held: stale. An upsert must also be newer than the tombstone it revives.
    if (version < row || version < tomb || (c.op === 'upsert' && version === tomb)) return;
    if (c.op === 'upsert') {
      this.rows.set(id, c.booking);
      this.tombs.delete(id);
    } else {
      this.rows.delete(id);
      this.tombs.set(id, version);
    }
  }
  /** The bookings a snapshot taken with this `since` would hold. */
  since(iso: string): SyncedBooking[] {
    return [...this.rows.values()]
      .filter((b) => b.slotStart >= iso)
      .sort((a, b) => a.bookingId.localeCompare(b.bookingId));
  }
}

export async function addSite(db: Db, secret: string): Promise<string> {
  await db.insertInto('offices').values({ id: 'tributi', name: 'Tributi', walk_in: 0 }).execute();
  await db
    .insertInto('services')
    .values({ id: 'tributi-tari', office_id: 'tributi', name: 'TARI', slot_minutes: 20 })
    .execute();
  await db
    .insertInto('sites')
    .values({ id: 'frazione', name: 'Frazione', site_key: Buffer.alloc(32, 7).toString('base64') })
    .execute();
  await db.insertInto('site_offices').values({ site_id: 'frazione', office_id: 'tributi' }).execute();
  await db
    .insertInto('totems')
    .values({
      id: 'totem-frazione-1',
      site_id: 'frazione',
      name: 'Totem Frazione',
      secret_hash: await hashPassword(secret),
      created_at: new Date().toISOString(),
    })
    .execute();
  return `totem-frazione-1:${secret}`;
}

export function client(t: TestServer) {
  const auth = `Totem ${totemCredential(t.seed)}`;
  async function get(path: string, credential = auth) {
    const res = await fetch(t.url + path, { headers: { authorization: credential } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }
  return {
    get,
    async page(cursor: number, limit?: number, site = 'centro'): Promise<AgendaChangesPage> {
      const r = await get(syncPath(SYNC_ROUTES.changes, site) + routeQuery({ cursor, limit }));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return agendaChangesPageSchema.parse(r.body);
    },
    async snapshot(): Promise<AgendaSnapshot> {
      const r = await get(syncPath(SYNC_ROUTES.snapshot, 'centro'));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return agendaSnapshotSchema.parse(r.body);
    },
    /** Follows the feed to its end from `cursor`, page by page, into `model`. */
    async follow(cursor: number, model: Model, limit?: number) {
      const changes: AgendaChange[] = [];
      for (;;) {
        const p = await this.page(cursor, limit);
        assert.ok(p.cursor >= cursor, 'the cursor never goes backwards');
        for (const c of p.changes) {
          assert.ok(c.seq > cursor && c.seq <= p.cursor, 'entries lie between the two cursors');
          model.apply(c);
        }
        changes.push(...p.changes);
        cursor = p.cursor;
        if (!p.hasMore) return { cursor, changes };
      }
    },
  };
}

/** Books the first free slot of the next working day after `from` (the server's clock). */
export async function book(t: TestServer, body: Record<string, unknown>, from = Date.now()) {
  const date = new Date(from);
  do date.setUTCDate(date.getUTCDate() + 1);
  while (date.getUTCDay() === 0);
  const slots = (await (
    await fetch(
      t.url +
        routePath(PUBLIC_ROUTES.slots, { serviceId: 'urp-info' }) +
        routeQuery({ date: date.toISOString().slice(0, 10) }),
    )
  ).json()) as {
    start: string;
  }[];
  const res = await fetch(t.url + PUBLIC_ROUTES.book.path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      serviceId: 'urp-info',
      slotStart: slots[0]!.start,
      reason: 'Una ragione',
      name: 'Anna Verdi',
      ...body,
    }),
  });
  assert.equal(res.status, 201);
  return (await res.json()) as { bookingId: string; code: string; manageToken: string };
}
