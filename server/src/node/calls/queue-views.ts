// What each side is shown of the stored queue: the kiosk's queue status (position, estimated wait)
// and the console's live list, both computed from one snapshot with the pure policy. Pure too.
import type {
  CallRing,
  ConsoleCallItem,
  ConsoleQueue,
  ConsoleQueueItem,
  OperatorCallback,
  QueueStatus,
} from '@sportello/protocol';
import type { LiveItem } from './call-store.ts';
import type { PolicyRow } from './dispatch-reads.ts';
import {
  phaseOf,
  positionsOf,
  reservedFor,
  servingOrder,
  type PolicyItem,
  type PolicyOperator,
  type PolicySettings,
} from './queue-policy.ts';
import { estimateWaitMs } from './wait-estimate.ts';
import { HOME_SITE_ID } from './home-guests.ts';

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

export function toPolicyItem(row: PolicyRow): PolicyItem {
  return {
    id: row.id,
    kind: row.kind,
    officeId: row.office_id ?? '',
    assignedOperatorId: row.assigned_operator_id,
    queuedAt: Date.parse(row.created_at),
    seq: row.seq ?? undefined,
    notBefore: ms(row.not_before),
    state: row.state === 'ended' ? 'accepted' : row.state,
    operatorId: row.operator_id,
    held: row.held_since !== null,
    lastMissedBy: row.last_missed_by,
    lastMissedAt: ms(row.last_missed_at),
  };
}

export function ringOf(row: LiveItem): CallRing {
  return {
    callId: row.id,
    kind: row.kind,
    totemName: row.totem_name ?? row.totem_id,
    officeName: row.office_name ?? '',
    serviceName: row.service_name,
    reason: row.kind === 'booked' ? row.booking_reason : null,
    slotStart: row.kind === 'booked' ? row.slot_start : null,
    queuedAt: row.created_at,
    fromHome: row.site_id === HOME_SITE_ID,
  };
}

export interface QueueViews {
  /** Per item id, its kiosk status. */
  statuses: Map<string, QueueStatus>;
  /** Every waiting item in serving order, as consoles list them (assignedToYou filled per console). */
  calls: (ConsoleCallItem & { assignedOperatorId: string | null })[];
}

export function buildViews(
  rows: readonly LiveItem[],
  operators: readonly PolicyOperator[],
  now: number,
  s: PolicySettings,
  meanHandleMs: (officeId: string) => number,
): QueueViews {
  const items = rows.map(toPolicyItem);
  const byId = new Map(operators.map((o) => [o.id, o]));
  const positions = positionsOf(items, byId, now, s);
  const rowById = new Map(rows.map((r) => [r.id, r]));
  const online = new Map<string, number>();
  const free = new Map<string, number>();
  for (const op of operators) {
    for (const office of op.officeIds) {
      if (op.status === 'available' || op.busy) online.set(office, (online.get(office) ?? 0) + 1);
      if (op.status === 'available' && !op.busy) free.set(office, (free.get(office) ?? 0) + 1);
    }
  }
  // The office's mean handle time once per office, not once per kiosk.
  const handle = new Map<string, number>();
  const meanOf = (office: string) => {
    let h = handle.get(office);
    if (h === undefined) handle.set(office, (h = meanHandleMs(office)));
    return h;
  };
  const statuses = new Map<string, QueueStatus>();
  const calls: QueueViews['calls'] = [];
  for (const item of servingOrder(items, s)) {
    const row = rowById.get(item.id)!;
    const position = positions.get(item.id) ?? 1;
    const phase = phaseOf(item, byId, now, s);
    const reserved = reservedFor(item, byId, now, s);
    // Reserved for its own operator: only that operator's calls stand between.
    const k = reserved !== null ? 1 : (online.get(item.officeId) ?? 0);
    const f =
      reserved !== null ? (byId.get(reserved)?.busy === false ? 1 : 0) : (free.get(item.officeId) ?? 0);
    const wait = phase === 'ringing' ? 0 : estimateWaitMs(position, k, f, meanOf(item.officeId));
    statuses.set(item.id, {
      callId: item.id,
      kind: item.kind,
      phase,
      position,
      estimatedWaitSeconds: wait === null ? null : Math.round(wait / 1000),
      waitedSeconds: Math.max(0, Math.floor((now - item.queuedAt) / 1000)),
      callbackOffered: row.callback_offered_at !== null,
    });
    calls.push({
      kind: item.kind,
      callId: item.id,
      officeId: item.officeId,
      officeName: row.office_name ?? '',
      serviceName: row.service_name,
      reason: item.kind === 'booked' ? row.booking_reason : null,
      slotStart: item.kind === 'booked' ? row.slot_start : null,
      queuedAt: row.created_at,
      phase,
      assignedToYou: false,
      ringingOperatorId: item.state === 'offered' ? item.operatorId : null,
      fromHome: row.site_id === HOME_SITE_ID,
      assignedOperatorId: item.assignedOperatorId,
    });
  }
  return { statuses, calls };
}

/** The live list one console is shown: its offices' waiting calls, then their open call-backs. */
export function consoleQueueFor(
  operatorId: string,
  officeIds: readonly string[],
  views: QueueViews,
  callbacks: readonly OperatorCallback[],
  now: Date,
): ConsoleQueue {
  const offices = new Set(officeIds);
  const items: ConsoleQueueItem[] = [];
  for (const c of views.calls) {
    if (!offices.has(c.officeId)) continue;
    const { assignedOperatorId, ...item } = c;
    items.push({ ...item, assignedToYou: assignedOperatorId === operatorId });
  }
  for (const cb of callbacks) {
    if (cb.officeId === null || offices.has(cb.officeId)) items.push({ ...cb, kind: 'callback' });
  }
  return { serverTime: now.toISOString(), items };
}
