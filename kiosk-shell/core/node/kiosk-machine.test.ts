// The kiosk machine on its own: every screen with every input (the matrix), the derived screen
// lists, attempt ids, and the flows of issue 9 (the handset prompt, the queue, the call-back
// instead, the server's truth) as sequences of inputs. Pure: no server, no timers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kioskScreenSchema, makeBookingCode, type KioskScreen, type QueueStatus } from '@sportello/protocol';
import {
  IDLE_LIKE_SCREENS,
  IN_CALL_SCREENS,
  SCREENS,
  initialState,
  step,
  type KioskEffect,
  type KioskInput,
  type MachineContext,
  type MachineState,
  type ScreenName,
} from './kiosk-machine.ts';

/** A code's full keyed hash, as a check-in carries it. */
const H = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

let n = 0;
const validCode = makeBookingCode(() => n++ % 10);
const base = initialState({ liftAction: 'walk-in', online: true, serverUrl: 'http://server' });
const at = (screen: KioskScreen, ctx: Partial<MachineContext> = {}): MachineState => ({
  screen,
  ctx: { ...base.ctx, seq: 5, ...ctx },
});
const status = (p: Partial<QueueStatus> = {}): QueueStatus => ({
  callId: 'c1',
  kind: 'walk-in',
  phase: 'waiting',
  position: 3,
  estimatedWaitSeconds: 240,
  waitedSeconds: 10,
  callbackOffered: false,
  ...p,
});
const queuedWalkIn: KioskScreen = { screen: 'waiting', kind: 'walk-in' };

/** One sample state per row of the matrix: each screen, and the variants whose context matters. */
const ROWS: Record<string, MachineState> = {
  idle: at({ screen: 'idle' }),
  'code-entry': at({ screen: 'code-entry', digits: '12' }),
  'checking (code)': at({ screen: 'checking' }, { checkAttempt: 1 }),
  'checking (call)': at({ screen: 'checking' }, { callAttempt: 1, bookingId: 'b1' }),
  rejected: at({ screen: 'rejected', reason: 'unknown' }),
  'waiting (asked)': at(queuedWalkIn, { callAttempt: 1 }),
  'waiting walk-in': at(queuedWalkIn, { callId: 'c1' }),
  'waiting (code)': at(
    { ...queuedWalkIn, digits: '12', codeChecking: true },
    { callId: 'c1', checkAttempt: 1 },
  ),
  'waiting (upgrade)': at(queuedWalkIn, { callId: 'c1', upgradeAttempt: 1, bookingId: 'b1' }),
  'waiting booked': at({ screen: 'waiting', kind: 'booked' }, { callId: 'c1', bookingId: 'b1' }),
  'in-call': at(
    { screen: 'in-call', operatorName: 'Giulia', media: { callId: 'c1', serverUrl: 's', token: 't' } },
    { callId: 'c1' },
  ),
  ended: at({ screen: 'ended', reason: 'hangup-operator' }),
  'out-of-service': at({ screen: 'out-of-service', reason: 'revoked' }, { stopped: true }),
  'out-of-service (disk)': at(
    { screen: 'out-of-service', reason: 'disk-full' },
    { stopped: true, passingStop: 'disk-full' },
  ),
  'handset-off-hook': at({ screen: 'handset-off-hook' }, { offHook: true, handsetOk: true }),
  'checked-in-offline': at({ screen: 'checked-in-offline' }, { offlineBookingId: 'b1' }),
  'callback-entry': at({ screen: 'callback-entry', digits: '' }),
  'callback-entry (queue)': at(
    { screen: 'callback-entry', digits: '', inQueue: true },
    { callId: 'c1', queued: { screen: 'waiting', kind: 'walk-in' } },
  ),
  'callback-done': at({ screen: 'callback-done' }),
};

