// W-5's decision logic on a clock the test controls: quick down, slow up, no flapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_DEGRADATION_RULES as R,
  degradationRulesWith,
  initialDegradation,
  levelFor,
  nextDegradation,
  type DegradationState,
  type LinkSample,
} from '../common/video-degradation.ts';

/** Feeds one sample a second from `fromMs` for `seconds`, returning the state and the levels seen. */
function feed(
  state: DegradationState,
  fromMs: number,
  seconds: number,
  sample: Omit<LinkSample, 'atMs'>,
): { state: DegradationState; atMs: number; levels: string[] } {
  const levels: string[] = [];
  let s = state;
  let at = fromMs;
  for (let i = 0; i < seconds; i++) {
    at += 1000;
    s = nextDegradation(s, { atMs: at, ...sample });
    levels.push(s.level);
  }
  return { state: s, atMs: at, levels };
}

const thin = { loss: 0.1, bandwidthKbps: 150 };
const clean = { loss: 0, bandwidthKbps: 2000 };

test('W-5 levels by threshold: loss or bandwidth; unknown figures ask for nothing', () => {
  assert.equal(levelFor({ atMs: 0, ...thin }, R), 'paused');
  assert.equal(levelFor({ atMs: 0, loss: 0.05, bandwidthKbps: null }, R), 'low');
  assert.equal(levelFor({ atMs: 0, loss: 0, bandwidthKbps: 300 }, R), 'low');
  assert.equal(levelFor({ atMs: 0, loss: 0, bandwidthKbps: 199 }, R), 'paused');
  assert.equal(levelFor({ atMs: 0, loss: null, bandwidthKbps: null }, R), 'full');
});

test('W-5 a thin link pauses video after a few bad samples; one bad sample is not enough', () => {
  let s = nextDegradation(initialDegradation(), { atMs: 1000, ...thin });
  s = nextDegradation(s, { atMs: 2000, ...clean });
  s = nextDegradation(s, { atMs: 3000, ...thin });
  assert.equal(s.level, 'full', 'a streak broken by a good sample');
  const r = feed(initialDegradation(), 0, R.badSamplesToDrop, thin);
  assert.equal(r.state.level, 'paused', 'straight to paused, not through low');
  assert.equal(r.state.switches, 1);
});

test('W-5 video comes back one level at a time after the hold, not before', () => {
  const down = feed(initialDegradation(), 0, 3, thin);
  const stillThin = feed(down.state, down.atMs, 60, thin);
  assert.ok(
    stillThin.levels.every((l) => l === 'paused'),
    'stays paused while the link is thin',
  );
  // The hold counts from the first good sample.
  const early = feed(stillThin.state, stillThin.atMs, R.holdMs / 1000, clean);
  assert.equal(early.state.level, 'paused', 'not before the hold');
  const low = feed(early.state, early.atMs, 1, clean);
  assert.equal(low.state.level, 'low');
  const full = feed(low.state, low.atMs, R.holdMs / 1000 + 1, clean);
  assert.equal(full.state.level, 'full');
  assert.equal(full.state.switches, 3, 'paused, low, full');
});

test('W-5 a link that cannot carry video settles: each failed probe doubles the hold (bounded switches)', () => {
  // A link that is fine while only audio flows and fails as soon as video is tried again.
  let s = feed(initialDegradation(), 0, 3, thin).state;
  let at = 3000;
  for (let i = 0; i < 600; i++) {
    at += 1000;
    s = nextDegradation(s, { atMs: at, ...(s.level === 'paused' ? clean : thin) });
  }
  // Ten minutes: holds of 8, 16, 32, 64, 64… s; each probe costs a few seconds of bad samples.
  assert.ok(s.switches <= 2 + 2 * 12, `switches ${s.switches}`);
  assert.equal(s.holdMs, R.maxHoldMs, 'the hold grew to its cap');
  // After a long stable stretch at full video, the hold is short again.
  const good = feed(s, at, 200, clean);
  assert.equal(good.state.level, 'full');
  assert.equal(good.state.holdMs, R.holdMs);
});

test('W-5 the bandwidth estimate counts only at full video, after it has had time to ramp', () => {
  const thinNoLoss = { loss: 0, bandwidthKbps: 150 };
  // The call starts: the estimate is still ramping up, so a low figure asks for nothing yet.
  const start = feed(initialDegradation(), 0, R.rampMs / 1000 - 1, thinNoLoss);
  assert.equal(start.state.level, 'full');
  const judged = feed(start.state, start.atMs, R.badSamplesToDrop + 1, thinNoLoss);
  assert.equal(judged.state.level, 'paused', 'at full video, a low estimate pauses it');
  // Paused, the page sends only audio: a low estimate says nothing and the loss alone brings video back.
  const low = feed(judged.state, judged.atMs, R.holdMs / 1000 + 1, { loss: 0, bandwidthKbps: 60 });
  assert.equal(low.state.level, 'low');
  const full = feed(low.state, low.atMs, R.holdMs / 1000 + 1, { loss: 0, bandwidthKbps: 170 });
  assert.equal(full.state.level, 'full');
  // Back at full video, the estimate ramps again before it is judged.
  const ramp = feed(full.state, full.atMs, R.rampMs / 1000 - 1, { loss: 0, bandwidthKbps: 250 });
  assert.equal(ramp.state.level, 'full');
  const ramped = feed(ramp.state, ramp.atMs, 30, { loss: 0, bandwidthKbps: 2000 });
  assert.equal(ramped.state.level, 'full');
});

test('W-5 rules replaced from outside: only known numbers, finite and not negative; the rest kept', () => {
  assert.deepEqual(degradationRulesWith(undefined), R);
  assert.deepEqual(degradationRulesWith('holdMs=1'), R);
  const r = degradationRulesWith({
    holdMs: 2000,
    maxHoldMs: 16_000,
    rampMs: -1,
    flapWindowMs: Infinity,
    x: 5,
  });
  assert.equal(r.holdMs, 2000);
  assert.equal(r.maxHoldMs, 16_000);
  assert.equal(r.rampMs, R.rampMs, 'a negative figure is ignored');
  assert.equal(r.flapWindowMs, R.flapWindowMs, 'an infinite one too');
  assert.equal('x' in r, false, 'unknown keys are not taken');
  assert.equal(R.holdMs, 8_000, 'the defaults are not changed');
});
