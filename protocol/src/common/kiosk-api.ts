// The kiosk API: what the kiosk page may ask of the kiosk core, and the state it is shown. Declared
// once here; the Electron preload (IPC) and the Chromium host (local WebSocket) both carry exactly
// these requests, validated on arrival, and answer with a Result.
import { z } from 'zod';
import type { QueuePhase } from './call-queue.ts';
import { kioskAudioSchema } from './kiosk-audio.ts';
import { kioskDisplaySchema, kioskTimerSchema } from './kiosk-display.ts';
import { READING_MODE_STEP } from './keypad-sequence.ts';

/** The kiosk's languages, Italian first (the default); the page has a locale file for each. */
export const LANGUAGES = ['it', 'en', 'de', 'fr', 'sl'] as const;
export const languageSchema = z.enum(LANGUAGES);
export type Language = z.infer<typeof languageSchema>;

/** Why a typed code was not accepted. Each has its own calm message on the kiosk. */
export const rejectReasonSchema = z.enum([
  'check-digit', // the check digit does not match: a typo, not counted as an attempt
  'incomplete', // fewer digits than a code has
  'unknown', // no booking with this code at this site
  'too-early',
  'too-late',
  'used',
  'cancelled',
  'unavailable', // the server refused the check-in or could not be reached
  'throttled', // too many wrong codes: wait before trying again
]);
export type RejectReason = z.infer<typeof rejectReasonSchema>;

export const endReasonSchema = z.enum([
  'hangup-kiosk',
  'hangup-operator',
  'no-operator',
  'media-failure',
  'connection-lost',
  'cancelled',
]);
export type EndReason = z.infer<typeof endReasonSchema>;

export const callMediaSchema = z.object({
  callId: z.string(),
  /** Base URL of the central server; the page opens the media namespace there. */
  serverUrl: z.string(),
  /** Short-lived token that admits the page to this call's room and nothing else. */
  token: z.string(),
});
export type CallMedia = z.infer<typeof callMediaSchema>;

export const MAX_TYPED_DIGITS = 12;

/**
 * The longest phone number the call-back screen takes: a leading '+' and 15 digits (E.164). The
 * shortest it sends is 6 digits; the server checks the same bounds (callbackRequestSchema).
 */
export const MAX_PHONE_CHARS = 16;
export const MIN_PHONE_DIGITS = 6;

/**
 * The queue phases of call-queue.ts, repeated here because that module depends on this one (through
 * agenda-sync.ts) and a value import would be a cycle; the check below keeps the two lists equal.
 */
const kioskQueuePhaseSchema = z.enum(['early', 'grace', 'waiting', 'ringing']);
type SamePhases = [QueuePhase] extends [z.infer<typeof kioskQueuePhaseSchema>]
  ? [z.infer<typeof kioskQueuePhaseSchema>] extends [QueuePhase]
    ? true
    : false
  : false;
const samePhases: SamePhases = true;
void samePhases;

