// The kiosk's screens as one pure state machine: (screen, context) × input → (screen, context) +
// effects. Pure like `common/` code (no I/O, no timers, no clock): the kiosk core (kiosk-core.ts)
// feeds it the page's touches, the keypads' keys, the hook switch, the server's events, its timers
// and connectivity, and carries out the effects it returns. Every request that answers later
// carries an attempt id; an answer whose id is no longer the one awaited is dropped (a call that
// still opened is hung up), so that nothing a citizen left behind can come back on the screen.
import type { KioskScreen } from '@sportello/protocol';
import {
  answered,
  callEvents,
  codeEntryKey,
  followTruth,
  forget,
  goIdle,
  idle,
  idleKey,
  idleOnItsOwn,
  phoneEntryKey,
  rejected,
  requestCallbackFromQueue,
  startWalkIn,
  submitCode,
  waitingKey,
  withStatus,
} from './kiosk-machine-steps.ts';
import type {
  Handler,
  InputType,
  KioskEffect,
  KioskInput,
  MachineContext,
  MachineState,
  ScreenName,
  ScreenOf,
  ScreenRow,
  Step,
  TimeoutKind,
} from './kiosk-machine-types.ts';

export type * from './kiosk-machine-types.ts';

/** Whether the screen has a call: waiting, talking, or typing a call-back number while queued. */
export const hasCall = (s: KioskScreen): boolean =>
  SCREENS[s.screen].inCall || (s.screen === 'callback-entry' && s.inQueue === true);

const truth: Handler<ScreenName> = (s, ctx, i) =>
  i.type === 'session' ? followTruth(s, ctx, i.session, hasCall(s)) : undefined;

const fromIdle: Partial<Record<InputType, Handler<ScreenName>>> = {
  'open-code-entry': () => ({ screen: { screen: 'code-entry', digits: '' } }),
  'submit-code': (_s, ctx, i) => (i.type === 'submit-code' ? submitCode(i.code, ctx) : undefined),
  'start-walk-in': (_s, ctx) => startWalkIn(ctx),
  back: () => goIdle(),
  key: (_s, ctx, i) => (i.type === 'key' ? idleKey(i.key, ctx) : undefined),
  hook: (_s, ctx, i) => {
    if (i.type !== 'hook' || !i.offHook) return undefined;
    // Lifting starts the walk-in call at once, with the prompt to type a code instead.
    return ctx.liftAction === 'code-entry'
      ? { screen: { screen: 'code-entry', digits: '' } }
      : startWalkIn(ctx);
  },
  session: truth,
  timeout: (s, ctx) => idleOnItsOwn(s, ctx),
};

/** The screens with a call, whose answers and server events they follow. */
const withCall: Partial<Record<InputType, Handler<ScreenName>>> = {
  'call-accepted': callEvents,
  'call-ended': callEvents,
  'hang-up': callEvents,
  hook: callEvents,
  session: truth,
};

/** Back from the call-back number: to the queue it was asked from, or to idle. */
const callbackBack = (s: ScreenOf<'callback-entry'>, ctx: MachineContext): Step =>
  s.inQueue && ctx.queued ? { screen: ctx.queued, ctx: { queued: undefined } } : goIdle();

// ── The table: every screen, what it is, and what it does with each input ─────────────────────

