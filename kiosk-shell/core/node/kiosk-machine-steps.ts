// The kiosk machine's steps shared by several screens of its table (kiosk-machine.ts): leaving for
// idle, starting a call, checking a code's shape, following the server's truth, the keypads of the
// waiting, code and phone screens. Pure, like the table.
import {
  CODE_LENGTH,
  MAX_TYPED_DIGITS,
  checkCodeShape,
  normalizeBookingCode,
  type CallAccepted,
  type KeypadKey,
  type KioskScreen,
  type KioskSession,
  type QueueStatus,
  type RejectReason,
} from '@sportello/protocol';
import type { KioskInput, MachineContext, ScreenOf, Step, Waiting } from './kiosk-machine-types.ts';
import { phoneKey } from './phone-entry.ts';

// ── The handlers shared by several screens ───────────────────────────────────────────────────

export const idle = (): KioskScreen => ({ screen: 'idle' });

/** Leaving for idle forgets the citizen and supersedes whatever was awaited. */
type Forgotten = Pick<
  MachineContext,
  | 'callId'
  | 'callAttempt'
  | 'checkAttempt'
  | 'upgradeAttempt'
  | 'early'
  | 'earlyStatus'
  | 'offlineBookingId'
  | 'bookingId'
  | 'queued'
>;
export const forget: Forgotten = {
  callId: undefined,
  callAttempt: undefined,
  checkAttempt: undefined,
  upgradeAttempt: undefined,
  early: undefined,
  earlyStatus: undefined,
  offlineBookingId: undefined,
  bookingId: undefined,
  queued: undefined,
};

export const goIdle = (): Step => ({ screen: idle(), ctx: forget });

/** On its own (a timer): with a working handset still off the hook, first ask to put it down (H-5). */
export const idleOnItsOwn = (s: KioskScreen, ctx: MachineContext): Step =>
  ctx.offHook && ctx.handsetOk && s.screen !== 'handset-off-hook'
    ? { screen: { screen: 'handset-off-hook' }, ctx: forget }
    : goIdle();

export const startWalkIn = (ctx: MachineContext): Step => {
  const attempt = ctx.seq + 1;
  return {
    screen: { screen: 'waiting', kind: 'walk-in' },
    ctx: { ...forget, seq: attempt, callAttempt: attempt },
    effects: [{ type: 'request-call', attempt, req: { kind: 'walk-in' } }],
  };
};

/** A typed code: its shape is checked here, at once; a well-shaped one goes to the core's check. */
export function submitCode(raw: string, ctx: MachineContext): Step | undefined {
  const code = normalizeBookingCode(raw).slice(0, 64);
  const shape = checkCodeShape(code);
  if (shape === 'empty') return undefined;
  if (shape !== 'ok') {
    const reason: RejectReason = code.length < CODE_LENGTH ? 'incomplete' : 'check-digit';
    return { screen: { screen: 'rejected', reason } };
  }
  const attempt = ctx.seq + 1;
  return {
    screen: { screen: 'checking' },
    ctx: { ...forget, seq: attempt, checkAttempt: attempt },
    effects: [{ type: 'check-code', attempt, code }],
  };
}

export const rejected = (v: { reason: RejectReason; retryInSeconds?: number }): KioskScreen =>
  v.reason === 'throttled' && v.retryInSeconds !== undefined
    ? { screen: 'rejected', reason: v.reason, retryInSeconds: v.retryInSeconds }
    : { screen: 'rejected', reason: v.reason };

/** The citizen ends the call (a button or the hook): the server is told, the screen says so. */
export const hangUp = (ctx: MachineContext): Step => ({
  screen: { screen: 'ended', reason: 'hangup-kiosk' },
  ctx: forget,
  effects: ctx.callId ? [{ type: 'hang-up', callId: ctx.callId }] : [],
});

export const inCall = (call: CallAccepted, ctx: MachineContext): KioskScreen => ({
  screen: 'in-call',
  operatorName: call.operatorName,
  media: { callId: call.callId, serverUrl: ctx.serverUrl, token: call.mediaToken },
});

