// The dispatcher: reads the stored queue, lets the pure policy decide, carries out its answer as
// conditional transitions, and pushes what changed to kiosks and consoles. Runs after every change
// and once a second (rings that ran out, grace periods that ended, windows that opened, call-back
// offers, totems that did not come back). Runs are serialised within a process; across processes
// the conditional updates decide, so a lost race only means "someone else did it".
import type { ConsoleQueue, OperatorCallback, QueueStatus } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import { allOpenCallbacks } from '../agenda/callbacks.ts';
import type { CallNotifier } from './call-notifier.ts';
import {
  backToQueue,
  endItem,
  liveItemsById,
  LiveSnapshot,
  markCallbackOffered,
  markOffered,
  type CallItemRow,
  type LiveItem,
} from './call-store.ts';
import { callbackCandidates, heldSince, holdingItems, queuedIn, ringsOfferedBy } from './dispatch-reads.ts';
import type { OperatorRoster } from './operator-roster.ts';
import { afterMissedRing, callbackDue, nextOffers, type PolicySettings } from './queue-policy.ts';
import { buildViews, consoleQueueFor, ringOf, toPolicyItem, type QueueViews } from './queue-views.ts';
import type { HandleTimeWindow } from './wait-estimate.ts';

export interface DispatchSettings extends PolicySettings {
  ringTimeoutMs: number;
  /** A held item (totem away since a restart) ends abandoned after this long. */
  heldAbandonMs: number;
  /** Kiosk statuses are re-sent at least this often, so the waited time counts on. */
  statusRefreshMs: number;
}

export interface DispatchContext {
  db: Db;
  log: Logger;
  notifier: CallNotifier;
  roster: OperatorRoster;
  handleTimes: HandleTimeWindow;
  settings: DispatchSettings;
  now: () => Date;
}

/** Console lists are pushed at most this often (real time: they are about display, not rules). */
const CONSOLE_PUSH_MS = 200;
/** Views are computed this long after a change (real time), once for all the changes meanwhile. */
const PUBLISH_MS = 250;

/** Status fields whose change is worth a push (the waited time alone is not). */
function statusKey(s: QueueStatus): string {
  return `${s.phase}|${s.position}|${s.estimatedWaitSeconds}|${s.callbackOffered}|${s.kind}`;
}

export class QueueDispatcher {
  private running: Promise<void> | undefined;
  private again = false;
  private readonly sentStatus = new Map<string, { key: string; at: number }>();
  private lastViews: QueueViews = { statuses: new Map(), calls: [] };
  private callbacks: OperatorCallback[] = [];
  private callbacksStale = true;
  private readonly snapshot = new LiveSnapshot();
  private closed = false;
  /** Totems with a live item in the last snapshot (for the fleet's synchronous question). */
  liveTotems = new Set<string>();

  constructor(private readonly c: DispatchContext) {}

  /** Asks for a run; runs coalesce. Resolves when a run that started after this call has ended. */
  kick(opts: { callbacksChanged?: boolean } = {}): Promise<void> {
    if (opts.callbacksChanged) this.callbacksStale = true;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.run();
        } while (this.again);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Resolves when no run is in progress. */
  async settled(): Promise<void> {
    while (this.running) await this.running.catch(() => undefined);
  }

  views(): QueueViews {
    return this.lastViews;
  }

