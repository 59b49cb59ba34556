// The join page's side of the queue: it connects to the kiosk namespace with its join token (the
// server treats it as one more totem), asks for its booking's call once the person presses "join",
// follows its place in the queue, and on the operator's answer joins the call's room with the same
// media client as the kiosk (app/shared/browser/room-client.ts). A reload finds the call again:
// the server tells every (re)connection which call it has.
import {
  EVENTS,
  NAMESPACES,
  type CallAccepted,
  type CallEnded,
  type HomeCallRequest,
  type KioskServerEvents,
  type KioskSession,
  type KioskClientEvents,
  type QueueStatus,
} from '@sportello/protocol';
import { io, type Socket } from 'socket.io-client';
import { RoomClient, type MediaStats } from '../../shared/browser/room-client.ts';

declare global {
  interface Window {
    /** The call's statistics, read by the end-to-end tests (as on the kiosk and console pages). */
    sportelloMedia?: { stats(): Promise<MediaStats> };
  }
}

export type HomeCallEvent =
  | { kind: 'queued'; status: QueueStatus | undefined }
  | { kind: 'in-call'; operatorName: string }
  | { kind: 'remote-media' }
  | { kind: 'ended'; reason: string }
  | { kind: 'refused'; reason: string }
  | { kind: 'connection-lost' };

interface HomeClientEvents {
  [EVENTS.callRequest]: (
    req: HomeCallRequest,
    ack: (r: { ok: boolean; callId?: string; reason?: string; error?: string }) => void,
  ) => void;
  [EVENTS.callHangup]: (req: { callId: string }, ack: (r: { ok: boolean }) => void) => void;
  [EVENTS.sessionGet]: KioskClientEvents[typeof EVENTS.sessionGet];
}

export class HomeCall {
  private readonly socket: Socket<KioskServerEvents, HomeClientEvents>;
  private callId: string | undefined;
  private room: RoomClient | undefined;
  private roomCallId: string | undefined;
  private wanted = false;
  private closed = false;

  constructor(
    token: string,
    private readonly localStream: () => MediaStream | undefined,
    private readonly onEvent: (e: HomeCallEvent) => void,
  ) {
    this.socket = io(location.origin + NAMESPACES.kiosk, {
      auth: { join: token },
      transports: ['websocket'],
      autoConnect: false,
    });
    this.socket.on(EVENTS.session, (s) => this.onSession(s));
    this.socket.on(EVENTS.queueStatus, (status) => {
      if (status.callId === this.callId) this.onEvent({ kind: 'queued', status });
    });
    this.socket.on(EVENTS.callAccepted, (a) => this.accepted(a));
    this.socket.on(EVENTS.callEnded, (e) => this.ended(e));
    this.socket.on('connect_error', (err) => {
      // The server refuses a link that can no longer join; socket.io would retry forever.
      if (/join link refused|another window/.test(err.message)) {
        this.socket.close();
        this.onEvent({ kind: 'refused', reason: err.message });
      }
    });
    this.socket.on('disconnect', () => {
      if (!this.closed) this.onEvent({ kind: 'connection-lost' });
    });
  }

  /** Connects and asks for the call (or finds the one the server already has for this link). */
  join(): void {
    this.wanted = true;
    this.socket.connect();
  }

  private onSession(s: KioskSession): void {
    if (s.call?.phase === 'in-call') {
      this.callId = s.call.callId;
      this.accepted({
        callId: s.call.callId,
        mediaToken: s.call.mediaToken,
        operatorName: s.call.operatorName,
      });
    } else if (s.call?.phase === 'queued') {
      this.callId = s.call.callId;
      this.onEvent({ kind: 'queued', status: s.call.status });
    } else if (this.callId) {
      // The call ended while this page was away (the server kept it for the reconnect grace).
      this.ended({ callId: this.callId, reason: 'connection-lost' });
    } else if (this.wanted) {
      this.request();
    }
  }

  private request(): void {
    this.socket.emit(EVENTS.callRequest, { kind: 'booked', checkInKey: crypto.randomUUID() }, (r) => {
      if (r.ok && r.callId) {
        this.callId = r.callId;
        this.onEvent({ kind: 'queued', status: undefined });
      } else {
        this.onEvent({ kind: 'refused', reason: r.reason ?? 'unavailable' });
      }
    });
  }

  private accepted(a: CallAccepted): void {
    if (this.roomCallId === a.callId) return;
    const stream = this.localStream();
    if (!stream) return this.onEvent({ kind: 'refused', reason: 'no-media' });
    this.roomCallId = a.callId;
    this.callId = a.callId;
    this.onEvent({ kind: 'in-call', operatorName: a.operatorName });
    const room = new RoomClient(location.origin, a.mediaToken, stream);
    this.room = room;
    room.onRemoteTrack = () => this.onEvent({ kind: 'remote-media' });
    // A spent token (single-use) is replaced by the one the server's answer to session:get carries.
    room.renewToken = async () => {
      const s = await this.socket.timeout(10_000).emitWithAck(EVENTS.sessionGet, {});
      return s.ok && s.call?.phase === 'in-call' && s.call.callId === a.callId
        ? s.call.mediaToken
        : undefined;
    };
    window.sportelloMedia = room;
    room.join().catch(() => this.onEvent({ kind: 'ended', reason: 'media-failed' }));
  }

  get remoteStream(): MediaStream | undefined {
    return this.room?.remoteStream;
  }

  private ended(e: CallEnded): void {
    if (e.callId !== this.callId) return;
    this.leaveRoom();
    this.callId = undefined;
    this.wanted = false;
    this.onEvent({ kind: 'ended', reason: e.reason });
  }

  /** Leaves the queue or ends the call. */
  hangUp(): void {
    const callId = this.callId;
    if (callId) this.socket.emit(EVENTS.callHangup, { callId }, () => {});
  }

  private leaveRoom(): void {
    this.room?.close();
    this.room = undefined;
    this.roomCallId = undefined;
    delete window.sportelloMedia;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.leaveRoom();
    this.socket.close();
  }
}
