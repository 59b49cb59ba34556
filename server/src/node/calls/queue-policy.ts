// The queue policy: given the waiting items, the operators and the clock, which item rings on whose
// console next, and where each item stands. Pure: no sockets, no database, no timers — the router
// feeds it a snapshot and carries out its answer. Every rule is documented in the README ("The
// queue: rules and settings") and property-tested in queue-policy.test.ts (Q-1).
import type { QueuePhase } from '@sportello/protocol';

export interface PolicySettings {
  /** How long a booked item waits for its own operator when that operator is busy or paused. */
  bookedGraceMs: number;
  /**
   * Booked items rank as if they had arrived this much earlier than they did: they go ahead of
   * walk-ins, except walk-ins that have already waited this much longer (ageing).
   */
  walkInAgeingMs: number;
  /** After an unanswered ring, the operator who missed it is not offered that item for this long. */
  missedRetryMs: number;
  /** Past this wait the citizen is offered a call-back. */
  maxWaitMs: number;
  /** Unanswered rings in a row after which an operator is paused. */
  missedRingsToPause: number;
}

export interface PolicyItem {
  id: string;
  kind: 'booked' | 'walk-in';
  officeId: string;
  /** The booking's own operator; null for walk-ins and unassigned bookings. */
  assignedOperatorId: string | null;
  queuedAt: number;
  /** Arrival order among items queued in the same millisecond. */
  seq?: number | undefined;
  /** Not offered before this instant (an early arrival); null when it may be offered at once. */
  notBefore: number | null;
  state: 'queued' | 'offered' | 'accepted';
  /** The operator the item is offered to or accepted by. */
  operatorId: string | null;
  /** True while recovery waits for the item's totem to reconnect: not offered meanwhile. */
  held: boolean;
  lastMissedBy: string | null;
  lastMissedAt: number | null;
}

export interface PolicyOperator {
  id: string;
  officeIds: readonly string[];
  status: 'available' | 'paused';
  /** True while an item rings on this console or a call is held. */
  busy: boolean;
  /** When the operator last became free: the longest-idle operator is offered first. */
  freeSince: number;
}

export interface Offer {
  itemId: string;
  operatorId: string;
}

/** The instant from which the item counts as waiting for an operator. */
function eligibleAt(item: PolicyItem): number {
  return Math.max(item.queuedAt, item.notBefore ?? item.queuedAt);
}

/** The sort key: smaller is served first. */
export function rankKey(item: PolicyItem, s: PolicySettings): number {
  return eligibleAt(item) - (item.kind === 'booked' ? s.walkInAgeingMs : 0);
}