/** One sample of every input, the matrix's columns, in this order. */
const COLUMNS: [string, KioskInput][] = [
  ['open', { type: 'open-code-entry' }],
  ['code ok', { type: 'submit-code', code: validCode }],
  ['code short', { type: 'submit-code', code: '123' }],
  ['walk-in', { type: 'start-walk-in' }],
  ['hang-up', { type: 'hang-up' }],
  ['back', { type: 'back' }],
  ['call me', { type: 'request-callback' }],
  ['key 5', { type: 'key', key: '5' }],
  ['key #', { type: 'key', key: 'enter' }],
  ['lift', { type: 'hook', offHook: true }],
  ['put down', { type: 'hook', offHook: false }],
  ['handset', { type: 'handset', ok: true }],
  ['timeout', { type: 'timeout' }],
  [
    'checked ok',
    {
      type: 'code-checked',
      attempt: 1,
      verdict: { ok: true, bookingId: 'b1', checkInKey: 'k1', codeHash: H },
    },
  ],
  ['checked no', { type: 'code-checked', attempt: 1, verdict: { ok: false, reason: 'unknown' } }],
  ['answer ok', { type: 'call-answer', attempt: 1, answer: { ok: true, callId: 'c1' } }],
  [
    'answer down',
    { type: 'call-answer', attempt: 1, answer: { ok: false, reason: 'unavailable', refused: false } },
  ],
  ['upgraded', { type: 'upgrade-answer', attempt: 1, answer: { ok: true, callId: 'c1' } }],
  ['accepted', { type: 'call-accepted', call: { callId: 'c1', mediaToken: 'm', operatorName: 'Giulia' } }],
  ['ended', { type: 'call-ended', callId: 'c1', reason: 'hangup-operator' }],
  ['status', { type: 'queue-status', status: status() }],
  ['offer', { type: 'callback-offer', callId: 'c1' }],
  ['truth none', { type: 'session', session: { call: null } }],
  [
    'truth queued',
    { type: 'session', session: { call: { phase: 'queued', callId: 'c1', status: status() } } },
  ],
  [
    'truth talking',
    {
      type: 'session',
      session: { call: { phase: 'in-call', callId: 'c1', mediaToken: 'm', operatorName: 'G' } },
    },
  ],
  ['offline', { type: 'online', online: false }],
  ['revoked', { type: 'out-of-service', reason: 'revoked' }],
  ['disk full', { type: 'out-of-service', reason: 'disk-full', passing: true }],
  ['disk freed', { type: 'resume', reason: 'disk-full' }],
];

const CODES: Record<string, ScreenName> = {
  id: 'idle',
  ce: 'code-entry',
  ck: 'checking',
  rj: 'rejected',
  wt: 'waiting',
  ic: 'in-call',
  en: 'ended',
  os: 'out-of-service',
  oh: 'handset-off-hook',
  co: 'checked-in-offline',
  cb: 'callback-entry',
  cd: 'callback-done',
};

/**
 * The expected next screen for each row × column ('..' = the same screen). Read a row as "on this
 * screen, this input leads there"; the columns are COLUMNS in order, the codes are CODES.
 */
