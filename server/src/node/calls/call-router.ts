// The call router: what kiosks and consoles ask of the queue — a call, an upgrade to a booked call,
// a call-back instead, accept, decline, hang up — each as one stored transition, after which the
// dispatcher (queue-dispatcher.ts) decides who rings next. The policy is queue-policy.ts, the
// store call-store.ts, calls in progress call-sessions.ts, restart recovery recovery.ts.
import type {
  CallRequest,
  CallUpgrade,
  ConsoleSession,
  EndReason,
  KioskSession,
  PresenceNotice,
  PresenceStatus,
  RejectReason,
} from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { Room } from '../media/room.ts';
import type { TotemIdentity } from '../auth/sessions.ts';
import { checkIn, recordCallback } from '../agenda/kiosk-outbox.ts';
import { setBookingStatus, withTransaction } from '../agenda/change-log.ts';
import { DomainError } from '../domain-error.ts';
import type { CallOutcome } from '../db/schema.ts';
import type { CallNotifier } from './call-notifier.ts';
import { CallSessions } from './call-sessions.ts';
import {
  backToQueue,
  endItem,
  insertItem,
  itemById,
  liveItemOfTotem,
  liveItems,
  liveItemsById,
  markAccepted,
  recentHandleTimes,
  setHeld,
  upgradeToBooked,
  type CallItemRow,
} from './call-store.ts';
import { OperatorRoster } from './operator-roster.ts';
import { holdingItems } from './dispatch-reads.ts';
import { QueueDispatcher, type DispatchSettings } from './queue-dispatcher.ts';
import { HandleTimeWindow } from './wait-estimate.ts';
import { recoverAtStart } from './recovery.ts';
import { ringOf } from './queue-views.ts';
import { CallPrewarms, releasingNotifier } from './call-prewarm.ts';

export type { CallNotifier } from './call-notifier.ts';

export interface CallRouterOptions {
  db: Db;
  log: Logger;
  notifier: CallNotifier;
  createRoom(callId: string): Promise<Room>;
  mediaTokenMs: number;
  checkInWindow: { earlyMinutes: number; lateMinutes: number };
  settings: DispatchSettings & { recoveryGraceMs: number; defaultHandleMs: number };
  /** How often the dispatcher runs by itself (ms); 0 turns the timer off (tests call tick()). */
  tickMs: number;
  now?: () => Date;
}

/** A join page's call request: its booking comes from its link, and it has no code hash. */
export interface HomeCallRequestFor {
  kind: 'booked';
  bookingId: string;
  checkInKey: string;
  codeHash?: undefined;
}

export type RequestResult = { ok: true; callId: string } | { ok: false; reason: RejectReason; error: string };

const refuse = (reason: RejectReason, error: string): RequestResult => ({ ok: false, reason, error });

/** The outcome of a call that was answered and then ended for this reason. */
function answeredOutcome(reason: EndReason): CallOutcome {
  return reason === 'hangup-kiosk' || reason === 'hangup-operator' ? 'served' : 'failed';
}

export class CallRouter {
  readonly roster = new OperatorRoster();
  readonly sessions: CallSessions;
  private readonly dispatcher: QueueDispatcher;
  private readonly handleTimes: HandleTimeWindow;
  private readonly now: () => Date;
  /** Totems with a request in flight: marked before the first await, so two at once make one. */
  private readonly requesting = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Rooms of calls that wait and ring, joined before the answer (fast setup, call-prewarm.ts). */
  readonly prewarms: CallPrewarms;

  constructor(private readonly o: CallRouterOptions) {
    this.now = o.now ?? (() => new Date());
    this.sessions = new CallSessions(o.mediaTokenMs, () => this.now().getTime());
    this.prewarms = new CallPrewarms(o.createRoom, o.log);
    this.o = {
      ...o,
      notifier: releasingNotifier(o.notifier, this.prewarms, (callId) =>
        this.sessions.tokens.revokeRole(callId, 'operator'),
      ),
    };
    this.handleTimes = new HandleTimeWindow(20, o.settings.defaultHandleMs);
    this.dispatcher = new QueueDispatcher({
      db: o.db,
      log: o.log,
      notifier: this.o.notifier,
      roster: this.roster,
      handleTimes: this.handleTimes,
      settings: o.settings,
      now: this.now,
    });
  }

