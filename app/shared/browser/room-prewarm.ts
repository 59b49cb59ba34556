// Fast call setup, on a page: while a call waits (kiosk) or rings (console), the page
// joins the call's room with its camera (RoomClient.prepare: device loaded, both transports made
// and connected, producers paused). On the answer the page takes the joined room, and only
// consume and resume remain. Dropped — the room closed, the server closing its transports — when
// the call ends unanswered, the ring leaves the console, or the operator turns the setting off.
import type { CallMedia } from '@sportello/protocol';
import type { RoomClient } from './room-client.ts';

interface Held {
  callId: string;
  stream: Promise<MediaStream>;
  room: Promise<RoomClient | undefined>;
}

export interface TakenPrewarm {
  stream: MediaStream;
  /** The joined room; undefined when joining early failed (the page joins now, cold). */
  room: RoomClient | undefined;
}

export class RoomPrewarm {
  private held: Held | undefined;

  /** Whether a prewarm for this call (or, without an id, for any call) is held. */
  holds(callId?: string): boolean {
    return this.held !== undefined && (callId === undefined || this.held.callId === callId);
  }

  /** Joins the call's room with the stream now (once per call; another call's prewarm is dropped). */
  start(media: CallMedia, stream: Promise<MediaStream>): void {
    if (this.held?.callId === media.callId) return;
    this.drop(true);
    const room = stream.then(
      async (s) => {
        // The call's code (mediasoup-client) loads when a call comes near, not with the page.
        const { RoomClient } = await import('./room-client.ts');
        const r = new RoomClient(media.serverUrl, media.token, s);
        r.prepare().catch((err: unknown) => {
          console.warn('could not join the call early; it joins on the answer', err);
          r.close('prewarm-failed');
        });
        return r;
      },
      // The camera was refused: the answer asks again, and says so.
      () => undefined,
    );
    this.held = { callId: media.callId, stream, room };
  }

  /** The call rings: the joined room's video goes ahead to the SFU (RoomClient.sendVideoAhead). */
  ringing(callId: string): void {
    const h = this.held;
    if (h?.callId === callId) void h.room.then((r) => r?.sendVideoAhead());
  }

  /** The call was answered: its prewarm, if one was held for it; the caller owns both from here. */
  async take(callId: string): Promise<TakenPrewarm | undefined> {
    const h = this.held;
    if (!h || h.callId !== callId) return undefined;
    this.held = undefined;
    const stream = await h.stream.catch(() => undefined);
    const room = await h.room;
    if (!stream) return undefined;
    if (room && !room.usable) return { stream, room: undefined };
    return { stream, room };
  }

  /**
   * Leaves the call's room (the server closes this side's transports). The stream is stopped, or
   * handed back to be kept (the console's camera between calls); undefined when none was held.
   */
  drop(stopTracks: boolean): Promise<MediaStream | undefined> | undefined {
    const h = this.held;
    if (!h) return undefined;
    this.held = undefined;
    void h.room.then((r) => r?.close('released'));
    return h.stream.then(
      (s) => {
        if (stopTracks) s.getTracks().forEach((t) => t.stop());
        return s;
      },
      () => undefined,
    );
  }
}