// prettier-ignore
const EXPECTED_TABLE = `
screen                 | open cdok cdsh walk hang back call k5   k#   lift down hset tout chok chno anok andn upgr acc  end  stat offr tnon tque ttlk offl revk disk resm
idle                   | ce   ck   rj   wt   ..   ..   ..   ce   wt   wt   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   wt   ic   ..   os   os   ..
code-entry             | ..   ck   rj   wt   ..   id   ..   ..   rj   ..   ..   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
checking (code)        | ..   ..   ..   wt   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   rj   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
checking (call)        | ..   ..   ..   wt   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   wt   co   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
rejected               | ce   ck   rj   wt   ..   id   ..   ce   wt   wt   ..   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
waiting (asked)        | ..   ..   ..   ..   en   ..   ..   ..   ..   ..   en   ..   ..   ..   ..   ..   rj   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
waiting walk-in        | ..   ..   ..   ..   en   ..   cb   ..   cb   ..   en   ..   ..   ..   ..   ..   ..   ..   ic   en   ..   ..   en   ..   ic   ..   os   os   ..
waiting (code)         | ..   ..   ..   ..   en   ..   cb   ..   ..   ..   en   ..   ..   ..   ..   ..   ..   ..   ic   en   ..   ..   en   ..   ic   ..   os   os   ..
waiting (upgrade)      | ..   ..   ..   ..   en   ..   cb   ..   cb   ..   en   ..   ..   ..   ..   ..   ..   wt   ic   en   ..   ..   en   ..   ic   ..   os   os   ..
waiting booked         | ..   ..   ..   ..   en   ..   cb   ..   cb   ..   en   ..   ..   ..   ..   ..   ..   ..   ic   en   ..   ..   en   ..   ic   ..   os   os   ..
in-call                | ..   ..   ..   ..   en   ..   ..   ..   ..   ..   en   ..   ..   ..   ..   ..   ..   ..   ..   en   ..   ..   en   wt   ..   ..   os   os   ..
ended                  | ce   ck   rj   wt   ..   id   ..   ce   wt   wt   ..   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   wt   ic   ..   os   os   ..
out-of-service         | ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..
out-of-service (disk)  | ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   id
handset-off-hook       | ce   ck   rj   wt   ..   id   ..   ce   wt   wt   id   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   wt   ic   ..   os   os   ..
checked-in-offline     | ..   ..   ..   ..   ..   id   cb   cb   cb   ..   ..   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
callback-entry         | ..   ..   ..   ..   ..   id   ..   ..   ..   ..   ..   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
callback-entry (queue) | ..   ..   ..   ..   en   wt   ..   ..   ..   ..   en   ..   wt   ..   ..   ..   ..   ..   ic   en   ..   ..   en   ..   ic   ..   os   os   ..
callback-done          | ce   ck   rj   wt   ..   id   ..   ce   wt   wt   ..   ..   id   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   ..   os   os   ..
`;
const EXPECTED: Record<string, string[]> = Object.fromEntries(
  EXPECTED_TABLE.trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [name, codes] = line.split('|');
      return [name!.trim(), codes!.trim().split(/\s+/)];
    }),
);

function run(state: MachineState, ...inputs: KioskInput[]): { state: MachineState; effects: KioskEffect[] } {
  const effects: KioskEffect[] = [];
  for (const input of inputs) {
    const t = step(state, input);
    state = t.state;
    effects.push(...t.effects);
  }
  return { state, effects };
}