  private async run(): Promise<void> {
    const { db, roster, notifier, settings: s, log } = this.c;
    const now = this.c.now();
    const t = now.getTime();
    let changed = false;
    // Narrow, indexed reads (dispatch-reads.ts): the whole queue is read only for the views.
    let holding = await holdingItems(db);
    for (const row of ringsOfferedBy(holding, t - s.ringTimeoutMs)) {
      changed = (await this.ringMissed(row, now)) || changed;
    }
    for (const row of await heldSince(db, t - s.heldAbandonMs)) {
      const ended = await endItem(
        db,
        row.id,
        {
          from: ['queued'],
          outcome: 'abandoned',
          endReason: 'connection-lost',
          detail: 'totem-did-not-return',
        },
        now,
      );
      if (ended?.bookingChanged && row.site_id) notifier.agendaChanged(row.site_id);
      // Told like every end (the totem is away): its waiting media room closes with it (call-prewarm.ts).
      if (ended) notifier.callEnded({ totemId: row.totem_id }, { callId: row.id, reason: 'connection-lost' });
      changed = true;
    }
    for (const row of await callbackCandidates(db, t - s.maxWaitMs)) {
      if (callbackDue(toPolicyItem(row), t, s) && (await markCallbackOffered(db, row.id, now))) {
        notifier.callbackOffered(row.totem_id, {
          callId: row.id,
          waitedSeconds: Math.floor((t - Date.parse(row.created_at)) / 1000),
        });
        changed = true;
      }
    }
    if (changed) holding = await holdingItems(db);
    const operators = roster.forPolicy(new Set(holding.map((r) => r.operator_id!)));
    // Only items of an office with a free operator can be offered now: the others are not read.
    const offices = new Set<string>();
    for (const op of operators) {
      if (op.status === 'available' && !op.busy) for (const office of op.officeIds) offices.add(office);
    }
    const queued = await queuedIn(db, [...offices]);
    const offers = nextOffers(queued.map(toPolicyItem), operators, t, s);
    if (offers.length > 0) {
      const rings = new Map(
        (
          await liveItemsById(
            db,
            offers.map((o) => o.itemId),
          )
        ).map((r) => [r.id, r]),
      );
      for (const offer of offers) {
        if (!(await markOffered(db, offer.itemId, offer.operatorId, now))) continue; // someone else did
        const row = rings.get(offer.itemId);
        log.info({ callId: offer.itemId, operator: offer.operatorId }, 'call offered');
        if (row) notifier.ring(offer.operatorId, ringOf(row));
      }
    }
    this.schedulePublish();
  }

  private publishTimer: NodeJS.Timeout | undefined;
  private publishing: Promise<void> = Promise.resolve();
  private dirty = false;

