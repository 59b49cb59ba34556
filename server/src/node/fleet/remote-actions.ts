// Remote actions queued per totem: restart the kiosk, force a full agenda resync, request logs,
// take a screenshot. An action is delivered to that totem only (its socket room, or the answer to
// its next heartbeat) until the totem posts a result. A screenshot is refused while the totem is
// in a call, both when asked and when the result arrives: it may show only the idle screen.
import type { ActionResult, RemoteAction, RemoteActionKind, RemoteActionNotice } from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/errors.ts';
import type { AuditLog } from './audit.ts';
import type { FleetDb, RemoteActionsTable } from './fleet-db.ts';

/** More than this many unanswered actions for one totem is a sign it is not listening. */
export const MAX_PENDING_ACTIONS = 20;

export const SCREENSHOT_IN_CALL_MESSAGE =
  'A screenshot is never taken during a call: try again when the totem is back on its idle screen.';

export interface RemoteActionsOptions {
  db: FleetDb;
  audit: AuditLog;
  now: () => Date;
  /** True when the totem is in a call now (router or a recent heartbeat). */
  inCall: (totemId: string) => Promise<boolean>;
  /** Sends the notice to the totem's connected sockets; false when none is connected. */
  send: (totemId: string, notice: RemoteActionNotice) => boolean;
}

function toAction(r: RemoteActionsTable, withData = false): RemoteAction {
  return {
    id: r.id,
    totemId: r.totem_id,
    kind: r.kind,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    completedAt: r.completed_at,
    detail: r.detail,
    contentType: r.content_type,
    ...(withData ? { data: r.data } : {}),
  };
}

export class RemoteActions {
  constructor(private readonly o: RemoteActionsOptions) {}

  async request(actor: string, totemId: string, kind: RemoteActionKind): Promise<RemoteAction> {
    const totem = await this.o.db
      .selectFrom('totems')
      .leftJoin('totem_fleet', 'totem_fleet.totem_id', 'totems.id')
      .select(['totems.id', 'totem_fleet.status'])
      .where('totems.id', '=', totemId)
      .executeTakeFirst();
    if (!totem) throw new HttpError(404, 'totem-unknown', `There is no totem "${totemId}".`);
    const refuse = async (status: number, code: string, message: string): Promise<never> => {
      await this.o.audit.record({
        actor,
        action: `remote-action:${kind}`,
        target: totemId,
        result: 'refused',
        detail: code,
      });
      throw new HttpError(status, code, message);
    };
    if (totem.status === 'revoked')
      return refuse(409, 'totem-revoked', 'This totem is revoked: enroll it again first.');
    if (kind === 'screenshot' && (await this.o.inCall(totemId))) {
      return refuse(409, 'totem-in-call', SCREENSHOT_IN_CALL_MESSAGE);
    }
    const pending = await this.pendingRows(totemId);
    if (pending.length >= MAX_PENDING_ACTIONS) {
      return refuse(
        409,
        'too-many-actions',
        'This totem has not answered its earlier actions: check that it is online.',
      );
    }
    const row: RemoteActionsTable = {
      id: randomUUID(),
      totem_id: totemId,
      kind,
      status: 'queued',
      requested_by: actor,
      requested_at: this.o.now().toISOString(),
      completed_at: null,
      detail: null,
      content_type: null,
      data: null,
    };
    await this.o.db.insertInto('remote_actions').values(row).execute();
    if (this.o.send(totemId, { id: row.id, kind })) {
      row.status = 'sent';
      await this.o.db
        .updateTable('remote_actions')
        .set({ status: 'sent' })
        .where('id', '=', row.id)
        .execute();
    }
    await this.o.audit.record({
      actor,
      action: `remote-action:${kind}`,
      target: totemId,
      result: 'ok',
      detail: row.id,
    });
    return toAction(row);
  }

  private pendingRows(totemId: string) {
    return this.o.db
      .selectFrom('remote_actions')
      .selectAll()
      .where('totem_id', '=', totemId)
      .where('status', 'in', ['queued', 'sent'])
      .orderBy('requested_at')
      .execute();
  }

  /** The totem's unanswered actions, marked as sent (it is about to receive them). */
  async takePending(totemId: string): Promise<RemoteActionNotice[]> {
    const rows = await this.pendingRows(totemId);
    const queued = rows.filter((r) => r.status === 'queued').map((r) => r.id);
    if (queued.length) {
      await this.o.db
        .updateTable('remote_actions')
        .set({ status: 'sent' })
        .where('id', 'in', queued)
        .execute();
    }
    return rows.map((r) => ({ id: r.id, kind: r.kind }));
  }

  /** Re-sends unanswered actions to a totem that has just connected. */
  async deliverPending(totemId: string): Promise<void> {
    for (const notice of await this.takePending(totemId)) this.o.send(totemId, notice);
  }

  async complete(totemId: string, actionId: string, result: ActionResult): Promise<RemoteAction> {
    const row = await this.o.db
      .selectFrom('remote_actions')
      .selectAll()
      .where('id', '=', actionId)
      .where('totem_id', '=', totemId)
      .executeTakeFirst();
    // Another totem's action is "not found" for this one: it learns nothing about it.
    if (!row) throw new HttpError(404, 'action-unknown', 'This totem has no such action.');
    if (row.status !== 'queued' && row.status !== 'sent') {
      throw new HttpError(409, 'action-finished', `This action is already ${row.status}.`);
    }
    let ok = result.ok;
    let detail = result.detail ?? null;
    let data = result.data ?? null;
    if (row.kind === 'screenshot' && data !== null && (await this.o.inCall(totemId))) {
      // A call began after the request: the picture could show a citizen, so it is not kept.
      ok = false;
      data = null;
      detail = SCREENSHOT_IN_CALL_MESSAGE;
    }
    const done = {
      status: ok ? ('done' as const) : ('failed' as const),
      completed_at: this.o.now().toISOString(),
      detail,
      content_type: data === null ? null : (result.contentType ?? null),
      data,
    };
    await this.o.db.updateTable('remote_actions').set(done).where('id', '=', actionId).execute();
    await this.o.audit.record({
      actor: `totem:${totemId}`,
      action: `remote-action-result:${row.kind}`,
      target: actionId,
      result: ok ? 'ok' : 'failed',
      detail,
    });
    return toAction({ ...row, ...done });
  }

  async cancelPending(totemId: string, detail: string): Promise<void> {
    await this.o.db
      .updateTable('remote_actions')
      .set({ status: 'cancelled', completed_at: this.o.now().toISOString(), detail })
      .where('totem_id', '=', totemId)
      .where('status', 'in', ['queued', 'sent'])
      .execute();
  }

  async recent(totemId: string, limit: number): Promise<RemoteAction[]> {
    const rows = await this.o.db
      .selectFrom('remote_actions')
      .selectAll()
      .where('totem_id', '=', totemId)
      .orderBy('requested_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => toAction(r));
  }

  async read(actionId: string): Promise<RemoteAction> {
    const row = await this.o.db
      .selectFrom('remote_actions')
      .selectAll()
      .where('id', '=', actionId)
      .executeTakeFirst();
    if (!row) throw new HttpError(404, 'action-unknown', 'There is no such action.');
    return toAction(row, true);
  }
}