describe('the kiosk machine', () => {
  test('the matrix: every screen with every input leads where the table says, to a valid screen', () => {
    const names = new Set(Object.values(ROWS).map((r) => r.screen.screen));
    assert.deepEqual(
      [...names].sort(),
      (Object.keys(SCREENS) as ScreenName[]).sort(),
      'every screen has a row',
    );
    const failures: string[] = [];
    for (const [row, state] of Object.entries(ROWS)) {
      const expected = EXPECTED[row]!;
      assert.equal(expected.length, COLUMNS.length, `row ${row} has one entry per input`);
      COLUMNS.forEach(([column, input], i) => {
        const t = step(state, input);
        const want = expected[i] === '..' ? state.screen.screen : CODES[expected[i]!];
        if (t.state.screen.screen !== want)
          failures.push(`${row} × ${column}: ${t.state.screen.screen}, want ${want}`);
        const parsed = kioskScreenSchema.safeParse(t.state.screen);
        if (!parsed.success)
          failures.push(`${row} × ${column}: invalid screen ${JSON.stringify(t.state.screen)}`);
      });
    }
    assert.deepEqual(failures, []);
  });

  test('the idle-like and in-call lists come from the table', () => {
    assert.deepEqual([...IDLE_LIKE_SCREENS].sort(), [
      'callback-done',
      'ended',
      'handset-off-hook',
      'idle',
      'rejected',
    ]);
    assert.deepEqual([...IN_CALL_SCREENS].sort(), ['in-call', 'waiting']);
  });

  test('attempt ids: an answer to a superseded call request is dropped, and the call it opened is hung up', () => {
    // Walk-in asked, the citizen hangs up before the answer, then the answer opens a call.
    const { state, effects } = run(
      base,
      { type: 'start-walk-in' },
      { type: 'hang-up' },
      { type: 'call-answer', attempt: 1, answer: { ok: true, callId: 'late' } },
    );
    assert.equal(state.screen.screen, 'ended');
    assert.deepEqual(effects.at(-1), { type: 'hang-up', callId: 'late' });
    // A code verdict for an old attempt changes nothing.
    const checking = run(base, { type: 'submit-code', code: validCode }, { type: 'back' });
    const stale = step(checking.state, {
      type: 'code-checked',
      attempt: 0,
      verdict: { ok: true, bookingId: 'b', checkInKey: 'k', codeHash: H },
    });
    assert.deepEqual(stale.effects, []);
  });

  test('Q-7 the handset lifted: the walk-in call starts at once; a code and # make the same item the booked call', () => {
    let r = run(base, { type: 'hook', offHook: true });
    assert.deepEqual(r.state.screen, { screen: 'waiting', kind: 'walk-in' });
    assert.deepEqual(r.effects, [{ type: 'request-call', attempt: 1, req: { kind: 'walk-in' } }]);
    r = run(r.state, { type: 'call-answer', attempt: 1, answer: { ok: true, callId: 'c1' } });
    const keys = [...validCode].map((key) => ({ type: 'key', key }) as KioskInput);
    r = run(r.state, ...keys);
    assert.equal(r.state.screen.screen === 'waiting' && r.state.screen.digits, validCode);
    r = run(r.state, { type: 'key', key: 'enter' });
    assert.deepEqual(r.effects, [{ type: 'check-code', attempt: 2, code: validCode }]);
    r = run(r.state, {
      type: 'code-checked',
      attempt: 2,
      verdict: { ok: true, bookingId: 'b1', checkInKey: 'k1', codeHash: H },
    });
    assert.deepEqual(r.effects, [
      { type: 'upgrade-call', attempt: 3, callId: 'c1', bookingId: 'b1', checkInKey: 'k1', codeHash: H },
    ]);
    r = run(r.state, { type: 'upgrade-answer', attempt: 3, answer: { ok: true, callId: 'c1' } });
    assert.deepEqual(r.state.screen, { screen: 'waiting', kind: 'booked' });
  });

  test('fast setup: the answer to the request brings the room token onto the waiting screen, kept through queue updates', () => {
    let r = run(base, { type: 'hook', offHook: true });
    r = run(r.state, {
      type: 'call-answer',
      attempt: 1,
      answer: { ok: true, callId: 'c1', mediaToken: 'w' },
    });
    const media = { callId: 'c1', serverUrl: 'http://server', token: 'w' };
    assert.deepEqual(r.state.screen, { screen: 'waiting', kind: 'walk-in', media });
    r = run(r.state, {
      type: 'queue-status',
      status: {
        callId: 'c1',
        kind: 'walk-in',
        phase: 'ringing',
        position: 1,
        estimatedWaitSeconds: 0,
        waitedSeconds: 3,
        callbackOffered: false,
      },
    });
    assert.deepEqual(r.state.screen.screen === 'waiting' && r.state.screen.media, media);
    // Without a token (the server could not make the room yet) the page joins on the answer.
    r = run(run(base, { type: 'hook', offHook: true }).state, {
      type: 'call-answer',
      attempt: 1,
      answer: { ok: true, callId: 'c2' },
    });
    assert.deepEqual(r.state.screen, { screen: 'waiting', kind: 'walk-in' });
  });

  test('Q-7 a code confirmed before the walk-in request is answered: a booked request replaces it', () => {
    let r = run(
      base,
      { type: 'hook', offHook: true },
      ...[...validCode].map((key) => ({ type: 'key', key }) as KioskInput),
    );
    r = run(r.state, { type: 'key', key: 'enter' });
    r = run(r.state, {
      type: 'code-checked',
      attempt: 2,
      verdict: { ok: true, bookingId: 'b1', checkInKey: 'k1', codeHash: H },
    });
    assert.deepEqual(r.effects.at(-1), {
      type: 'request-call',
      attempt: 3,
      req: { kind: 'booked', bookingId: 'b1', checkInKey: 'k1', codeHash: H },
    });
    // The walk-in's answer comes late: that call is hung up, the booked one is awaited.
    r = run(r.state, { type: 'call-answer', attempt: 1, answer: { ok: true, callId: 'walk' } });
    assert.deepEqual(r.effects, [{ type: 'hang-up', callId: 'walk' }]);
    r = run(r.state, { type: 'call-answer', attempt: 3, answer: { ok: true, callId: 'booked' } });
    assert.deepEqual(r.state.screen, { screen: 'waiting', kind: 'booked' });
    assert.equal(r.state.ctx.callId, 'booked');
  });

  test('Q-7 a wrong code while waiting: told on the waiting screen, still in the queue as a walk-in', () => {
    const waiting = at(queuedWalkIn, { callId: 'c1' });
    const r = run(
      waiting,
      { type: 'key', key: '1' },
      { type: 'key', key: '2' },
      { type: 'key', key: 'enter' },
    );
    assert.deepEqual(r.state.screen, { screen: 'waiting', kind: 'walk-in', codeError: 'incomplete' });
    assert.deepEqual(r.effects, []);
    assert.equal(r.state.ctx.callId, 'c1');
  });

  test('Q-6 the queue status updates the waiting screen; Q-5 the offer after the maximum wait stays', () => {
    let r = run(at(queuedWalkIn, { callId: 'c1' }), {
      type: 'queue-status',
      status: status({ position: 2 }),
    });
    assert.deepEqual(r.state.screen, {
      screen: 'waiting',
      kind: 'walk-in',
      queue: { phase: 'waiting', position: 2, estimatedWaitSeconds: 240 },
    });
    r = run(
      r.state,
      { type: 'callback-offer', callId: 'c1' },
      { type: 'queue-status', status: status({ position: 1 }) },
    );
    assert.equal(r.state.screen.screen === 'waiting' && r.state.screen.callbackOffered, true);
    // Another item's status is not ours.
    const other = step(r.state, { type: 'queue-status', status: status({ callId: 'c2', position: 9 }) });
    assert.equal(other.state.screen, r.state.screen);
  });

  test('Q-6 a queue status that overtakes the answer to a booked request is shown with that answer', () => {
    let r = run(ROWS['checking (call)']!, {
      type: 'queue-status',
      status: status({ kind: 'booked', phase: 'grace' }),
    });
    assert.equal(r.state.screen.screen, 'checking');
    r = run(r.state, { type: 'call-answer', attempt: 1, answer: { ok: true, callId: 'c1' } });
    assert.deepEqual(r.state.screen, {
      screen: 'waiting',
      kind: 'booked',
      queue: { phase: 'grace', position: 3, estimatedWaitSeconds: 240 },
    });
  });

  test('Q-5 call me back instead: the number goes with the call, the screen confirms, the citizen is forgotten', () => {
    const waiting = at({ screen: 'waiting', kind: 'booked' }, { callId: 'c1', bookingId: 'b1' });
    const digits = [...'3331234567'].map((key) => ({ type: 'key', key }) as KioskInput);
    const r = run(waiting, { type: 'request-callback' }, ...digits, { type: 'key', key: 'enter' });
    assert.deepEqual(r.state.screen, { screen: 'callback-done' });
    assert.deepEqual(r.effects, [{ type: 'callback', phone: '3331234567', bookingId: 'b1', callId: 'c1' }]);
    assert.equal(r.state.ctx.callId, undefined);
    assert.equal(r.state.ctx.bookingId, undefined);
  });

  test('the call-back entry from the queue: Back and the timer return to waiting; an answer while typing is taken', () => {
    const waiting = at(
      {
        screen: 'waiting',
        kind: 'walk-in',
        queue: { phase: 'waiting', position: 2, estimatedWaitSeconds: 60 },
      },
      { callId: 'c1' },
    );
    const typing = run(waiting, { type: 'key', key: 'enter' }, { type: 'key', key: '3' }).state;
    assert.deepEqual(run(typing, { type: 'back' }).state.screen, waiting.screen);
    assert.deepEqual(run(typing, { type: 'timeout' }).state.screen, waiting.screen);
    const updated = run(
      typing,
      { type: 'queue-status', status: status({ position: 1 }) },
      { type: 'back' },
    ).state;
    assert.equal(updated.screen.screen === 'waiting' && updated.screen.queue?.position, 1);
    const accepted = step(typing, {
      type: 'call-accepted',
      call: { callId: 'c1', mediaToken: 'm', operatorName: 'G' },
    });
    assert.equal(accepted.state.screen.screen, 'in-call');
    const hungUp = step(typing, { type: 'hook', offHook: false });
    assert.deepEqual(hungUp.effects, [{ type: 'hang-up', callId: 'c1' }]);
  });

  test('W-3 a call lost to the network offers a call-back on its end screen; another end does not', () => {
    const lost = at({ screen: 'ended', reason: 'connection-lost' });
    const asked = run(lost, { type: 'request-callback' }, { type: 'key', key: '3' });
    assert.deepEqual(asked.state.screen, { screen: 'callback-entry', digits: '3' });
    const hungUp = step(ROWS['ended']!, { type: 'request-callback' });
    assert.equal(hungUp.state.screen.screen, 'ended', 'no offer after a hang-up');
  });

  test("the server's truth: a call it no longer has ends the screen; one it has is taken up at idle, hung up mid-entry", () => {
    const inCall = ROWS['in-call']!;
    assert.deepEqual(step(inCall, { type: 'session', session: { call: null } }).state.screen, {
      screen: 'ended',
      reason: 'connection-lost',
    });
    const talking = {
      type: 'session',
      session: { call: { phase: 'in-call', callId: 'c9', mediaToken: 'm', operatorName: 'G' } },
    } as const;
    const adopted = step(base, talking);
    assert.deepEqual(adopted.state.screen, {
      screen: 'in-call',
      operatorName: 'G',
      media: { callId: 'c9', serverUrl: 'http://server', token: 'm' },
    });
    const typing = step(ROWS['code-entry']!, talking);
    assert.equal(typing.state.screen.screen, 'code-entry');
    assert.deepEqual(typing.effects, [{ type: 'hang-up', callId: 'c9' }]);
    // While our own request is on its way, the truth waits for its answer.
    assert.deepEqual(step(ROWS['waiting (asked)']!, talking).effects, []);
    // The same call told again (a reconnect, or the page asked for a token): only the fresh media
    // token is taken (tokens are single-use); the same token changes nothing.
    const again = (mediaToken: string) =>
      ({
        type: 'session',
        session: { call: { phase: 'in-call', callId: 'c9', mediaToken, operatorName: 'G' } },
      }) as const;
    const renewed = step(adopted.state, again('m2'));
    assert.deepEqual(renewed.state.screen, {
      screen: 'in-call',
      operatorName: 'G',
      media: { callId: 'c9', serverUrl: 'http://server', token: 'm2' },
    });
    assert.deepEqual(renewed.effects, []);
    assert.deepEqual(step(adopted.state, again('m')).state.screen, adopted.state.screen, 'the same token');
  });

  test('out of service hangs up the call and then takes no input', () => {
    const r = step(ROWS['in-call']!, { type: 'out-of-service', reason: 'revoked' });
    assert.deepEqual(r.effects, [{ type: 'hang-up', callId: 'c1' }]);
    for (const [, input] of COLUMNS) assert.equal(step(r.state, input).state, r.state);
  });
});