  /**
   * The views (kiosk statuses, console lists) follow the rings: computed PUBLISH_MS after a change
   * from one read of the whole queue, once for a burst of runs. The ring is what must be fast.
   */
  private schedulePublish(): void {
    this.dirty = true;
    if (this.publishTimer || this.closed) return;
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      void this.flush();
    }, PUBLISH_MS);
  }

  /** Computes and pushes pending views now (a reconnecting kiosk needs its status at once). */
  flush(): Promise<void> {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    this.publishing = this.publishing.then(() => this.publishNow());
    return this.publishing;
  }

  private async publishNow(): Promise<void> {
    if (!this.dirty || this.closed) return;
    this.dirty = false;
    try {
      // Call-backs before the items: a waiting call that became a call-back is never listed twice.
      if (this.callbacksStale) {
        this.callbacksStale = false;
        this.callbacks = await allOpenCallbacks(this.c.db, 500);
      }
      const rows = await this.snapshot.read(this.c.db);
      this.publish(rows, this.c.now());
    } catch (err) {
      this.c.log.error({ err }, 'could not push the queue views');
    }
  }

  /** The ring ran out: back to the queue for someone else; N in a row pause the console. */
  private async ringMissed(row: CallItemRow, now: Date): Promise<boolean> {
    const { db, roster, notifier, settings, log } = this.c;
    const operatorId = row.operator_id!;
    notifier.ringCancelled(operatorId, row.id);
    if (!(await backToQueue(db, row.id, operatorId, now))) return false;
    log.info({ callId: row.id, operator: operatorId }, 'ring not answered');
    const entry = roster.get(operatorId);
    if (entry) {
      const next = afterMissedRing(entry.missedInRow, settings);
      entry.missedInRow = next.missedInRow;
      if (next.pause) {
        roster.pauseFor(operatorId, 'missed-rings');
        notifier.presence(operatorId, {
          status: 'paused',
          reason: 'missed-rings',
          missedRings: next.missedInRow,
        });
        log.info({ operator: operatorId, missed: next.missedInRow }, 'operator paused after missed rings');
      }
    }
    return true;
  }

  private publish(rows: LiveItem[], now: Date): void {
    const { roster, notifier, settings: s } = this.c;
    const t = now.getTime();
    const holding = new Set(
      rows.filter((r) => r.state === 'offered' || r.state === 'accepted').map((r) => r.operator_id!),
    );
    const views = buildViews(rows, roster.forPolicy(holding), t, s, (o) => this.c.handleTimes.mean(o));
    this.lastViews = views;
    this.liveTotems = new Set(rows.map((r) => r.totem_id));
    const live = new Set<string>();
    for (const row of rows) {
      const status = views.statuses.get(row.id);
      if (!status) continue;
      live.add(row.id);
      const key = statusKey(status);
      const sent = this.sentStatus.get(row.id);
      if (sent && sent.key === key && t - sent.at < s.statusRefreshMs) continue;
      this.sentStatus.set(row.id, { key, at: t });
      notifier.queueStatus(row.totem_id, status);
    }
    for (const id of this.sentStatus.keys()) if (!live.has(id)) this.sentStatus.delete(id);
    this.scheduleConsoles();
  }

  private consoleTimer: NodeJS.Timeout | undefined;
  private lastConsoleAt = 0;

  /** Console lists go out at most every CONSOLE_PUSH_MS, with the latest views. */
  private scheduleConsoles(): void {
    if (this.consoleTimer) return;
    const wait = Math.max(0, this.lastConsoleAt + CONSOLE_PUSH_MS - Date.now());
    this.consoleTimer = setTimeout(() => {
      this.consoleTimer = undefined;
      this.lastConsoleAt = Date.now();
      try {
        this.publishConsoles(this.lastViews, this.c.now());
      } catch (err) {
        this.c.log.error({ err }, 'could not push the console queues');
      }
    }, wait);
  }

  /** Stops the timers, after a publish in progress (server shutdown). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    clearTimeout(this.consoleTimer);
    this.consoleTimer = undefined;
    await this.publishing;
  }

  private lastConsole = new Map<string, string>();

  /** The lists of the last views, with the call-backs read with them. */
  private publishConsoles(views: QueueViews, now: Date): void {
    // Consoles of the same offices share one list (and one comparison key), unless a booking in
    // it is assigned to that operator.
    const shared = new Map<string, { list: ConsoleQueue; key: string }>();
    // One emit per distinct list: socket.io encodes it once for all its consoles.
    const recipients = new Map<{ list: ConsoleQueue; key: string }, string[]>();
    const assigned = new Set(views.calls.map((c) => c.assignedOperatorId));
    for (const op of this.c.roster.all()) {
      const personal = assigned.has(op.id);
      const officesKey = [...op.officeIds].sort().join(',');
      let entry = personal ? undefined : shared.get(officesKey);
      if (!entry) {
        const list = consoleQueueFor(op.id, op.officeIds, views, this.callbacks, now);
        entry = { list, key: JSON.stringify(list.items) };
        if (!personal) shared.set(officesKey, entry);
      }
      if (this.lastConsole.get(op.id) === entry.key) continue;
      this.lastConsole.set(op.id, entry.key);
      const to = recipients.get(entry) ?? [];
      to.push(op.id);
      recipients.set(entry, to);
    }
    for (const [entry, to] of recipients) this.c.notifier.queueList(to, entry.list);
  }

  /** The list for one console now (connect, queue:get); also marks it as sent. */
  consoleQueue(operatorId: string): ReturnType<typeof consoleQueueFor> | undefined {
    const op = this.c.roster.get(operatorId);
    if (!op) return undefined;
    const list = consoleQueueFor(op.id, op.officeIds, this.lastViews, this.callbacks, this.c.now());
    this.lastConsole.set(op.id, JSON.stringify(list.items));
    return list;
  }

  /** Forgets what was sent to a console, so that the next run sends it its whole list. */
  forgetConsole(operatorId: string): void {
    this.lastConsole.delete(operatorId);
  }

  /** Forgets what was sent to a kiosk's item, so that the next run sends its status again. */
  forgetStatus(callId: string): void {
    this.sentStatus.delete(callId);
  }
}
