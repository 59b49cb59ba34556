// The queue engine: booked check-ins and walk-ins wait in one FIFO queue; each is offered to one
// operator at a time (the booking's own operator first), rings for a bounded time, and goes to the
// next operator on decline or timeout. An accepted call gets a media room; its end is recorded once.
import type { CallRing, EndReason, PresenceStatus, RejectReason } from '@sportello/protocol';
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/open.ts';
import type { Logger } from '../logger.ts';
import type { Room } from '../media/room.ts';
import { checkIn, finishCheckIn } from '../agenda/kiosk-agenda.ts';
import { recordCallCheckIn } from '../agenda/kiosk-outbox.ts';
import type { TotemIdentity } from '../auth/sessions.ts';
import { MediaTokens } from './media-tokens.ts';

/** How the router reaches kiosks and consoles; the signaling layer implements it. */
export interface CallNotifier {
  callAccepted(totemId: string, p: { callId: string; mediaToken: string; operatorName: string }): void;
  callEnded(
    target: { totemId?: string; operatorId?: string },
    p: { callId: string; reason: EndReason },
  ): void;
  ring(operatorId: string, p: CallRing): void;
  ringCancelled(operatorId: string, callId: string): void;
  presence(operatorId: string, status: PresenceStatus | 'busy'): void;
  agendaChanged(siteId: string): void;
}

interface OperatorState {
  id: string;
  displayName: string;
  officeIds: Set<string>;
  status: PresenceStatus | 'offline';
  /** The call ringing on or held by this operator. */
  callId: string | undefined;
  /** Order in which operators became free, so the longest-idle operator is offered first. */
  freeSince: number;
}

interface Call {
  id: string;
  kind: 'booked' | 'walk-in';
  totem: TotemIdentity;
  bookingId: string | null;
  officeId: string;
  preferredOperatorId: string | null;
  ring: CallRing;
  state: 'queued' | 'ringing' | 'active' | 'ended';
  ringingOperatorId?: string | undefined;
  ringTimer?: NodeJS.Timeout | undefined;
  declinedBy: Set<string>;
  operatorId?: string;
  answeredAt?: number;
  room?: Room;
}

export interface CallRouterOptions {
  db: Db;
  log: Logger;
  notifier: CallNotifier;
  createRoom(callId: string): Promise<Room>;
  ringTimeoutMs: number;
  mediaTokenMs: number;
  checkInWindow: { earlyMinutes: number; lateMinutes: number };
  now?: () => Date;
}

export type RequestResult = { ok: true; callId: string } | { ok: false; reason: RejectReason; error: string };

export class CallRouter {
  private readonly operators = new Map<string, OperatorState>();
  private readonly calls = new Map<string, Call>();
  private readonly queue: string[] = [];
  readonly tokens: MediaTokens;
  private readonly now: () => Date;
  private freeCounter = 0;

  constructor(private readonly o: CallRouterOptions) {
    this.now = o.now ?? (() => new Date());
    this.tokens = new MediaTokens(o.mediaTokenMs, () => this.now().getTime());
  }

  /* Operators ------------------------------------------------------------------------------ */

  async operatorOnline(id: string, displayName: string): Promise<void> {
    if (this.operators.has(id)) return;
    const offices = await this.o.db
      .selectFrom('operator_offices')
      .select('office_id')
      .where('operator_id', '=', id)
      .execute();
    this.operators.set(id, {
      id,
      displayName,
      officeIds: new Set(offices.map((r) => r.office_id)),
      status: 'paused',
      callId: undefined,
      freeSince: 0,
    });
  }

  setPresence(operatorId: string, status: PresenceStatus): void {
    const op = this.operators.get(operatorId);
    if (!op) throw new Error('operator is not connected');
    if (op.callId && this.calls.get(op.callId)?.state === 'active') throw new Error('operator is in a call');
    if (status === 'paused' && op.callId) this.declineInternal(op, op.callId);
    if (status === 'available' && op.status !== 'available') {
      op.freeSince = ++this.freeCounter;
      // Coming back is a fresh start: calls this operator declined earlier may be offered again.
      for (const call of this.calls.values()) call.declinedBy.delete(op.id);
    }
    op.status = status;
    this.o.notifier.presence(op.id, status);
    this.dispatch();
  }