  get tokens() {
    return this.sessions.tokens;
  }

  /** Recovery, the wait estimate's history, then the dispatcher's timer. Call once at start. */
  async start(): Promise<void> {
    await recoverAtStart(this.o.db, this.o.log, this.now());
    const offices = await this.o.db.selectFrom('offices').select('id').execute();
    for (const { id } of offices) {
      for (const ms of (await recentHandleTimes(this.o.db, id, 20)).reverse()) this.handleTimes.add(id, ms);
    }
    if (this.o.tickMs > 0) {
      this.timer = setInterval(() => this.kick(), this.o.tickMs);
      this.timer.unref();
    }
  }

  /** Runs the dispatcher in the background; its errors are logged, never thrown. */
  private kick(opts?: { callbacksChanged?: boolean }): void {
    if (this.closed) return;
    this.dispatcher.kick(opts).catch((err: unknown) => this.o.log.error({ err }, 'dispatch failed'));
  }

  /** One dispatcher run now (tests with a fake clock call it after moving the clock). */
  async tick(): Promise<void> {
    await this.dispatcher.kick();
  }

  /** Resolves when the dispatcher is idle. */
  settled(): Promise<void> {
    return this.dispatcher.settled();
  }

  /** Call-backs changed elsewhere (HTTP): consoles get their new lists. */
  callbacksChanged(): void {
    this.kick({ callbacksChanged: true });
  }

  /* Operators ------------------------------------------------------------------------------ */

  async operatorOnline(id: string, displayName: string): Promise<void> {
    const offices = await this.o.db
      .selectFrom('operator_offices')
      .select('office_id')
      .where('operator_id', '=', id)
      .execute();
    this.roster.add(
      id,
      displayName,
      offices.map((r) => r.office_id),
      this.now().getTime(),
    );
    this.dispatcher.forgetConsole(id);
    this.kick();
  }

  async setPresence(operatorId: string, status: PresenceStatus): Promise<void> {
    if (!this.roster.get(operatorId))
      throw new DomainError('operator-not-connected', 'operator is not connected');
    if (this.sessions.ofOperator(operatorId))
      throw new DomainError('operator-in-call', 'operator is in a call');
    if (status === 'paused') {
      const ringing = (await holdingItems(this.o.db)).find(
        (r) => r.state === 'offered' && r.operator_id === operatorId,
      );
      if (ringing) {
        this.o.notifier.ringCancelled(operatorId, ringing.id);
        await backToQueue(this.o.db, ringing.id, operatorId, this.now());
      }
    }
    this.roster.setStatus(operatorId, status, this.now().getTime());
    this.o.notifier.presence(operatorId, { status });
    this.kick();
  }

  /** The console went away for good: a ringing item goes back to the queue, a call ends. */
  async operatorOffline(operatorId: string): Promise<void> {
    this.roster.remove(operatorId);
    const session = this.sessions.ofOperator(operatorId);
    if (session) await this.endCall(session.callId, 'connection-lost');
    for (const r of await holdingItems(this.o.db)) {
      if (r.state === 'offered' && r.operator_id === operatorId)
        await backToQueue(this.o.db, r.id, operatorId, this.now());
    }
    this.kick();
  }

  presenceOf(operatorId: string): PresenceNotice | undefined {
    const e = this.roster.get(operatorId);
    if (!e) return undefined;
    if (this.sessions.ofOperator(operatorId)) return { status: 'busy' };
    return e.pauseReason
      ? { status: e.status, reason: e.pauseReason, missedRings: e.missedInRow }
      : { status: e.status };
  }

