// The media namespace's link events for one peer's socket: the ICE servers it should use (TURN
// credentials made for this call and side, W-6) and the video level its link allows (W-5).
import { MEDIA_LINK_EVENTS, videoLevelRequestSchema, type IceServersGrant } from '@sportello/protocol';
import type { Logger } from '../logger.ts';
import type { PeerRole, Room } from './room.ts';

type AnyAck = (res: Record<string, unknown>) => void;

/** The part of a socket these handlers use. */
interface LinkSocket {
  on(event: string, listener: (payload: unknown, ack: unknown) => void): unknown;
}

export interface MediaLinkDeps {
  log: Logger;
  /** ICE servers for a label ("<call id>:<role>"); no TURN configured gives none. */
  iceServers: (label: string) => IceServersGrant;
}

export function registerMediaLinkHandlers(
  socket: LinkSocket,
  room: Room,
  role: PeerRole,
  deps: MediaLinkDeps,
): void {
  const reply = (ack: unknown): AnyAck => (typeof ack === 'function' ? (ack as AnyAck) : () => {});
  socket.on(MEDIA_LINK_EVENTS.iceServers, (_payload, ack) => {
    reply(ack)({ ok: true, ...deps.iceServers(`${room.callId}:${role}`) });
  });
  socket.on(MEDIA_LINK_EVENTS.videoLevel, (payload, ack) => {
    const parsed = videoLevelRequestSchema.safeParse(payload ?? {});
    if (!parsed.success) return reply(ack)({ ok: false, error: 'invalid request: video level' });
    room.setVideoLevel(role, parsed.data.level).then(
      () => reply(ack)({ ok: true }),
      (err: unknown) => {
        deps.log.warn({ err, callId: room.callId, role }, 'could not change the video level');
        reply(ack)({ ok: false, error: err instanceof Error ? err.message : String(err) });
      },
    );
    deps.log.info({ callId: room.callId, role, level: parsed.data.level }, 'video level');
  });
}