  /** The console went away for good: a ringing call moves on, an active one ends. */
  operatorOffline(operatorId: string): void {
    const op = this.operators.get(operatorId);
    if (!op) return;
    op.status = 'offline';
    if (op.callId) {
      const call = this.calls.get(op.callId);
      if (call?.state === 'active') void this.end(call, 'connection-lost');
      else if (call) this.declineInternal(op, call.id);
    }
    this.operators.delete(operatorId);
  }

  /** The call ringing on this operator's console, re-sent when the console reconnects. */
  ringingFor(operatorId: string): CallRing | undefined {
    const callId = this.operators.get(operatorId)?.callId;
    const call = callId ? this.calls.get(callId) : undefined;
    return call?.state === 'ringing' && call.ringingOperatorId === operatorId ? call.ring : undefined;
  }

  presenceOf(operatorId: string): PresenceStatus | 'busy' | 'offline' {
    const op = this.operators.get(operatorId);
    if (!op) return 'offline';
    return op.callId ? 'busy' : op.status;
  }

  /* Kiosk requests ------------------------------------------------------------------------- */

  async request(
    totem: TotemIdentity,
    req:
      | { kind: 'booked'; bookingId: string; checkInKey?: string | undefined; codeHash: string }
      | { kind: 'walk-in' },
  ): Promise<RequestResult> {
    const busy = [...this.calls.values()].find((c) => c.totem.id === totem.id && c.state !== 'ended');
    if (busy) return { ok: false, reason: 'unavailable', error: 'this totem already has a call' };
    const now = this.now();
    const totemName = totem.name;
    let call: Call;
    if (req.kind === 'booked') {
      // With a key, the check-in goes through the outbox's idempotent record (see kiosk-outbox.ts).
      const result =
        req.checkInKey === undefined
          ? await checkIn(this.o.db, totem.siteId, req.bookingId, now, this.o.checkInWindow, req.codeHash)
          : await recordCallCheckIn(
              this.o.db,
              totem,
              { idempotencyKey: req.checkInKey, bookingId: req.bookingId, codeHash: req.codeHash },
              now,
              this.o.checkInWindow,
            );
      if (!result.ok)
        return { ok: false, reason: result.reason, error: `check-in refused: ${result.reason}` };
      if (!('replayed' in result) || !result.replayed) this.o.notifier.agendaChanged(totem.siteId);
      const details = await this.o.db
        .selectFrom('bookings')
        .innerJoin('services', 'services.id', 'bookings.service_id')
        .innerJoin('offices', 'offices.id', 'bookings.office_id')
        .select([
          'bookings.reason',
          'bookings.slot_start',
          'services.name as service',
          'offices.name as office',
        ])
        .where('bookings.id', '=', req.bookingId)
        .executeTakeFirstOrThrow();
      const id = randomUUID();
      call = this.newCall(
        id,
        'booked',
        totem,
        result.booking.id,
        result.booking.officeId,
        result.booking.operatorId,
        {
          callId: id,
          kind: 'booked',
          totemName,
          officeName: details.office,
          serviceName: details.service,
          reason: details.reason,
          slotStart: details.slot_start,
        },
      );
    } else {
      const office = await this.o.db
        .selectFrom('site_offices')
        .innerJoin('offices', 'offices.id', 'site_offices.office_id')
        .select(['offices.id', 'offices.name'])
        .where('site_offices.site_id', '=', totem.siteId)
        .where('offices.walk_in', '=', 1)
        .executeTakeFirst();
      if (!office) return { ok: false, reason: 'unavailable', error: 'no walk-in office serves this totem' };
      const id = randomUUID();
      call = this.newCall(id, 'walk-in', totem, null, office.id, null, {
        callId: id,
        kind: 'walk-in',
        totemName,
        officeName: office.name,
        serviceName: null,
        reason: null,
        slotStart: null,
      });
    }
    await this.o.db
      .insertInto('calls')
      .values({
        id: call.id,
        kind: call.kind,
        booking_id: call.bookingId,
        totem_id: totem.id,
        operator_id: null,
        created_at: now.toISOString(),
        answered_at: null,
        ended_at: null,
        duration_seconds: null,
        end_reason: null,
      })
      .execute();
    this.calls.set(call.id, call);
    this.queue.push(call.id);
    this.o.log.info({ callId: call.id, kind: call.kind, totem: totem.id }, 'call queued');
    this.dispatch();
    return { ok: true, callId: call.id };
  }