  /** The truth for a (re)connecting console: the call ringing on it or held by it, or none. */
  async consoleSession(
    operatorId: string,
  ): Promise<{ session: ConsoleSession; ring?: ReturnType<typeof ringOf> }> {
    const s = this.sessions.ofOperator(operatorId);
    if (s)
      return {
        session: {
          call: { phase: 'in-call', callId: s.callId, mediaToken: this.sessions.token(s.callId, 'operator') },
        },
      };
    const held = (await holdingItems(this.o.db)).find(
      (r) => r.state === 'offered' && r.operator_id === operatorId,
    );
    const [ringing] = held ? await liveItemsById(this.o.db, [held.id]) : [];
    if (ringing)
      return { session: { call: { phase: 'ringing', callId: ringing.id } }, ring: ringOf(ringing) };
    return { session: { call: null } };
  }

  consoleQueue(operatorId: string) {
    return this.dispatcher.consoleQueue(operatorId);
  }

  /* Kiosk requests ------------------------------------------------------------------------- */

  async request(totem: TotemIdentity, req: CallRequest | HomeCallRequestFor): Promise<RequestResult> {
    if (this.requesting.has(totem.id)) return refuse('unavailable', 'this totem already has a call');
    this.requesting.add(totem.id);
    try {
      return await this.requestNow(totem, req);
    } finally {
      this.requesting.delete(totem.id);
    }
  }

  private async requestNow(
    totem: TotemIdentity,
    req: CallRequest | HomeCallRequestFor,
  ): Promise<RequestResult> {
    const { db } = this.o;
    if (await liveItemOfTotem(db, totem.id)) return refuse('unavailable', 'this totem already has a call');
    const now = this.now();
    const id = randomUUID();
    if (req.kind === 'walk-in') {
      const office = await this.walkInOffice(totem.siteId);
      if (!office) return refuse('unavailable', 'no walk-in office serves this totem');
      const stored = await insertItem(db, {
        id,
        kind: 'walk-in',
        bookingId: null,
        totemId: totem.id,
        siteId: totem.siteId,
        officeId: office,
        assignedOperatorId: null,
        notBefore: null,
        now,
      });
      if (!stored) return refuse('unavailable', 'this totem already has a call');
    } else {
      const result = await checkIn(
        db,
        totem,
        {
          idempotencyKey: req.checkInKey,
          bookingId: req.bookingId,
          codeHash: req.codeHash,
          occurredAt: now.toISOString(),
        },
        now,
        this.o.checkInWindow,
      );
      if (!result.ok) return refuse(result.reason, `check-in refused: ${result.reason}`);
      const stored = await insertItem(db, {
        id,
        kind: 'booked',
        bookingId: result.booking.id,
        totemId: totem.id,
        siteId: totem.siteId,
        officeId: result.booking.officeId,
        assignedOperatorId: result.booking.operatorId,
        notBefore: this.windowOpens(result.booking.slotStart),
        now,
      });
      if (!stored) {
        // The check-in may not leave the booking used by a call that will not happen.
        await setBookingStatus(db, result.booking.id, ['checked_in'], 'booked', now);
        return refuse('unavailable', 'this totem already has a call');
      }
      this.o.notifier.agendaChanged(totem.siteId);
    }
    this.o.log.info({ callId: id, kind: req.kind, totem: totem.id }, 'call queued');
    this.dispatcher.liveTotems.add(totem.id); // until the next views say otherwise
    this.kick();
    return { ok: true, callId: id };
  }

  private windowOpens(slotStart: string): Date {
    return new Date(Date.parse(slotStart) - this.o.checkInWindow.earlyMinutes * 60_000);
  }

  private async walkInOffice(siteId: string): Promise<string | undefined> {
    const office = await this.o.db
      .selectFrom('site_offices')
      .innerJoin('offices', 'offices.id', 'site_offices.office_id')
      .select('offices.id')
      .where('site_offices.site_id', '=', siteId)
      .where('offices.walk_in', '=', 1)
      .orderBy('offices.id')
      .executeTakeFirst();
    return office?.id;
  }