export const kioskScreenSchema = z.discriminatedUnion('screen', [
  z.object({ screen: z.literal('idle') }),
  z.object({ screen: z.literal('code-entry'), digits: z.string().max(MAX_TYPED_DIGITS) }),
  z.object({ screen: z.literal('checking') }),
  z.object({
    screen: z.literal('rejected'),
    reason: rejectReasonSchema,
    retryInSeconds: z.number().optional(),
  }),
  z.object({
    screen: z.literal('waiting'),
    kind: z.enum(['booked', 'walk-in']),
    /** Where the item stands, as the server last told; absent until it has. */
    queue: z
      .object({
        phase: kioskQueuePhaseSchema,
        /** 1 = next to be offered. */
        position: z.number().int().min(1),
        /** Estimated seconds until an operator answers; null when no operator of the office is online. */
        estimatedWaitSeconds: z.number().int().min(0).nullable(),
      })
      .optional(),
    /** The maximum wait has passed: the page offers "call me back instead" first. */
    callbackOffered: z.boolean().optional(),
    /**
     * A booking code being typed while waiting as a walk-in (the handset prompt, Q-7): '#' confirms
     * it and the same item becomes the booked call.
     */
    digits: z.string().max(MAX_TYPED_DIGITS).optional(),
    /** The code typed while waiting is being checked. */
    codeChecking: z.boolean().optional(),
    /** Why the code typed while waiting was not taken; the citizen stays in the queue as a walk-in. */
    codeError: rejectReasonSchema.optional(),
    /** The call's room, joined while waiting so that the answer connects at once (media-prewarm.ts). */
    media: callMediaSchema.optional(),
  }),
  z.object({ screen: z.literal('in-call'), media: callMediaSchema, operatorName: z.string() }),
  z.object({ screen: z.literal('ended'), reason: endReasonSchema }),
  z.object({ screen: z.literal('out-of-service'), reason: z.string() }),
  /**
   * The kiosk went back to idle (a call ended, or nothing happened after a lift) while the handset is
   * still off the hook: the page asks for it to be put down, then shows idle by itself (H-5).
   */
  z.object({ screen: z.literal('handset-off-hook') }),
  /**
   * The code is valid and the check-in is recorded on the totem, but no operator can be reached now
   * (server or network down): the check-in is delivered later, and the citizen may ask to be called.
   */
  z.object({ screen: z.literal('checked-in-offline') }),
  /**
   * The citizen types a phone number for the call-back; `invalid` after a confirm of too few digits.
   * `inQueue`: asked while waiting ("call me back instead"); the item still waits until the number
   * is confirmed, and Back returns to the waiting screen.
   */
  z.object({
    screen: z.literal('callback-entry'),
    digits: z.string().max(MAX_PHONE_CHARS),
    invalid: z.boolean().optional(),
    inQueue: z.boolean().optional(),
  }),
  /** The call-back request is recorded and will reach the offices; the number is not shown again. */
  z.object({ screen: z.literal('callback-done') }),
]);
export type KioskScreen = z.infer<typeof kioskScreenSchema>;

/**
 * How the handset device (hook switch and keypad) is doing. `none`: no device is configured, the
 * on-screen controls are the only ones; `starting`: configured, not answered yet; `missing` and
 * `error`: configured but not usable, so the page says that the on-screen controls still work.
 */
export const HANDSET_STATES = ['none', 'starting', 'ok', 'missing', 'error'] as const;
export const handsetStateSchema = z.enum(HANDSET_STATES);
export type HandsetState = z.infer<typeof handsetStateSchema>;

export const handsetStatusSchema = z.object({
  state: handsetStateSchema,
  /** The device's reason code (e.g. 'unplugged', 'silent'), for technicians and logs, never shown as is. */
  reason: z.string().max(64).optional(),
  /** Whether the handset is off the hook now, as far as the device has told. */
  offHook: z.boolean(),
  /**
   * The citizen pressed the handset's or headset's Phone Mute during this call: the page mutes the
   * microphone while this is true. Back to false when the call ends. Absent means false.
   */
  muted: z.boolean().optional(),
});
export type HandsetStatus = z.infer<typeof handsetStatusSchema>;

export const kioskDevicesSchema = z.object({ handset: handsetStatusSchema });
export type KioskDevices = z.infer<typeof kioskDevicesSchema>;

export const KEYPAD_KEYS = [
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
  'back',
  'clear',
  'enter',
  // The '+' of an international phone number, taken only as the first character of one.
  'plus',
] as const;
export const keypadKeySchema = z.enum(KEYPAD_KEYS);
export type KeypadKey = z.infer<typeof keypadKeySchema>;

export const kioskStateSchema = z.object({
  language: languageSchema,
  screen: kioskScreenSchema,
  /** Whether the core currently reaches the central server. */
  online: z.boolean(),
  /** The totem's devices. Every core since the handset issue sends it; optional for older senders. */
  devices: kioskDevicesSchema.optional(),
  /** The layout, screen profile and municipality the page shows (kiosk-display.ts). */
  display: kioskDisplaySchema.optional(),
  /** Audio guidance and the outputs it plays on (kiosk-audio.ts); absent: prompts on the default output. */
  audio: kioskAudioSchema.optional(),
  /** The screen's timer while one runs (back to idle when it ends); absent when none runs. */
  timer: kioskTimerSchema.optional(),
  /**
   * A new number each time the kiosk forgets a citizen on its own (a screen's timer ran out): the
   * page then drops that citizen's reading modes, and the core has set the language back (K-4).
   */
  citizenSeq: z.number().int().min(0).optional(),
  /**
   * The last physical key the screen did not take, numbered: the page's own uses (on idle, '*'
   * steps through the languages, U-1), or `reading-mode` for the keypad's '*' '#' on any screen
   * (keypad-sequence.ts). Absent until there is one.
   */
  keypad: z
    .object({
      seq: z.number().int().min(0),
      key: z.union([keypadKeySchema, z.literal(READING_MODE_STEP)]),
    })
    .optional(),
  /** The agenda sync as the core sees it, for the technician and for later heartbeats. */
  sync: z
    .object({
      /** Server time minus this totem's clock, ms; null until a server answer has set the clock. */
      clockOffsetMs: z.number().nullable(),
      /** Whether time-window decisions can be taken (the clock was set from the server's time). */
      clockCorrected: z.boolean(),
      /** The feed position of the cache; null when the cache is empty or being rebuilt. */
      cursor: z.number().nullable(),
      /** Server time of the last successful pull, ISO. */
      lastSyncAt: z.string().nullable(),
      /** Why the last pull or delivery failed (e.g. 'timeout', 'http-500', 'bad-schema'); null when fine. */
      reason: z.string().max(200).nullable(),
      /** Check-ins and call-backs recorded on the totem and not yet acknowledged by the server. */
      outboxPending: z.number().int().min(0),
    })
    .optional(),
});
export type KioskState = z.infer<typeof kioskStateSchema>;

