// Signaling contracts (socket.io): namespaces, event names and payload schemas, written once. The
// server validates every inbound payload with these schemas; clients derive their types from them.
import type { MediaRecoveryClientEvents, MediaRecoveryServerEvents } from './media-recovery.ts';
import { z } from 'zod';
import type { RemoteActionNotice } from './fleet.ts';
import type { MediaLinkClientEvents, MediaLinkServerEvents } from './media-link.ts';
import type { MediaPrewarmOperatorEvents, MediaPrewarmServerEvents } from './media-prewarm.ts';
import { requestIdSchema, type CallCancel } from './call-cancel.ts';
import type { endReasonSchema, rejectReasonSchema } from './kiosk-api.ts';
import type {
  CallbackInstead,
  CallbackOffer,
  CallUpgrade,
  ConsoleQueue,
  KioskSession,
  ConsoleSession,
  PresenceNotice,
  QueueStatus,
} from './call-queue.ts';

export const NAMESPACES = { kiosk: '/kiosk', operator: '/operator', media: '/media' } as const;

export const EVENTS = {
  callRequest: 'call:request',
  callHangup: 'call:hangup',
  callAccepted: 'call:accepted',
  callEnded: 'call:ended',
  callRing: 'call:ring',
  callRingCancelled: 'call:ring-cancelled',
  callAccept: 'call:accept',
  callDecline: 'call:decline',
  presenceSet: 'presence:set',
  presence: 'presence',
  agendaChanged: 'agenda:changed',
  /** To one totem: run a remote action (see fleet.ts), then post its result over HTTP. */
  totemAction: 'totem:action',
  /** To one totem: its identity was revoked; wipe keys and cache, show out of service. */
  totemRevoked: 'totem:revoked',
  /** To a kiosk: its item's queue status (position, estimated wait), on every queue change. */
  queueStatus: 'queue:status',
  /** To a kiosk: the maximum wait has passed; it may offer "call me back instead". */
  callbackOffered: 'call:callback-offered',
  /** From a kiosk: turn the waiting item into a call-back with this phone number (ack). */
  callbackInstead: 'call:callback-instead',
  /** From a kiosk: a booking code confirmed while its walk-in item waits (Q-7, ack). */
  callUpgrade: 'call:upgrade',
  /** From a kiosk: it gave up waiting for the answer to a call request; end what it made (call-cancel.ts). */
  callCancel: 'call:cancel',
  /** To a kiosk or console right after it connects: the call it has, or none. */
  session: 'session:state',
  /** From a kiosk or console: ask for session:state again (ack answers with it). */
  sessionGet: 'session:get',
  /** To a console: the live queue of its operator's offices, pushed on every change. */
  queueList: 'queue:list',
  /** From a console: ask for the live queue now (ack answers with it). */
  queueGet: 'queue:get',
  mediaCapabilities: 'media:capabilities',
  mediaCreateTransport: 'media:create-transport',
  mediaConnectTransport: 'media:connect-transport',
  mediaReady: 'media:ready',
  mediaProduce: 'media:produce',
  mediaResumeConsumer: 'media:resume-consumer',
  mediaRestartIce: 'media:restart-ice',
  mediaConsumer: 'media:consumer',
  mediaConsumerClosed: 'media:consumer-closed',
  mediaClosed: 'media:closed',
  /** From a peer: its producer is paused or resumed (the citizen's Phone Mute, the operator's mute). */
  mediaPauseProducer: 'media:pause-producer',
  /** To a peer: what it receives was paused or resumed by the other side (shown on the console). */
  mediaConsumerPaused: 'media:consumer-paused',
} as const;

/** Every ack answers with one of these. */
export type Ack<T = Record<string, never>> = (res: ({ ok: true } & T) | { ok: false; error: string }) => void;

// Opaque mediasoup structures: the SFU and mediasoup-client check them; here they only travel.
const opaque = z.record(z.string(), z.unknown());

export const callRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('booked'),
    bookingId: z.string().max(64),
    /**
     * The idempotency key of the check-in the totem wrote to its outbox before asking. The server
     * records the check-in under it (as POST /api/kiosk/check-ins does), so a later outbox delivery
     * of the same key replays this answer instead of being refused as 'used'.
     */
    checkInKey: z.uuid(),
    /**
     * The full HMAC-SHA256 of the typed code with the site key: the totem matched only a 16-bit tag,
     * so the server checks the code itself before the call (and the check-in) go ahead.
     */
    codeHash: z.string().regex(/^[0-9a-f]{64}$/),
    /** The kiosk's id of this attempt, named again by call:cancel when it gives up (call-cancel.ts). */
    requestId: requestIdSchema.optional(),
  }),
  z.strictObject({ kind: z.literal('walk-in'), requestId: requestIdSchema.optional() }),
]);
export type CallRequest = z.infer<typeof callRequestSchema>;
export type CallRequestAck = (
  res:
    // mediaToken: the call's room, joined while waiting (fast setup, media-prewarm.ts); absent
    // when the server could not make the room yet (the kiosk then joins on accept).
    | { ok: true; callId: string; mediaToken?: string }
    | { ok: false; reason: z.infer<typeof rejectReasonSchema>; error: string },
) => void;

export const callIdSchema = z.strictObject({ callId: z.string().max(64) });
export const presenceSchema = z.strictObject({ status: z.enum(['available', 'paused']) });
export type PresenceStatus = z.infer<typeof presenceSchema>['status'];

