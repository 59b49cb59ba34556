// The kiosk machine's vocabulary: its context, inputs, effects and the shape of its table's rows.
// Types only; the machine is kiosk-machine.ts.
import type {
  CallAccepted,
  CallRequest,
  EndReason,
  KeypadKey,
  KioskScreen,
  KioskSession,
  QueueStatus,
  RejectReason,
} from '@sportello/protocol';

export type ScreenName = KioskScreen['screen'];
export type ScreenOf<N extends ScreenName> = KioskScreen & { screen: N };
export type Waiting = ScreenOf<'waiting'>;

/** What the machine remembers besides the screen. Everything about the citizen goes at idle. */
export interface MachineContext {
  /** The call (queue item) the server gave this totem, while waiting or talking. */
  callId: string | undefined;
  /** The id of the call request whose answer is awaited; any other answer is stale. */
  callAttempt: number | undefined;
  /** The id of the code check whose verdict is awaited. */
  checkAttempt: number | undefined;
  /** The id of the walk-in → booked upgrade whose answer is awaited. */
  upgradeAttempt: number | undefined;
  /** Source of attempt ids; only grows. */
  seq: number;
  /** An acceptance that overtook the answer to our call request. */
  early: CallAccepted | undefined;
  /** A queue status that overtook the answer to our call request. */
  earlyStatus: QueueStatus | undefined;
  /** The booking checked in while the operators could not be reached, for its call-back. */
  offlineBookingId: string | undefined;
  /** The booking of the call now waiting, sent with a call-back asked instead. */
  bookingId: string | undefined;
  /** The waiting screen to return to from the call-back entry while still in the queue. */
  queued: Waiting | undefined;
  offHook: boolean;
  /** Whether the handset device works (only then the "put it down" prompt makes sense). */
  handsetOk: boolean;
  online: boolean;
  /** Out of service: revoked (P-3) until the kiosk restarts, or for a passing reason (below). */
  stopped: boolean;
  /**
   * The stop's reason when it passes (disk full K-3, crash loop K-1): a `resume` with that reason
   * ends it. A lasting stop (revoked) is null here and is never replaced by a passing one.
   */
  passingStop: string | null;
  liftAction: 'walk-in' | 'code-entry';
  /** The central server's base URL, handed to the page with a call's media token. */
  serverUrl: string;
}

export interface MachineState {
  screen: KioskScreen;
  ctx: MachineContext;
}

/** The answer to a code check carried out by the core (throttle, cache, outbox write, time floor). */
export type CodeVerdict =
  | { ok: true; bookingId: string; checkInKey: string; codeHash: string }
  | { ok: false; reason: RejectReason; retryInSeconds?: number };

/** The answer to a call request or an upgrade; `refused` when the server answered (not unreachable). */
export type CallAnswer =
  { ok: true; callId: string; mediaToken?: string } | { ok: false; reason: RejectReason; refused: boolean };

export type KioskInput =
  // Touch: the page's buttons.
  | { type: 'open-code-entry' }
  | { type: 'submit-code'; code: string }
  | { type: 'start-walk-in' }
  | { type: 'hang-up' }
  | { type: 'back' }
  | { type: 'request-callback' }
  // Keys: the on-screen keypad and the physical one (already mapped to the same keys).
  | { type: 'key'; key: KeypadKey }
  // The hook switch and whether the handset device works.
  | { type: 'hook'; offHook: boolean }
  | { type: 'handset'; ok: boolean }
  // The screen's timer ran out (armed by the core from TIMEOUTS).
  | { type: 'timeout' }
  // Answers to the machine's own requests.
  | { type: 'code-checked'; attempt: number; verdict: CodeVerdict }
  | { type: 'call-answer'; attempt: number; answer: CallAnswer }
  | { type: 'upgrade-answer'; attempt: number; answer: CallAnswer }
  // Server events.
  | { type: 'call-accepted'; call: CallAccepted }
  | { type: 'call-ended'; callId: string; reason: EndReason }
  | { type: 'queue-status'; status: QueueStatus }
  | { type: 'callback-offer'; callId: string }
  | { type: 'session'; session: KioskSession }
  // Connectivity and the fleet.
  | { type: 'online'; online: boolean }
  | { type: 'out-of-service'; reason: string; passing?: boolean }
  | { type: 'resume'; reason: string };
export type InputType = KioskInput['type'];

export type KioskEffect =
  /** Check a well-shaped code locally and record its check-in; answer with 'code-checked'. */
  | { type: 'check-code'; attempt: number; code: string }
  /** Ask the server for a call; answer with 'call-answer'. A booked one carries its check-in. */
  | { type: 'request-call'; attempt: number; req: CallRequest }
  /** Make the waiting walk-in item the booked call; answer with 'upgrade-answer'. */
  | {
      type: 'upgrade-call';
      attempt: number;
      callId: string;
      bookingId: string;
      checkInKey: string;
      codeHash: string;
    }
  | { type: 'hang-up'; callId: string }
  /** Record the call-back in the outbox; with a call, also ask the server to turn it into one. */
  | { type: 'callback'; phone: string; bookingId: string | undefined; callId: string | undefined }
  /** Deliver the outbox now (a check-in made while the operators were unreachable). */
  | { type: 'kick-outbox' };

export type TimeoutKind = 'idle' | 'ended' | 'off-hook' | 'confirm';

export type Step = { screen?: KioskScreen; ctx?: Partial<MachineContext>; effects?: KioskEffect[] };
export type Handler<N extends ScreenName> = (
  screen: ScreenOf<N>,
  ctx: MachineContext,
  input: KioskInput,
) => Step | undefined;

export interface ScreenRow<N extends ScreenName> {
  /** A citizen may start something new from here (lift, a digit, "talk to an operator"). */
  idleLike: boolean;
  /** A call exists for this screen (waiting or talking): hang-up and the hook end it. */
  inCall: boolean;
  /** Which timer the screen runs: back to idle on its own after that long. */
  timeout: TimeoutKind | null;
  /** Inputs this screen handles beyond the common ones; any other input leaves it unchanged. */
  on: Partial<Record<InputType, Handler<N>>>;
}