  /** a code confirmed while the totem's walk-in waits turns it into the booked call. */
  async upgrade(totem: TotemIdentity, req: CallUpgrade): Promise<RequestResult> {
    const { db } = this.o;
    const row = await itemById(db, req.callId);
    if (!row || row.totem_id !== totem.id || (row.state !== 'queued' && row.state !== 'offered'))
      return refuse('unavailable', 'this totem has no waiting call');
    if (row.kind !== 'walk-in') return refuse('unavailable', 'this call is already a booked call');
    const now = this.now();
    const result = await checkIn(
      db,
      totem,
      {
        idempotencyKey: req.checkInKey,
        bookingId: req.bookingId,
        codeHash: req.codeHash,
        occurredAt: now.toISOString(),
      },
      now,
      this.o.checkInWindow,
    );
    if (!result.ok) return refuse(result.reason, `check-in refused: ${result.reason}`);
    const b = result.booking;
    if (row.state === 'offered' && row.operator_id) this.o.notifier.ringCancelled(row.operator_id, row.id);
    const done = await upgradeToBooked(db, row.id, {
      bookingId: b.id,
      officeId: b.officeId,
      operatorId: b.operatorId,
      notBefore: this.windowOpens(b.slotStart),
    });
    if (!done) {
      await setBookingStatus(db, b.id, ['checked_in'], 'booked', now);
      return refuse('unavailable', 'the call was answered meanwhile');
    }
    this.o.notifier.agendaChanged(totem.siteId);
    this.o.log.info({ callId: row.id, booking: b.id }, 'walk-in became the booked call');
    this.dispatcher.forgetStatus(row.id);
    this.kick();
    return { ok: true, callId: row.id };
  }

  /** "Call me back instead": the call-back is recorded and the item ends missed, atomically. */
  async callbackInstead(
    totem: TotemIdentity,
    req: { callId: string; idempotencyKey: string; phone: string },
  ): Promise<{ callbackId: string }> {
    const { db } = this.o;
    const row = await itemById(db, req.callId);
    if (!row || row.totem_id !== totem.id || (row.state !== 'queued' && row.state !== 'offered'))
      throw new DomainError('no-such-call', 'this totem has no waiting call');
    if (row.state === 'offered' && row.operator_id) this.o.notifier.ringCancelled(row.operator_id, row.id);
    const now = this.now();
    const { receipt, ended } = await withTransaction(db, async (trx) => {
      const outcome = await recordCallback(
        trx,
        totem,
        {
          idempotencyKey: req.idempotencyKey,
          phone: req.phone,
          occurredAt: now.toISOString(),
          ...(row.booking_id ? { bookingId: row.booking_id } : {}),
        },
        now,
      );
      const e = await endItem(
        trx,
        row.id,
        {
          from: ['queued', 'offered'],
          outcome: 'missed',
          endReason: 'callback',
          detail: row.callback_offered_at ? 'callback-after-offer' : 'callback-requested',
          callbackId: outcome.response.callbackId,
        },
        now,
      );
      if (!e) throw new DomainError('no-such-call', 'the call was answered meanwhile');
      return { receipt: outcome.response, ended: e };
    });
    this.callGone(totem.id);
    this.prewarms.release(row.id);
    if (ended.bookingChanged) this.o.notifier.agendaChanged(totem.siteId);
    this.o.log.info({ callId: row.id }, 'waiting call became a call-back');
    this.kick({ callbacksChanged: true });
    return { callbackId: receipt.callbackId };
  }

  /** The truth for a (re)connecting kiosk; a totem back after a restart gets its item released. */
  async kioskSession(totem: TotemIdentity): Promise<KioskSession> {
    const s = this.sessions.ofTotem(totem.id);
    if (s) {
      return {
        call: {
          phase: 'in-call',
          callId: s.callId,
          mediaToken: this.sessions.token(s.callId, 'kiosk'),
          operatorName: s.operatorName,
        },
      };
    }
    const row = await liveItemOfTotem(this.o.db, totem.id);
    if (!row || row.state === 'accepted') return { call: null };
    if (row.held_since !== null) {
      await setHeld(this.o.db, row.id, null);
      const away = this.now().getTime() - Date.parse(row.held_since);
      // Back after the grace: it keeps its place, and is offered a call-back at once.
      if (away >= this.o.settings.recoveryGraceMs) {
        await this.o.db
          .updateTable('calls')
          .set({ callback_offered_at: this.now().toISOString() })
          .where('id', '=', row.id)
          .where('callback_offered_at', 'is', null)
          .execute();
      }
    }
    this.dispatcher.forgetStatus(row.id);
    await this.dispatcher.kick();
    await this.dispatcher.flush();
    const status = this.dispatcher.views().statuses.get(row.id);
    if (!status) return { call: null };
    if (status.callbackOffered)
      this.o.notifier.callbackOffered(totem.id, { callId: row.id, waitedSeconds: status.waitedSeconds });
    return { call: { phase: 'queued', callId: row.id, status } };
  }