/** Every request the page may make. Strict objects: unknown keys are refused, not ignored. */
export const kioskRequestSchema = z.discriminatedUnion('method', [
  z.strictObject({ method: z.literal('getState') }),
  z.strictObject({ method: z.literal('openCodeEntry') }),
  z.strictObject({ method: z.literal('pressKey'), key: keypadKeySchema }),
  z.strictObject({ method: z.literal('submitCode'), code: z.string().max(64) }),
  z.strictObject({ method: z.literal('startWalkIn') }),
  z.strictObject({ method: z.literal('hangUp') }),
  z.strictObject({ method: z.literal('backToIdle') }),
  z.strictObject({ method: z.literal('setLanguage'), language: languageSchema }),
  /**
   * From the "operator unreachable" screen, or while waiting ("call me back instead"): open the
   * phone-number entry for a call-back.
   */
  z.strictObject({ method: z.literal('requestCallback') }),
  /** "More time": the citizen is still there; the screen's timer starts again (U-1, K-4). */
  z.strictObject({ method: z.literal('extendTime') }),
  /**
   * In a call, the page's media socket was refused its token (tokens are single-use, and the page
   * missed the fresh one): the core asks the server for the call again, whose answer carries a new
   * token in the in-call screen. Nothing happens on other screens.
   */
  z.strictObject({ method: z.literal('renewMediaToken') }),
]);
export type KioskRequest = z.infer<typeof kioskRequestSchema>;
export type KioskMethod = KioskRequest['method'];

export type Result<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

/**
 * The API as the page sees it. Every method resolves with the new state (or an error Result);
 * `onState` delivers every later change and returns an unsubscribe function.
 */
export interface KioskApi {
  getState(): Promise<Result<KioskState>>;
  openCodeEntry(): Promise<Result<KioskState>>;
  pressKey(key: KeypadKey): Promise<Result<KioskState>>;
  submitCode(code: string): Promise<Result<KioskState>>;
  startWalkIn(): Promise<Result<KioskState>>;
  hangUp(): Promise<Result<KioskState>>;
  backToIdle(): Promise<Result<KioskState>>;
  setLanguage(language: Language): Promise<Result<KioskState>>;
  /**
   * Opens the call-back phone entry. Optional so that an older facade still type-checks; the page
   * hides the call-back offer when the facade lacks it.
   */
  requestCallback(): Promise<Result<KioskState>>;
  /** Starts the screen's timer again ("more time"); nothing happens on a screen without one. */
  extendTime(): Promise<Result<KioskState>>;
  /** A fresh media token in the in-call screen (see the request above). */
  renewMediaToken(): Promise<Result<KioskState>>;
  onState(listener: (state: KioskState) => void): () => void;
}

/** Channel names for the Electron IPC and the host WebSocket, written once. */
export const KIOSK_CHANNELS = {
  request: 'sportello-kiosk:request',
  state: 'sportello-kiosk:state',
} as const;

/** Messages on the host WebSocket. */
export const hostClientMessageSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  request: kioskRequestSchema,
});
export type HostClientMessage = z.infer<typeof hostClientMessageSchema>;
export type HostServerMessage =
  { type: 'response'; id: number; result: Result<KioskState> } | { type: 'state'; state: KioskState };

/** Upper bound for one message on either transport: anything larger is refused unread. */
export const MAX_KIOSK_MESSAGE_BYTES = 4096;