export const SCREENS: { [N in ScreenName]: ScreenRow<N> } = {
  idle: {
    idleLike: true,
    inCall: false,
    timeout: null,
    // '*' has nowhere further back to go on idle: the page takes it (the languages, U-1).
    on: {
      ...fromIdle,
      timeout: undefined,
      key: (s, ctx, i) => (i.type === 'key' && i.key === 'back' ? undefined : fromIdle.key!(s, ctx, i)),
    },
  },
  'code-entry': {
    idleLike: false,
    inCall: false,
    timeout: 'idle',
    on: {
      'submit-code': (_s, ctx, i) => (i.type === 'submit-code' ? submitCode(i.code, ctx) : undefined),
      'start-walk-in': (_s, ctx) => startWalkIn(ctx),
      back: () => goIdle(),
      key: (s, ctx, i) => (i.type === 'key' ? codeEntryKey(s, ctx, i.key) : undefined),
      // Lifting during code entry keeps the digits typed so far (no 'hook' here).
      timeout: (s, ctx) => idleOnItsOwn(s, ctx),
      session: truth,
    },
  },
  checking: {
    idleLike: false,
    inCall: false,
    timeout: null,
    on: {
      // Back and "talk to a person" while the code is checked: the verdict (or the call it asked
      // for) comes back to an attempt no longer awaited and is dropped, the check-in kept (S-6).
      back: () => goIdle(),
      'start-walk-in': (_s, ctx) => startWalkIn(ctx),
      // An acceptance that overtakes the answer to a booked request is kept for that answer.
      'call-accepted': callEvents,
      session: truth,
      'code-checked': (_s, ctx, i) => {
        if (i.type !== 'code-checked' || i.attempt !== ctx.checkAttempt) return undefined;
        if (!i.verdict.ok) return { screen: rejected(i.verdict), ctx: { checkAttempt: undefined } };
        const attempt = ctx.seq + 1;
        const { bookingId, checkInKey, codeHash } = i.verdict;
        return {
          ctx: { seq: attempt, checkAttempt: undefined, callAttempt: attempt, bookingId },
          effects: [
            { type: 'request-call', attempt, req: { kind: 'booked', bookingId, checkInKey, codeHash } },
          ],
        };
      },
      // A status that overtakes the answer to a booked request is kept for that answer.
      'queue-status': (_s, ctx, i) =>
        i.type === 'queue-status' && ctx.callAttempt !== undefined
          ? { ctx: { earlyStatus: i.status } }
          : undefined,
      'call-answer': (_s, ctx, i) => {
        if (i.type !== 'call-answer' || i.attempt !== ctx.callAttempt) return undefined;
        const a = i.answer;
        if (!a.ok && !a.refused) {
          // The check-in is on the totem and goes when it can; the citizen may ask for a call-back.
          return {
            screen: { screen: 'checked-in-offline' },
            ctx: { ...forget, offlineBookingId: ctx.bookingId },
            effects: [{ type: 'kick-outbox' }],
          };
        }
        if (!a.ok) return { screen: rejected(a), ctx: forget };
        return answered(a.callId, { screen: 'waiting', kind: 'booked' }, ctx, a.mediaToken);
      },
    },
  },
  rejected: { idleLike: true, inCall: false, timeout: 'idle', on: fromIdle },
  waiting: {
    idleLike: false,
    inCall: true,
    timeout: null,
    on: {
      ...withCall,
      key: (s, ctx, i) => (i.type === 'key' ? waitingKey(s, ctx, i.key) : undefined),
      'request-callback': (s, ctx) => requestCallbackFromQueue(s, ctx),
      'call-answer': (s, ctx, i) => {
        if (i.type !== 'call-answer' || i.attempt !== ctx.callAttempt) return undefined;
        if (!i.answer.ok) return { screen: rejected(i.answer), ctx: forget };
        return answered(i.answer.callId, s, ctx, i.answer.mediaToken);
      },
      'code-checked': (s, ctx, i) => {
        if (i.type !== 'code-checked' || i.attempt !== ctx.checkAttempt) return undefined;
        const { codeChecking: _c, digits: _d, ...rest } = s;
        if (!i.verdict.ok) {
          return {
            screen: { ...rest, codeError: i.verdict.reason },
            ctx: { checkAttempt: undefined },
          };
        }
        const { bookingId, checkInKey, codeHash } = i.verdict;
        const attempt = ctx.seq + 1;
        if (ctx.callId === undefined) {
          // The walk-in request is still unanswered: it is superseded (and hung up when it opens)
          // by a booked request carrying this check-in.
          return {
            screen: { screen: 'waiting', kind: 'booked' },
            ctx: { ...forget, seq: attempt, callAttempt: attempt, bookingId },
            effects: [
              { type: 'request-call', attempt, req: { kind: 'booked', bookingId, checkInKey, codeHash } },
            ],
          };
        }
        return {
          ctx: { seq: attempt, checkAttempt: undefined, upgradeAttempt: attempt, bookingId },
          effects: [{ type: 'upgrade-call', attempt, callId: ctx.callId, bookingId, checkInKey, codeHash }],
        };
      },
      'upgrade-answer': (s, ctx, i) => {
        if (i.type !== 'upgrade-answer' || i.attempt !== ctx.upgradeAttempt) return undefined;
        const { codeChecking: _c, digits: _d, ...rest } = s;
        if (!i.answer.ok) {
          return {
            screen: { ...rest, codeError: i.answer.reason },
            ctx: { upgradeAttempt: undefined, bookingId: undefined },
          };
        }
        // The same item, now booked: its position comes with the next status.
        return {
          screen: { screen: 'waiting', kind: 'booked' },
          ctx: { upgradeAttempt: undefined, callId: i.answer.callId },
        };
      },
      'queue-status': (s, ctx, i) => {
        if (i.type !== 'queue-status') return undefined;
        if (ctx.callId !== undefined && i.status.callId !== ctx.callId) return undefined;
        if (ctx.callId === undefined && ctx.callAttempt === undefined) return undefined;
        return { screen: withStatus(s, i.status) };
      },
      'callback-offer': (s, ctx, i) =>
        i.type === 'callback-offer' && i.callId === ctx.callId && !s.callbackOffered
          ? { screen: { ...s, callbackOffered: true } }
          : undefined,
    },
  },
  // No keys in a call (H-6): a stuck or stray key must not end it; the hook, the button or the
  // operator does.
  'in-call': { idleLike: false, inCall: true, timeout: null, on: withCall },
  ended: {
    idleLike: true,
    inCall: false,
    timeout: 'ended',
    on: {
      ...fromIdle,
      // A call the network took away (W-3): the citizen may leave a number to be called back.
      'request-callback': (s) =>
        s.screen === 'ended' && s.reason === 'connection-lost'
          ? { screen: { screen: 'callback-entry', digits: '' } }
          : undefined,
    },
  },
  'out-of-service': { idleLike: false, inCall: false, timeout: null, on: {} },
  'handset-off-hook': {
    idleLike: true,
    inCall: false,
    timeout: 'off-hook',
    on: {
      ...fromIdle,
      // Putting the handset down on the prompt goes to idle at once.
      hook: (s, ctx, i) => (i.type === 'hook' && !i.offHook ? goIdle() : fromIdle.hook!(s, ctx, i)),
    },
  },
  'checked-in-offline': {
    idleLike: false,
    inCall: false,
    timeout: 'idle',
    on: {
      back: () => goIdle(),
      'request-callback': () => ({ screen: { screen: 'callback-entry', digits: '' } }),
      // Typing on the "operator unreachable" screen starts the call-back number; on the keypad
      // alone '#' asks for the call-back and '*' goes back (U-1).
      key: (_s, _ctx, i) => {
        if (i.type !== 'key') return undefined;
        if (/^[0-9]$/.test(i.key)) return { screen: { screen: 'callback-entry', digits: i.key } };
        if (i.key === 'enter') return { screen: { screen: 'callback-entry', digits: '' } };
        return i.key === 'back' ? goIdle() : undefined;
      },
      timeout: (s, ctx) => idleOnItsOwn(s, ctx),
      session: truth,
    },
  },
  'callback-entry': {
    idleLike: false,
    // In the queue, the item still waits while the number is typed: its events still count.
    inCall: false,
    timeout: 'idle',
    on: {
      // '*' on an empty number is Back (U-1); otherwise it deletes the last character.
      key: (s, ctx, i) =>
        i.type !== 'key'
          ? undefined
          : i.key === 'back' && s.digits === ''
            ? callbackBack(s, ctx)
            : phoneEntryKey(s, ctx, i.key),
      back: (s, ctx) => callbackBack(s, ctx),
      timeout: (s, ctx) =>
        s.inQueue && ctx.queued ? { screen: ctx.queued, ctx: { queued: undefined } } : idleOnItsOwn(s, ctx),
      'call-accepted': (s, ctx, i) => (s.inQueue ? callEvents(s, ctx, i) : undefined),
      'call-ended': (s, ctx, i) => (s.inQueue ? callEvents(s, ctx, i) : undefined),
      'hang-up': (s, ctx, i) => (s.inQueue ? callEvents(s, ctx, i) : undefined),
      hook: (s, ctx, i) => (s.inQueue ? callEvents(s, ctx, i) : undefined),
      'queue-status': (s, ctx, i) =>
        s.inQueue && ctx.queued && i.type === 'queue-status' && i.status.callId === ctx.callId
          ? { ctx: { queued: withStatus(ctx.queued, i.status) } }
          : undefined,
      session: truth,
    },
  },
  'callback-done': { idleLike: true, inCall: false, timeout: 'confirm', on: fromIdle },
};