  /* Answer and end ------------------------------------------------------------------------- */

  decline(operatorId: string, callId: string): Promise<void> {
    return this.declineNow(operatorId, callId);
  }

  private async declineNow(operatorId: string, callId: string): Promise<void> {
    if (!(await backToQueue(this.o.db, callId, operatorId, this.now())))
      throw new DomainError('not-ringing-for-you', 'this call is not ringing for you');
    this.sessions.tokens.revokeRole(callId, 'operator');
    await this.prewarms.releaseOperator(callId);
    this.o.log.info({ callId, operator: operatorId }, 'call declined');
    this.roster.freed(operatorId, this.now().getTime());
    this.kick();
  }

  async accept(operatorId: string, callId: string): Promise<{ mediaToken: string }> {
    const { db, log } = this.o;
    const op = this.roster.get(operatorId);
    const now = this.now();
    if (!op || !(await markAccepted(db, callId, operatorId, now)))
      throw new DomainError('not-ringing-for-you', 'this call is no longer ringing for you');
    op.missedInRow = 0;
    const row = (await itemById(db, callId))!;
    let room: Room;
    try {
      // Made while the call waited, with the sides already joined (fast setup), or made now.
      room = (await this.prewarms.take(callId)) ?? (await this.o.createRoom(callId));
    } catch (err) {
      log.error({ err, callId }, 'could not create a media room');
      this.o.notifier.callEnded({ totemId: row.totem_id, operatorId }, { callId, reason: 'media-failure' });
      await this.finish(row, { outcome: 'failed', reason: 'media-failure', detail: 'no-room' });
      throw new DomainError('call-not-connected', 'the call could not be connected');
    }
    const still = await itemById(db, callId);
    if (still?.state !== 'accepted') {
      // The citizen hung up while the room was being made.
      room.close('cancelled');
      throw new DomainError('citizen-hung-up', 'the citizen has hung up');
    }
    this.sessions.open({
      callId,
      totemId: row.totem_id,
      siteId: row.site_id ?? '',
      operatorId,
      operatorName: op.displayName,
      officeId: row.office_id ?? '',
      room,
      answeredAt: now.getTime(),
    });
    // A side that joined while the call rang starts sending and receiving now, before it is told.
    await room.goLive();
    room.once('closed', (reason) => {
      if (reason === 'media-failure')
        void this.endCall(callId, 'media-failure').catch((err: unknown) =>
          log.error({ err, callId }, 'could not end the call'),
        );
    });
    this.o.notifier.callAccepted(row.totem_id, {
      callId,
      mediaToken: this.sessions.token(callId, 'kiosk'),
      operatorName: op.displayName,
    });
    this.o.notifier.presence(operatorId, { status: 'busy' });
    log.info({ callId, operator: operatorId }, 'call accepted');
    this.kick();
    return { mediaToken: this.sessions.token(callId, 'operator') };
  }

