// Fast call setup: the media room of a call is made when the kiosk asks for the call,
// not when the operator answers. The kiosk joins it while the citizen waits, and the ringing
// console joins it too when the operator allows it; both load the router's capabilities, make and
// connect their two transports and make their producers (audio paused on the page), and each
// consumes the other, paused. The room resumes no consumer before the answer (Room.holdUntilLive),
// so nothing of either side reaches the other before then. On accept the router takes the room
// from here and calls goLive(): the consumers are resumed, and the pages resume their audio.
//
// Why a room per call from the request, and not a standby session per page on a shared router:
// mediasoup transports belong to one router, and a call's router is what the room closes to leave
// nothing behind (W-3); a room made early keeps that one-router-per-call rule, and with it every
// other guarantee of the room (caps per peer, tokens bound to a socket and a role, resync).
//
// Released: the whole room (router and every transport on it) when the waiting item ends without
// an answer (the citizen hangs up, gives up, the call-back is taken, the totem is gone); the
// console's peer alone when the ring leaves that console (declined, timed out, moved, the console
// went offline) or its page closes its prewarm (the setting turned off, signed out).
import type { Logger } from '../logger.ts';
import type { Room } from '../media/room.ts';
import type { CallNotifier } from './call-notifier.ts';

export class CallPrewarms {
  private readonly rooms = new Map<string, Promise<Room | undefined>>();
  /** The rooms made so far, for the media sockets that attach to them (synchronously). */
  private readonly made = new Map<string, Room>();
  private closed = false;

  constructor(
    private readonly createRoom: (callId: string) => Promise<Room>,
    private readonly log: Logger,
  ) {}

  /** The call's waiting room, made now if it is not there yet; undefined if the SFU cannot make it. */
  open(callId: string): Promise<Room | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    let pending = this.rooms.get(callId);
    if (!pending) {
      pending = this.createRoom(callId).then(
        (room) => {
          room.holdUntilLive();
          // Closed from elsewhere (a worker died): forget it, the answer then makes a fresh room.
          room.once('closed', () => {
            if (this.rooms.get(callId) === pending) this.rooms.delete(callId);
            if (this.made.get(callId) === room) this.made.delete(callId);
          });
          if (this.rooms.get(callId) !== pending)
            room.close('cancelled'); // ended while being made
          else this.made.set(callId, room);
          return room;
        },
        (err: unknown) => {
          this.log.warn({ err, callId }, 'could not make a waiting media room; the answer makes one');
          if (this.rooms.get(callId) === pending) this.rooms.delete(callId);
          return undefined;
        },
      );
      this.rooms.set(callId, pending);
    }
    return pending;
  }

  /** The waiting room if it is made and open now (media sockets attach to it). */
  current(callId: string): Room | undefined {
    const room = this.made.get(callId);
    return room && !room.closed ? room : undefined;
  }

  /** True while a waiting room is made or open for this call. */
  has(callId: string): boolean {
    return this.rooms.has(callId);
  }

  /** The call was answered: the room leaves here for the call's session (undefined: make one). */
  async take(callId: string): Promise<Room | undefined> {
    const pending = this.rooms.get(callId);
    if (!pending) return undefined;
    this.rooms.delete(callId);
    const room = await pending;
    this.made.delete(callId);
    return room && !room.closed ? room : undefined;
  }

  /** The console that joined while the call rang for it is no longer the one it rings for. */
  async releaseOperator(callId: string): Promise<void> {
    await this.rooms.get(callId);
    this.current(callId)?.releasePeer('operator');
  }

  /** The call ended before an answer: its router and every transport on it close. Idempotent. */
  release(callId: string, reason = 'cancelled'): void {
    const pending = this.rooms.get(callId);
    if (!pending) return;
    this.rooms.delete(callId);
    this.made.delete(callId);
    void pending.then((room) => room?.close(reason));
  }

  get size(): number {
    return this.rooms.size;
  }

  close(): void {
    this.closed = true;
    for (const callId of [...this.rooms.keys()]) this.release(callId);
  }
}

/**
 * The router's notifier, releasing prewarms on the way: a call told ended before its answer takes
 * its waiting room with it, a ring that leaves a console takes that console's peer (and its tokens).
 * Every path that ends a waiting item or moves a ring (the dispatcher's too) tells the notifier.
 */
export function releasingNotifier(
  n: CallNotifier,
  prewarms: CallPrewarms,
  revokeOperator: (callId: string) => void,
): CallNotifier {
  return {
    callAccepted: (totemId, p) => n.callAccepted(totemId, p),
    callEnded: (target, p) => {
      prewarms.release(p.callId);
      n.callEnded(target, p);
    },
    ring: (operatorId, p) => n.ring(operatorId, p),
    ringCancelled: (operatorId, callId) => {
      if (prewarms.has(callId)) {
        revokeOperator(callId);
        void prewarms.releaseOperator(callId);
      }
      n.ringCancelled(operatorId, callId);
    },
    presence: (operatorId, p) => n.presence(operatorId, p),
    agendaChanged: (siteId) => n.agendaChanged(siteId),
    queueStatus: (totemId, p) => n.queueStatus(totemId, p),
    callbackOffered: (totemId, p) => n.callbackOffered(totemId, p),
    queueList: (operatorIds, p) => n.queueList(operatorIds, p),
    totemConnected: (totemId) => n.totemConnected(totemId),
  };
}