/** The common events of every screen that has a call: accepted, ended, the hook put down. */
export function callEvents(s: KioskScreen, ctx: MachineContext, input: KioskInput): Step | undefined {
  switch (input.type) {
    case 'call-accepted':
      if (input.call.callId === ctx.callId)
        return { screen: inCall(input.call, ctx), ctx: { queued: undefined } };
      // An acceptance may overtake the answer to the request: kept until that answer comes.
      if (ctx.callId === undefined && ctx.callAttempt !== undefined) return { ctx: { early: input.call } };
      return undefined;
    case 'call-ended':
      if (input.callId !== ctx.callId) return undefined;
      return { screen: { screen: 'ended', reason: input.reason }, ctx: forget };
    case 'hook':
      return input.offHook ? undefined : hangUp(ctx);
    case 'hang-up':
      return hangUp(ctx);
    default:
      return undefined;
  }
}

/** An item's queue status as the waiting screen shows it. */
export function withStatus(w: Waiting, status: QueueStatus): Waiting {
  return {
    ...w,
    kind: status.kind,
    queue: {
      phase: status.phase,
      position: status.position,
      estimatedWaitSeconds: status.estimatedWaitSeconds,
    },
    ...(status.callbackOffered || w.callbackOffered ? { callbackOffered: true } : {}),
  };
}

export function waitingFromSession(callId: string, status: QueueStatus): Step {
  return {
    screen: withStatus({ screen: 'waiting', kind: status.kind }, status),
    ctx: { ...forget, callId },
  };
}

/**
 * The server's truth on (re)connection. A screen that has a call follows it; an idle-like screen
 * takes up the call the server still has for this totem (the kiosk restarted during it); a screen
 * where a new citizen is busy (typing a code, a number) ends the stale call instead.
 */
export function followTruth(
  s: KioskScreen,
  ctx: MachineContext,
  session: KioskSession,
  withCallNow: boolean,
): Step | undefined {
  const call = session.call;
  // A call request still on its way gets its own answer, which names the call; the truth is told
  // again at the next connection.
  if (ctx.callId === undefined && ctx.callAttempt !== undefined) return undefined;
  if (call === null) {
    // A request still on its way gets its own answer; a call the server no longer has is over.
    if (!withCallNow || ctx.callId === undefined) return undefined;
    return { screen: { screen: 'ended', reason: 'connection-lost' }, ctx: forget };
  }
  if (withCallNow || s.screen === 'idle' || s.screen === 'ended' || s.screen === 'handset-off-hook') {
    if (call.phase === 'in-call') {
      // The same call: only its fresh media token is taken (a page whose socket missed its own).
      if (s.screen === 'in-call' && ctx.callId === call.callId)
        return s.media.token === call.mediaToken
          ? undefined
          : { screen: { ...s, media: { ...s.media, token: call.mediaToken } } };
      const accepted = { callId: call.callId, mediaToken: call.mediaToken, operatorName: call.operatorName };
      return { screen: inCall(accepted, ctx), ctx: { ...forget, callId: call.callId } };
    }
    if (s.screen === 'waiting' && ctx.callId === call.callId) return { screen: withStatus(s, call.status) };
    if (s.screen === 'callback-entry' && ctx.callId === call.callId && ctx.queued)
      return { ctx: { queued: withStatus(ctx.queued, call.status) } };
    return waitingFromSession(call.callId, call.status);
  }
  return { effects: [{ type: 'hang-up', callId: call.callId }] };
}

/** Typing a booking code while waiting as a walk-in (the handset prompt, Q-7). */
export function waitingKey(s: Waiting, ctx: MachineContext, key: KeypadKey): Step | undefined {
  const digits = s.digits ?? '';
  // '#' with nothing typed asks for the call-back instead of waiting; '*' leaves the queue (U-1).
  if (key === 'enter' && digits === '') return requestCallbackFromQueue(s, ctx);
  if (key === 'back' && digits === '') return hangUp(ctx);
  // A code is taken only from a walk-in, one at a time.
  if (s.kind !== 'walk-in' || ctx.upgradeAttempt !== undefined || ctx.checkAttempt !== undefined) {
    return undefined;
  }
  const { codeError: _dropped, digits: _digits, ...base } = s;
  // Typed digits are shown only while there are some.
  const rest = (d: string): Waiting => (d === '' ? base : { ...base, digits: d });
  if (key === 'enter') {
    const code = normalizeBookingCode(digits);
    const shape = checkCodeShape(code);
    if (shape !== 'ok') {
      const reason: RejectReason = code.length < CODE_LENGTH ? 'incomplete' : 'check-digit';
      return { screen: { ...base, codeError: reason } };
    }
    const attempt = ctx.seq + 1;
    return {
      screen: { ...rest(digits), codeChecking: true },
      ctx: { seq: attempt, checkAttempt: attempt },
      effects: [{ type: 'check-code', attempt, code }],
    };
  }
  if (key === 'back') return { screen: rest(digits.slice(0, -1)) };
  if (key === 'clear') return { screen: rest('') };
  if (!/^[0-9]$/.test(key) || digits.length >= MAX_TYPED_DIGITS) return undefined;
  return { screen: rest(digits + key) };
}