  /**
   * Ends a call in progress: both sides are told and the room closed first, then the record is
   * written (a failed write is logged; recovery at the next start ends the row as interrupted).
   */
  async endCall(callId: string, reason: EndReason): Promise<void> {
    const s = this.sessions.close(callId, reason);
    if (!s) return this.endConnecting(callId, reason);
    this.callGone(s.totemId);
    this.o.notifier.callEnded({ totemId: s.totemId, operatorId: s.operatorId }, { callId, reason });
    const op = this.roster.get(s.operatorId);
    if (op) {
      this.roster.freed(op.id, this.now().getTime());
      this.o.notifier.presence(op.id, this.presenceOf(op.id) ?? { status: op.status });
    }
    const outcome = answeredOutcome(reason);
    const ended = await endItem(
      this.o.db,
      callId,
      { from: ['accepted'], outcome, endReason: reason },
      this.now(),
    );
    if (ended) {
      if (outcome === 'served' && ended.row.office_id)
        this.handleTimes.add(ended.row.office_id, (ended.row.duration_seconds ?? 0) * 1000);
      if (ended.bookingChanged) this.o.notifier.agendaChanged(s.siteId);
    }
    this.o.log.info({ callId, reason }, 'call ended');
    this.kick();
  }

  /**
   * Ends an accepted call whose room is still being made (no session yet): accept() then finds it
   * ended and closes the room. The citizen hanging up now abandons it; anything else failed it.
   */
  private async endConnecting(callId: string, reason: EndReason): Promise<void> {
    const row = await itemById(this.o.db, callId);
    if (row?.state !== 'accepted') return;
    this.callGone(row.totem_id);
    this.o.notifier.callEnded(
      { totemId: row.totem_id, ...(row.operator_id ? { operatorId: row.operator_id } : {}) },
      { callId, reason },
    );
    const outcome = reason === 'hangup-kiosk' ? 'abandoned' : 'failed';
    await this.finish(row, { outcome, reason, detail: 'before-media' });
  }

  /** Ends a waiting (queued or ringing) item; the ringing console is told first. */
  private async endWaiting(
    row: CallItemRow,
    outcome: CallOutcome,
    reason: EndReason,
    detail?: string,
  ): Promise<boolean> {
    if (row.state === 'offered' && row.operator_id) this.o.notifier.ringCancelled(row.operator_id, row.id);
    this.callGone(row.totem_id);
    this.o.notifier.callEnded({ totemId: row.totem_id }, { callId: row.id, reason });
    return this.finish(row, { outcome, reason, detail });
  }

  private async finish(
    row: CallItemRow,
    e: { outcome: CallOutcome; reason: EndReason; detail?: string | undefined },
  ): Promise<boolean> {
    const ended = await endItem(
      this.o.db,
      row.id,
      { from: ['queued', 'offered', 'accepted'], outcome: e.outcome, endReason: e.reason, detail: e.detail },
      this.now(),
    );
    if (ended?.bookingChanged && row.site_id) this.o.notifier.agendaChanged(row.site_id);
    this.prewarms.release(row.id);
    this.kick();
    return ended !== undefined;
  }

  /** The kiosk hung up: while waiting the item is abandoned; in a call, the call ends. */
  async hangupByKiosk(totemId: string, callId: string): Promise<void> {
    const row = await itemById(this.o.db, callId);
    if (!row || row.totem_id !== totemId) throw new DomainError('no-such-call', 'no such call on this totem');
    await this.endTotemItem(row, 'abandoned', 'hangup-kiosk');
  }

  private async endTotemItem(
    row: CallItemRow,
    waitingOutcome: CallOutcome,
    reason: EndReason,
  ): Promise<void> {
    if (row.state === 'queued' || row.state === 'offered') {
      if (await this.endWaiting(row, waitingOutcome, reason)) return;
      row = (await itemById(this.o.db, row.id))!; // accepted meanwhile: end the call instead
    }
    if (row.state === 'accepted') await this.endCall(row.id, reason);
  }

  async hangupByOperator(operatorId: string, callId: string): Promise<void> {
    const s = this.sessions.get(callId);
    if (!s || s.operatorId !== operatorId) throw new DomainError('no-such-call', 'no such call for you');
    await this.endCall(callId, 'hangup-operator');
  }

  /** The totem's connection is gone for good: its waiting item is abandoned, its call ends. */
  async totemGone(totemId: string): Promise<void> {
    const row = await liveItemOfTotem(this.o.db, totemId);
    if (row) await this.endTotemItem(row, 'abandoned', 'connection-lost');
  }