// ── Derived lists: never written by hand ─────────────────────────────────────────────────────

const names = Object.keys(SCREENS) as ScreenName[];
/** Screens from which a citizen may start something new. */
export const IDLE_LIKE_SCREENS: readonly ScreenName[] = names.filter((n) => SCREENS[n].idleLike);
/** Screens that have a call (waiting or talking). */
export const IN_CALL_SCREENS: readonly ScreenName[] = names.filter((n) => SCREENS[n].inCall);

export function isIdleLike(s: KioskScreen): boolean {
  return SCREENS[s.screen].idleLike;
}

/** The timer a screen runs, if any. */
export function timeoutOf(s: KioskScreen): TimeoutKind | null {
  return SCREENS[s.screen].timeout;
}

export function initialState(o: {
  liftAction: 'walk-in' | 'code-entry';
  online: boolean;
  serverUrl: string;
}): MachineState {
  return {
    screen: idle(),
    ctx: {
      ...forget,
      seq: 0,
      offHook: false,
      handsetOk: false,
      online: o.online,
      stopped: false,
      passingStop: null,
      liftAction: o.liftAction,
      serverUrl: o.serverUrl,
    },
  };
}

export interface Transition {
  state: MachineState;
  effects: KioskEffect[];
  /** Whether the screen was set (even to an equal one): the core then re-arms its timer. */
  screenSet: boolean;
}