function byRank(s: PolicySettings) {
  return (a: PolicyItem, b: PolicyItem) =>
    rankKey(a, s) - rankKey(b, s) ||
    a.queuedAt - b.queuedAt ||
    (a.seq ?? 0) - (b.seq ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The items still waiting (queued or ringing), in serving order. */
export function servingOrder(items: readonly PolicyItem[], s: PolicySettings): PolicyItem[] {
  return items.filter((i) => i.state !== 'accepted').sort(byRank(s));
}

/**
 * Who may be offered this item now, ignoring whether they are free. A booked item whose own
 * operator is online (connected) and within the grace period is reserved for that operator.
 */
export function reservedFor(
  item: PolicyItem,
  operators: ReadonlyMap<string, PolicyOperator>,
  now: number,
  s: PolicySettings,
): string | null {
  if (item.kind !== 'booked' || item.assignedOperatorId === null) return null;
  const own = operators.get(item.assignedOperatorId);
  if (!own || !own.officeIds.includes(item.officeId)) return null; // offline: straight to the office
  // Their own operator let it ring out: it passes to the office at once (missed ring rule).
  if (item.lastMissedBy === own.id && item.lastMissedAt !== null && now - item.lastMissedAt < s.missedRetryMs)
    return null;
  if (own.status === 'available' && !own.busy) return own.id; // free now: theirs first
  return now - eligibleAt(item) < s.bookedGraceMs ? own.id : null;
}

function mayTake(item: PolicyItem, op: PolicyOperator, now: number, s: PolicySettings): boolean {
  if (op.status !== 'available' || op.busy || !op.officeIds.includes(item.officeId)) return false;
  // A missed ring passes the item to someone else; the one who missed it gets it again later.
  if (item.lastMissedBy === op.id && item.lastMissedAt !== null && now - item.lastMissedAt < s.missedRetryMs)
    return false;
  return true;
}

/** Whether an item can be offered at all now. */
function offerable(item: PolicyItem, now: number): boolean {
  return item.state === 'queued' && !item.held && (item.notBefore === null || item.notBefore <= now);
}

/**
 * The offers to make now: items in serving order, each to the longest-idle free operator allowed
 * to take it (its own operator only, while reserved). One item per operator, one operator per item.
 */
export function nextOffers(
  items: readonly PolicyItem[],
  operators: readonly PolicyOperator[],
  now: number,
  s: PolicySettings,
): Offer[] {
  const byId = new Map(operators.map((o) => [o.id, o]));
  const taken = new Set(operators.filter((o) => o.busy).map((o) => o.id));
  const free = operators
    .filter((o) => o.status === 'available' && !o.busy)
    .sort((a, b) => a.freeSince - b.freeSince || (a.id < b.id ? -1 : 1));
  const offers: Offer[] = [];
  for (const item of servingOrder(items, s)) {
    if (taken.size >= operators.length) break;
    if (!offerable(item, now)) continue;
    const reserved = reservedFor(item, byId, now, s);
    const candidates = reserved !== null ? free.filter((o) => o.id === reserved) : free;
    const op = candidates.find((o) => !taken.has(o.id) && mayTake(item, o, now, s));
    if (!op) continue;
    taken.add(op.id);
    offers.push({ itemId: item.id, operatorId: op.id });
  }
  return offers;
}

/** How the kiosk describes where the item stands. */
export function phaseOf(
  item: PolicyItem,
  operators: ReadonlyMap<string, PolicyOperator>,
  now: number,
  s: PolicySettings,
): QueuePhase {
  if (item.state === 'offered') return 'ringing';
  if (item.notBefore !== null && item.notBefore > now) return 'early';
  const reserved = reservedFor(item, operators, now, s);
  const own = reserved !== null ? operators.get(reserved) : undefined;
  if (own && (own.busy || own.status !== 'available')) return 'grace';
  return 'waiting';
}

/**
 * 1-based position: the waiting items of the same office served before this one, plus one. Items
 * reserved for another operator do not count (they do not stand in this citizen's way).
 */
export function positionsOf(
  items: readonly PolicyItem[],
  operators: ReadonlyMap<string, PolicyOperator>,
  now: number,
  s: PolicySettings,
): Map<string, number> {
  const positions = new Map<string, number>();
  const perOffice = new Map<string, PolicyItem[]>();
  for (const item of servingOrder(items, s)) {
    const list = perOffice.get(item.officeId) ?? [];
    list.push(item);
    perOffice.set(item.officeId, list);
  }
  for (const list of perOffice.values()) {
    // One pass: the unreserved items seen so far, and per operator the items reserved for them.
    let unreserved = 0;
    const reservedCount = new Map<string, number>();
    for (const item of list) {
      const mine = reservedFor(item, operators, now, s);
      positions.set(item.id, unreserved + (mine === null ? 0 : (reservedCount.get(mine) ?? 0)) + 1);
      if (mine === null) unreserved++;
      else reservedCount.set(mine, (reservedCount.get(mine) ?? 0) + 1);
    }
  }
  return positions;
}

/** Whether the citizen should be offered a call-back now. */
export function callbackDue(item: PolicyItem, now: number, s: PolicySettings): boolean {
  return item.state !== 'accepted' && now - item.queuedAt >= s.maxWaitMs;
}

/** After an unanswered ring: the operator's new count of misses in a row, and whether to pause. */
export function afterMissedRing(
  missedInRow: number,
  s: PolicySettings,
): { missedInRow: number; pause: boolean } {
  const next = missedInRow + 1;
  return { missedInRow: next, pause: next >= s.missedRingsToPause };
}