  private newCall(
    id: string,
    kind: Call['kind'],
    totem: TotemIdentity,
    bookingId: string | null,
    officeId: string,
    preferredOperatorId: string | null,
    ring: CallRing,
  ): Call {
    return {
      id,
      kind,
      totem,
      bookingId,
      officeId,
      preferredOperatorId,
      ring,
      state: 'queued',
      declinedBy: new Set(),
    };
  }

  /* Dispatch ------------------------------------------------------------------------------- */

  private dispatch(): void {
    for (const callId of [...this.queue]) {
      const call = this.calls.get(callId);
      if (!call || call.state !== 'queued') continue;
      const op = this.pickOperator(call);
      if (!op) continue;
      this.ringOn(call, op);
    }
  }

  private pickOperator(call: Call): OperatorState | undefined {
    const free = [...this.operators.values()].filter(
      (op) =>
        op.status === 'available' &&
        !op.callId &&
        op.officeIds.has(call.officeId) &&
        !call.declinedBy.has(op.id),
    );
    const preferred = free.find((op) => op.id === call.preferredOperatorId);
    return preferred ?? free.sort((a, b) => a.freeSince - b.freeSince)[0];
  }

  private ringOn(call: Call, op: OperatorState): void {
    call.state = 'ringing';
    call.ringingOperatorId = op.id;
    op.callId = call.id;
    call.ringTimer = setTimeout(() => {
      this.o.log.info({ callId: call.id, operator: op.id }, 'ring timed out');
      this.o.notifier.ringCancelled(op.id, call.id);
      this.declineInternal(op, call.id);
    }, this.o.ringTimeoutMs);
    this.o.notifier.ring(op.id, call.ring);
  }

  private declineInternal(op: OperatorState, callId: string): void {
    const call = this.calls.get(callId);
    if (!call || call.state !== 'ringing' || call.ringingOperatorId !== op.id) return;
    clearTimeout(call.ringTimer);
    call.ringTimer = undefined;
    call.ringingOperatorId = undefined;
    call.declinedBy.add(op.id);
    call.state = 'queued';
    op.callId = undefined;
    op.freeSince = ++this.freeCounter;
    this.dispatch();
  }

  decline(operatorId: string, callId: string): void {
    const op = this.operators.get(operatorId);
    const call = this.calls.get(callId);
    if (!op || !call || call.ringingOperatorId !== operatorId)
      throw new Error('this call is not ringing for you');
    this.o.log.info({ callId, operator: operatorId }, 'call declined');
    this.declineInternal(op, callId);
  }

  async accept(operatorId: string, callId: string): Promise<{ mediaToken: string }> {
    const op = this.operators.get(operatorId);
    const call = this.calls.get(callId);
    if (!op || !call || call.state !== 'ringing' || call.ringingOperatorId !== operatorId) {
      throw new Error('this call is no longer ringing for you');
    }
    clearTimeout(call.ringTimer);
    call.ringTimer = undefined;
    call.state = 'active';
    call.operatorId = operatorId;
    this.queue.splice(this.queue.indexOf(callId), 1);
    const now = this.now();
    call.answeredAt = now.getTime();
    try {
      call.room = await this.o.createRoom(callId);
    } catch (err) {
      this.o.log.error({ err, callId }, 'could not create a media room');
      await this.end(call, 'media-failure');
      throw new Error('the call could not be connected', { cause: err });
    }
    if (call.state !== 'active') {
      // The citizen hung up while the room was being made.
      call.room.close('cancelled');
      throw new Error('the citizen has hung up');
    }
    call.room.once('closed', (reason) => {
      if (reason === 'media-failure') void this.end(call, 'media-failure');
    });
    await this.o.db
      .updateTable('calls')
      .set({ operator_id: operatorId, answered_at: now.toISOString() })
      .where('id', '=', callId)
      .execute();
    const kioskToken = this.tokens.issue(callId, 'kiosk');
    const operatorToken = this.tokens.issue(callId, 'operator');
    this.o.notifier.callAccepted(call.totem.id, {
      callId,
      mediaToken: kioskToken,
      operatorName: op.displayName,
    });
    this.o.notifier.presence(op.id, 'busy');
    this.o.log.info({ callId, operator: operatorId }, 'call accepted');
    return { mediaToken: operatorToken };
  }