/** The machine: one input, one step. Never throws; an input a screen does not take changes nothing. */
export function step(state: MachineState, input: KioskInput): Transition {
  const { screen, ctx } = state;
  if (ctx.stopped) {
    // Only the end of a passing stop, or a lasting stop over a passing one, changes anything.
    if (ctx.passingStop !== null && input.type === 'resume' && input.reason === ctx.passingStop) {
      return {
        state: { screen: idle(), ctx: { ...ctx, ...forget, stopped: false, passingStop: null } },
        effects: [],
        screenSet: true,
      };
    }
    const lasting = input.type === 'out-of-service' && input.passing !== true;
    if (!(ctx.passingStop !== null && lasting)) return { state, effects: [], screenSet: false };
  }
  // Inputs every screen treats alike: the context's own facts, and the end of service.
  switch (input.type) {
    case 'online':
      return { state: { screen, ctx: { ...ctx, online: input.online } }, effects: [], screenSet: false };
    case 'handset':
      return { state: { screen, ctx: { ...ctx, handsetOk: input.ok } }, effects: [], screenSet: false };
    case 'out-of-service':
      return {
        state: {
          screen: { screen: 'out-of-service', reason: input.reason },
          ctx: { ...ctx, ...forget, stopped: true, passingStop: input.passing ? input.reason : null },
        },
        effects: ctx.callId ? [{ type: 'hang-up', callId: ctx.callId }] : [],
        screenSet: true,
      };
    default:
      break;
  }
  const hookCtx = input.type === 'hook' ? { ...ctx, offHook: input.offHook } : ctx;
  const handler = (SCREENS[screen.screen].on as Partial<Record<InputType, Handler<ScreenName>>>)[input.type];
  const out = handler?.(screen, hookCtx, input);
  // A stale answer that still opened a call: that call is hung up, nothing else changes (H-5).
  const stale = staleCall(ctx, input);
  const effects = [...(out?.effects ?? []), ...stale];
  return {
    state: { screen: out?.screen ?? screen, ctx: out?.ctx ? { ...hookCtx, ...out.ctx } : hookCtx },
    effects,
    screenSet: out?.screen !== undefined,
  };
}

/** A call request or upgrade answered for an attempt no longer awaited: hang up what it opened. */
function staleCall(ctx: MachineContext, input: KioskInput): KioskEffect[] {
  if (input.type === 'call-answer' && input.attempt !== ctx.callAttempt && input.answer.ok) {
    return [{ type: 'hang-up', callId: input.answer.callId }];
  }
  return [];
}