export function requestCallbackFromQueue(s: Waiting, ctx: MachineContext): Step | undefined {
  // Only an item the server knows can become a call-back; a request on its way cannot yet.
  if (ctx.callId === undefined) return undefined;
  return { screen: { screen: 'callback-entry', digits: '', inQueue: true }, ctx: { queued: s } };
}

/**
 * A key on a screen where a citizen may start something (idle, a refusal, a message): a digit opens
 * code entry with it; on the keypad alone '#' talks to a person and '*' goes back to idle (U-1).
 */
export function idleKey(key: KeypadKey, ctx: MachineContext): Step | undefined {
  if (/^[0-9]$/.test(key)) return { screen: { screen: 'code-entry', digits: key } };
  if (key === 'enter') return startWalkIn(ctx);
  return key === 'back' ? goIdle() : undefined;
}

export function codeEntryKey(
  s: ScreenOf<'code-entry'>,
  ctx: MachineContext,
  key: KeypadKey,
): Step | undefined {
  // With nothing typed, the keypad alone still reaches both ways out: '#' a person, '*' back (U-1).
  if (s.digits === '' && key === 'enter') return startWalkIn(ctx);
  if (s.digits === '' && key === 'back') return goIdle();
  if (key === 'enter') return submitCode(s.digits, ctx);
  if (key === 'back') return { screen: { screen: 'code-entry', digits: s.digits.slice(0, -1) } };
  if (key === 'clear') return { screen: { screen: 'code-entry', digits: '' } };
  // A flood of keys stops at the longest input the screen shows; '+' belongs to phone numbers.
  if (s.digits.length >= MAX_TYPED_DIGITS || !/^[0-9]$/.test(key)) return undefined;
  return { screen: { screen: 'code-entry', digits: s.digits + key } };
}

export function phoneEntryKey(s: ScreenOf<'callback-entry'>, ctx: MachineContext, key: KeypadKey): Step {
  const r = phoneKey(s.digits, key);
  const inQueue = s.inQueue ? { inQueue: true } : {};
  if ('tooShort' in r)
    return { screen: { screen: 'callback-entry', digits: r.tooShort, invalid: true, ...inQueue } };
  if ('digits' in r) return { screen: { screen: 'callback-entry', digits: r.digits, ...inQueue } };
  // The number goes to the outbox (durable) and, from the queue, to the server: the item ends there.
  const fromQueue = s.inQueue === true && ctx.callId !== undefined;
  return {
    screen: { screen: 'callback-done' },
    ctx: forget,
    effects: [
      {
        type: 'callback',
        phone: r.submit,
        bookingId: fromQueue ? ctx.bookingId : ctx.offlineBookingId,
        callId: fromQueue ? ctx.callId : undefined,
      },
    ],
  };
}

/** The idle-like screens' inputs: start a call, open code entry, a first digit, the lift. */

/** The call request was answered with a call: now waiting for it, or talking if it was accepted. */
export function answered(callId: string, w: Waiting, ctx: MachineContext, mediaToken?: string): Step {
  const early = ctx.early?.callId === callId ? ctx.early : undefined;
  const status = ctx.earlyStatus?.callId === callId ? ctx.earlyStatus : undefined;
  // Fast setup: the page joins the call's room while the citizen waits (media-prewarm.ts).
  const waiting: Waiting = mediaToken
    ? { ...w, media: { callId, serverUrl: ctx.serverUrl, token: mediaToken } }
    : w;
  return {
    screen: early ? inCall(early, ctx) : status ? withStatus(waiting, status) : waiting,
    ctx: { callId, callAttempt: undefined, early: undefined, earlyStatus: undefined },
  };
}