  /**
   * The totem's one live item is ending (both sides are told now, the write follows): hasCall()
   * says so at once instead of when the next views are read, so that an action refused during the
   * call (a screenshot) is allowed as soon as the kiosk has been told the call ended.
   */
  private callGone(totemId: string): void {
    this.dispatcher.liveTotems.delete(totemId);
  }

  /** True while this totem has a live item (last snapshot) or a request in flight. */
  hasCall(totemId: string): boolean {
    return (
      this.requesting.has(totemId) ||
      this.dispatcher.liveTotems.has(totemId) ||
      !!this.sessions.ofTotem(totemId)
    );
  }

  /** Ends the totem's item with this reason (revocation, re-enrollment). */
  async endTotemCalls(totemId: string, reason: EndReason): Promise<void> {
    const row = await liveItemOfTotem(this.o.db, totemId);
    if (row) await this.endTotemItem(row, 'cancelled', reason);
  }

  /** The call's room: the answered call's, or the one it waits and rings with (fast setup). */
  roomFor(callId: string): Room | undefined {
    return this.sessions.get(callId)?.room ?? this.prewarms.current(callId);
  }

  /**
   * A media token to the waiting room of the totem's call, made now (fast setup); undefined when
   * the call is no longer waiting or the SFU could not make the room (the answer then makes one).
   */
  async prewarmKiosk(totemId: string, callId: string): Promise<string | undefined> {
    const waiting = async () => {
      const row = await itemById(this.o.db, callId);
      return row?.totem_id === totemId && (row.state === 'queued' || row.state === 'offered');
    };
    if (!(await waiting())) return undefined;
    const room = await this.prewarms.open(callId);
    // Ended while the room was being made: the end's release may have run before the room existed.
    if (!room || !(await waiting())) {
      this.prewarms.release(callId);
      return undefined;
    }
    return this.sessions.token(callId, 'kiosk');
  }

  /** A media token for the console the call rings for, to join its room before answering. */
  async prewarmOperator(operatorId: string, callId: string): Promise<string> {
    const ringing = async () => {
      const row = await itemById(this.o.db, callId);
      return row?.state === 'offered' && row.operator_id === operatorId;
    };
    if (!(await ringing())) throw new DomainError('not-ringing-for-you', 'this call is not ringing for you');
    const room = await this.prewarms.open(callId);
    if (!room) throw new DomainError('call-not-connected', 'the media server cannot prepare the call now');
    if (!(await ringing())) throw new DomainError('not-ringing-for-you', 'this call is not ringing for you');
    return this.sessions.token(callId, 'operator');
  }

  activeCalls(): number {
    return this.sessions.size;
  }

  /** Diagnostics: the stored queue, this process's consoles and its calls in progress. */
  async dump() {
    const items = await liveItems(this.o.db);
    return {
      queue: items.map((r) => ({
        id: r.id,
        kind: r.kind,
        state: r.state,
        officeId: r.office_id,
        totemId: r.totem_id,
        operatorId: r.operator_id,
        queuedAt: r.created_at,
        held: r.held_since !== null,
        callbackOfferedAt: r.callback_offered_at,
      })),
      operators: this.roster.dump(),
      sessions: this.sessions.dump(),
    };
  }

  /**
   * Stops the timer and ends the calls in progress (their rooms close with the process) as
   * interrupted. Waiting items stay stored: the next start recovers them.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.dispatcher.settled();
    await this.dispatcher.close();
    this.prewarms.close();
    for (const s of this.sessions.all()) {
      this.sessions.close(s.callId, 'cancelled');
      this.o.notifier.callEnded(
        { totemId: s.totemId, operatorId: s.operatorId },
        { callId: s.callId, reason: 'cancelled' },
      );
      await endItem(
        this.o.db,
        s.callId,
        { from: ['accepted'], outcome: 'failed', endReason: 'cancelled', detail: 'interrupted' },
        this.now(),
      ).catch((err: unknown) => this.o.log.error({ err }, 'could not record an interrupted call'));
    }
    this.sessions.tokens.clear();
  }
}
