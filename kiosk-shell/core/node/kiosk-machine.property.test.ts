// The kiosk machine under random interleavings (fast-check): touches, keys, the hook, timers and
// server events mixed with the answers to its own requests, delivered late and in any order. Whatever
// happens, the screen is a valid one, a call is remembered only on a screen that has one, and no call
// the server opened for this totem is left behind: each is the current one, was hung up, was ended by
// the server, or became a call-back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { kioskScreenSchema, makeBookingCode, type KeypadKey } from '@sportello/protocol';
import {
  hasCall,
  initialState,
  step,
  type KioskEffect,
  type KioskInput,
  type MachineState,
} from './kiosk-machine.ts';

/** A code's full keyed hash, as a check-in carries it. */
const H = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

let n = 0;
const validCode = makeBookingCode(() => n++ % 10);

/** Inputs from the citizen, the devices, the timer and the server; CURRENT stands for the call now held. */
const CURRENT = '<current>';
const keys: KeypadKey[] = ['0', '5', '9', 'back', 'clear', 'enter', 'plus'];
const inputs: KioskInput[] = [
  { type: 'open-code-entry' },
  { type: 'submit-code', code: validCode },
  { type: 'submit-code', code: '12' },
  { type: 'start-walk-in' },
  { type: 'hang-up' },
  { type: 'back' },
  { type: 'request-callback' },
  ...keys.map((key) => ({ type: 'key', key }) as KioskInput),
  ...[...validCode].map((key) => ({ type: 'key', key }) as KioskInput),
  { type: 'hook', offHook: true },
  { type: 'hook', offHook: false },
  { type: 'handset', ok: true },
  { type: 'timeout' },
  { type: 'call-accepted', call: { callId: CURRENT, mediaToken: 'm', operatorName: 'G' } },
  { type: 'call-ended', callId: CURRENT, reason: 'hangup-operator' },
  {
    type: 'queue-status',
    status: {
      callId: CURRENT,
      kind: 'walk-in',
      phase: 'waiting',
      position: 2,
      estimatedWaitSeconds: 60,
      waitedSeconds: 5,
      callbackOffered: false,
    },
  },
  { type: 'callback-offer', callId: CURRENT },
  { type: 'session', session: { call: null } },
  { type: 'online', online: false },
  { type: 'online', online: true },
];

type Action = { kind: 'input'; index: number } | { kind: 'answer'; index: number; ok: boolean };
const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('input' as const), index: fc.nat(inputs.length - 1) }),
  fc.record({ kind: fc.constant('answer' as const), index: fc.nat(), ok: fc.boolean() }),
);

type Pending = Extract<KioskEffect, { type: 'check-code' | 'request-call' | 'upgrade-call' }>;

test('Q-8 random interleavings: valid screens, a call only on a screen that has one, no call left behind', () => {
  fc.assert(
    fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
      let state: MachineState = initialState({ liftAction: 'walk-in', online: true, serverUrl: 's' });
      const pending: Pending[] = [];
      const opened = new Set<string>();
      const closed = new Set<string>();
      let next = 0;
      const apply = (input: KioskInput) => {
        // The server's truth "no call" (sent on reconnection) ends the call the kiosk held; any other
        // call would still be told, so it must not exist.
        if (input.type === 'session' && input.session.call === null && state.ctx.callId)
          closed.add(state.ctx.callId);
        const t = step(state, input);
        state = t.state;
        for (const e of t.effects) {
          if (e.type === 'hang-up') closed.add(e.callId);
          else if (e.type === 'callback' && e.callId) closed.add(e.callId);
          else if (e.type === 'check-code' || e.type === 'request-call' || e.type === 'upgrade-call')
            pending.push(e);
        }
        if (input.type === 'call-ended') closed.add(input.callId);
        assert.ok(kioskScreenSchema.safeParse(state.screen).success, JSON.stringify(state.screen));
        if (state.ctx.callId !== undefined) {
          assert.ok(hasCall(state.screen), `a call held on ${state.screen.screen}`);
        }
      };
      for (const a of actions) {
        if (a.kind === 'input') {
          const raw = JSON.stringify(inputs[a.index]!);
          apply(JSON.parse(raw.replaceAll(CURRENT, state.ctx.callId ?? 'none')) as KioskInput);
          continue;
        }
        if (pending.length === 0) continue;
        const [e] = pending.splice(a.index % pending.length, 1);
        if (e!.type === 'check-code') {
          apply({
            type: 'code-checked',
            attempt: e!.attempt,
            verdict: a.ok
              ? { ok: true, bookingId: 'b', checkInKey: 'k', codeHash: H }
              : { ok: false, reason: 'unknown' },
          });
        } else if (e!.type === 'request-call') {
          const callId = `c${next++}`;
          if (a.ok) opened.add(callId);
          apply({
            type: 'call-answer',
            attempt: e!.attempt,
            answer: a.ok
              ? { ok: true, callId }
              : { ok: false, reason: 'unavailable', refused: next % 2 === 0 },
          });
        } else {
          apply({
            type: 'upgrade-answer',
            attempt: e!.attempt,
            answer: a.ok ? { ok: true, callId: e!.callId } : { ok: false, reason: 'used', refused: true },
          });
        }
      }
      // Requests still on their way will be answered; the calls they open are checked as above.
      for (const callId of opened) {
        if (closed.has(callId) || callId === state.ctx.callId) continue;
        assert.fail(`call ${callId} left open on ${state.screen.screen}`);
      }
    }),
    { numRuns: 2000 },
  );
});