export interface CallAccepted {
  callId: string;
  mediaToken: string;
  operatorName: string;
}
export interface CallEnded {
  callId: string;
  reason: z.infer<typeof endReasonSchema>;
}
export interface CallRing {
  callId: string;
  kind: 'booked' | 'walk-in';
  totemName: string;
  officeName: string;
  serviceName: string | null;
  /** The reason the citizen gave when booking; null for walk-in calls. */
  reason: string | null;
  slotStart: string | null;
  /** When the item entered the queue (server clock, ISO). */
  queuedAt?: string;
  /** The citizen joins by video from home (the join page), not from a totem. */
  fromHome?: boolean;
}

export interface KioskClientEvents {
  [EVENTS.callRequest]: (req: CallRequest, ack: CallRequestAck) => void;
  /** While queued or ringing this abandons the item; in a call it ends the call. */
  [EVENTS.callHangup]: (req: z.infer<typeof callIdSchema>, ack: Ack) => void;
  [EVENTS.callbackInstead]: (req: CallbackInstead, ack: Ack<{ callbackId: string }>) => void;
  [EVENTS.callUpgrade]: (req: CallUpgrade, ack: CallRequestAck) => void;
  [EVENTS.sessionGet]: (req: Record<string, never>, ack: Ack<KioskSession>) => void;
  [EVENTS.callCancel]: (req: CallCancel, ack?: Ack) => void;
}
export interface KioskServerEvents {
  [EVENTS.queueStatus]: (p: QueueStatus) => void;
  [EVENTS.callbackOffered]: (p: CallbackOffer) => void;
  [EVENTS.session]: (p: KioskSession) => void;
  [EVENTS.callAccepted]: (p: CallAccepted) => void;
  [EVENTS.callEnded]: (p: CallEnded) => void;
  [EVENTS.agendaChanged]: () => void;
  [EVENTS.totemAction]: (p: RemoteActionNotice) => void;
  [EVENTS.totemRevoked]: (p: { reason: string }) => void;
}

export interface OperatorClientEvents extends MediaPrewarmOperatorEvents {
  [EVENTS.presenceSet]: (req: z.infer<typeof presenceSchema>, ack: Ack) => void;
  [EVENTS.callAccept]: (req: z.infer<typeof callIdSchema>, ack: Ack<{ mediaToken: string }>) => void;
  [EVENTS.callDecline]: (req: z.infer<typeof callIdSchema>, ack: Ack) => void;
  [EVENTS.callHangup]: (req: z.infer<typeof callIdSchema>, ack: Ack) => void;
  [EVENTS.sessionGet]: (req: Record<string, never>, ack: Ack<ConsoleSession>) => void;
  [EVENTS.queueGet]: (req: Record<string, never>, ack: Ack<ConsoleQueue>) => void;
}
export interface OperatorServerEvents {
  [EVENTS.callRing]: (p: CallRing) => void;
  [EVENTS.callRingCancelled]: (p: { callId: string }) => void;
  [EVENTS.callEnded]: (p: CallEnded) => void;
  /** Presence; with `reason: 'missed-rings'` when the server paused the console after N missed rings. */
  [EVENTS.presence]: (p: PresenceNotice) => void;
  [EVENTS.session]: (p: ConsoleSession) => void;
  [EVENTS.queueList]: (p: ConsoleQueue) => void;
}
export const emptySchema = z.strictObject({});

export const createTransportSchema = z.strictObject({ direction: z.enum(['send', 'recv']) });
export const connectTransportSchema = z.strictObject({ transportId: z.string(), dtlsParameters: opaque });
export const readySchema = z.strictObject({ rtpCapabilities: opaque });
export const produceSchema = z.strictObject({
  transportId: z.string(),
  kind: z.enum(['audio', 'video']),
  rtpParameters: opaque,
});
export const consumerIdSchema = z.strictObject({ consumerId: z.string() });
export const transportIdSchema = z.strictObject({ transportId: z.string() });
export const pauseProducerSchema = z.strictObject({ producerId: z.string(), paused: z.boolean() });

export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown;
  dtlsParameters: unknown;
}
export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  /** The other side had already paused what this consumer receives (e.g. a muted microphone). */
  producerPaused?: boolean;
}

export interface MediaClientEvents extends MediaLinkClientEvents, MediaRecoveryClientEvents {
  [EVENTS.mediaCapabilities]: (
    req: Record<string, never>,
    ack: Ack<{ routerRtpCapabilities: unknown }>,
  ) => void;
  [EVENTS.mediaCreateTransport]: (
    req: z.infer<typeof createTransportSchema>,
    ack: Ack<{ transport: TransportInfo }>,
  ) => void;
  [EVENTS.mediaConnectTransport]: (req: z.infer<typeof connectTransportSchema>, ack: Ack) => void;
  [EVENTS.mediaReady]: (req: z.infer<typeof readySchema>, ack: Ack) => void;
  [EVENTS.mediaProduce]: (req: z.infer<typeof produceSchema>, ack: Ack<{ id: string }>) => void;
  [EVENTS.mediaResumeConsumer]: (req: z.infer<typeof consumerIdSchema>, ack: Ack) => void;
  [EVENTS.mediaRestartIce]: (
    req: z.infer<typeof transportIdSchema>,
    ack: Ack<{ iceParameters: unknown }>,
  ) => void;
  [EVENTS.mediaPauseProducer]: (req: z.infer<typeof pauseProducerSchema>, ack: Ack) => void;
}
export interface MediaServerEvents
  extends MediaLinkServerEvents, MediaRecoveryServerEvents, MediaPrewarmServerEvents {
  [EVENTS.mediaConsumer]: (p: ConsumerInfo) => void;
  [EVENTS.mediaConsumerClosed]: (p: { consumerId: string }) => void;
  [EVENTS.mediaClosed]: (p: { reason: string }) => void;
  [EVENTS.mediaConsumerPaused]: (p: { consumerId: string; kind: 'audio' | 'video'; paused: boolean }) => void;
}
