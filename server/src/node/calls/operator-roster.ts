// The operators whose consoles are connected to this process: presence, offices, missed rings in a
// row. This is connection state (it lives and dies with the sockets), not queue truth: which item
// an operator holds is read from the stored queue on every dispatch.
import type { PauseReason, PresenceStatus } from '@sportello/protocol';
import type { PolicyOperator } from './queue-policy.ts';

export interface RosterEntry {
  id: string;
  displayName: string;
  officeIds: string[];
  status: PresenceStatus;
  /** Set when the server paused the console, cleared when the operator sets a presence. */
  pauseReason: PauseReason | null;
  missedInRow: number;
  freeSince: number;
}

export class OperatorRoster {
  private readonly entries = new Map<string, RosterEntry>();

  add(id: string, displayName: string, officeIds: string[], now: number): RosterEntry {
    const existing = this.entries.get(id);
    if (existing) return existing;
    const entry: RosterEntry = {
      id,
      displayName,
      officeIds,
      status: 'paused',
      pauseReason: null,
      missedInRow: 0,
      freeSince: now,
    };
    this.entries.set(id, entry);
    return entry;
  }

  get(id: string): RosterEntry | undefined {
    return this.entries.get(id);
  }

  remove(id: string): void {
    this.entries.delete(id);
  }

  /** The operator chose a presence: a fresh start (misses forgotten, server pause lifted). */
  setStatus(id: string, status: PresenceStatus, now: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (status === 'available' && e.status !== 'available') e.freeSince = now;
    e.status = status;
    e.pauseReason = null;
    e.missedInRow = 0;
  }

  pauseFor(id: string, reason: PauseReason): void {
    const e = this.entries.get(id);
    if (!e) return;
    e.status = 'paused';
    e.pauseReason = reason;
  }

  freed(id: string, now: number): void {
    const e = this.entries.get(id);
    if (e) e.freeSince = now;
  }

  all(): RosterEntry[] {
    return [...this.entries.values()];
  }

  /** The policy's view: `holding` is the set of operators that hold an item in the stored queue. */
  forPolicy(holding: ReadonlySet<string>): PolicyOperator[] {
    return this.all().map((e) => ({
      id: e.id,
      officeIds: e.officeIds,
      status: e.status,
      busy: holding.has(e.id),
      freeSince: e.freeSince,
    }));
  }

  dump() {
    return this.all().map((e) => ({ ...e }));
  }
}