  /* Ending ----------------------------------------------------------------------------------- */

  async hangupByKiosk(totemId: string, callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.totem.id !== totemId) throw new Error('no such call on this totem');
    await this.end(call, 'hangup-kiosk');
  }

  async hangupByOperator(operatorId: string, callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.operatorId !== operatorId) throw new Error('no such call for you');
    await this.end(call, 'hangup-operator');
  }

  /** Ends every call of a totem whose connection is gone for good. */
  async totemGone(totemId: string): Promise<void> {
    for (const call of [...this.calls.values()]) {
      if (call.totem.id === totemId) await this.end(call, 'connection-lost');
    }
  }

  /** True while this totem has a call queued, ringing or in progress. */
  hasCall(totemId: string): boolean {
    for (const call of this.calls.values())
      if (call.totem.id === totemId && call.state !== 'ended') return true;
    return false;
  }

  /** Ends every call of a totem with this reason (revocation, re-enrollment). */
  async endTotemCalls(totemId: string, reason: EndReason): Promise<void> {
    for (const call of [...this.calls.values()]) {
      if (call.totem.id === totemId) await this.end(call, reason);
    }
  }

  roomFor(callId: string): Room | undefined {
    return this.calls.get(callId)?.room;
  }

  /** Idempotent: the first caller records the end, later ones find the call gone. */
  async end(call: Call, reason: EndReason): Promise<void> {
    if (call.state === 'ended') return;
    const wasRinging = call.state === 'ringing' ? call.ringingOperatorId : undefined;
    const answered = call.answeredAt !== undefined;
    call.state = 'ended';
    clearTimeout(call.ringTimer);
    this.calls.delete(call.id);
    const qi = this.queue.indexOf(call.id);
    if (qi >= 0) this.queue.splice(qi, 1);
    this.tokens.revokeCall(call.id);
    call.room?.close(reason);
    const holder = call.operatorId ?? wasRinging;
    const op = holder ? this.operators.get(holder) : undefined;
    if (op && op.callId === call.id) {
      op.callId = undefined;
      op.freeSince = ++this.freeCounter;
    }
    const now = this.now();
    await this.o.db
      .updateTable('calls')
      .set({
        ended_at: now.toISOString(),
        end_reason: reason,
        duration_seconds: answered ? (now.getTime() - call.answeredAt!) / 1000 : null,
      })
      .where('id', '=', call.id)
      .execute();
    if (call.bookingId) {
      await finishCheckIn(this.o.db, call.bookingId, answered, now);
      this.o.notifier.agendaChanged(call.totem.siteId);
    }
    if (wasRinging) this.o.notifier.ringCancelled(wasRinging, call.id);
    this.o.notifier.callEnded(
      { totemId: call.totem.id, ...(call.operatorId ? { operatorId: call.operatorId } : {}) },
      {
        callId: call.id,
        reason,
      },
    );
    if (op && op.status !== 'offline') this.o.notifier.presence(op.id, op.status);
    this.o.log.info({ callId: call.id, reason, answered }, 'call ended');
    this.dispatch();
  }

  async endCallById(callId: string, reason: EndReason): Promise<void> {
    const call = this.calls.get(callId);
    if (call) await this.end(call, reason);
  }

  /** Ends everything (server shutdown). */
  async close(): Promise<void> {
    for (const call of [...this.calls.values()]) await this.end(call, 'cancelled');
    this.tokens.clear();
  }

  activeCalls(): number {
    return this.calls.size;
  }
}
