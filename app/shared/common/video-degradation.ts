// Video degradation (W-5), pure: given what a page measures of its own uplink once a second, how
// much video the link should carry. Audio is never touched: it is Opus with in-band FEC and DTX at
// a bitrate that fits 150 kbit/s. The way down is quick (a few bad samples in a row); the way up is
// a probe after a quiet hold, one level at a time, and each probe that fails soon doubles the hold,
// so a link that cannot carry video settles on audio instead of flapping.
//
// The browser's bandwidth estimate only measures the link when the page sends more than the link
// carries: at full video, and once the estimate has had time to ramp up (after the call starts or
// video comes back). At 'low' and 'paused' the page sends little, the estimate stays near what it
// sends, and only the loss counts.
import type { VideoLevel } from '@sportello/protocol';

/** One measurement of the page's own link; null where the browser gave no figure. */
export interface LinkSample {
  /** The clock of the caller, ms. */
  atMs: number;
  /** Fraction (0–1) of the page's packets the SFU reported lost in its latest receiver reports. */
  loss: number | null;
  /** The browser's estimate of the bandwidth it may send with, kbit/s. */
  bandwidthKbps: number | null;
}

export interface DegradationRules {
  /** Below this estimate, or at this loss or more, video pauses. */
  pauseBelowKbps: number;
  pauseAtLoss: number;
  /** Below this estimate, or at this loss or more, only the lowest simulcast layer is sent. */
  lowBelowKbps: number;
  lowAtLoss: number;
  /** Samples in a row that must be worse than the level before it goes down. */
  badSamplesToDrop: number;
  /** A step up needs this loss or less for the whole hold... */
  recoverBelowLoss: number;
  /** After the first sample and after each return to full video, ms before the estimate counts. */
  rampMs: number;
  /** First hold before a step up, ms; doubled after each step up that fails within flapWindowMs. */
  holdMs: number;
  maxHoldMs: number;
  flapWindowMs: number;
}

export const DEFAULT_DEGRADATION_RULES: DegradationRules = {
  pauseBelowKbps: 200,
  pauseAtLoss: 0.08,
  lowBelowKbps: 400,
  lowAtLoss: 0.03,
  badSamplesToDrop: 4,
  recoverBelowLoss: 0.02,
  rampMs: 15_000,
  holdMs: 8_000,
  maxHoldMs: 64_000,
  flapWindowMs: 30_000,
};

/**
 * The rules with some replaced: numbers only, each finite and not negative, the rest ignored (the
 * override comes from outside the code, see pageDegradationRules()).
 */
export function degradationRulesWith(override: unknown): DegradationRules {
  const rules: DegradationRules = { ...DEFAULT_DEGRADATION_RULES };
  if (typeof override !== 'object' || override === null) return rules;
  for (const key of Object.keys(rules) as (keyof DegradationRules)[]) {
    const v = (override as Record<string, unknown>)[key];
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) rules[key] = v;
  }
  return rules;
}

export interface DegradationState {
  level: VideoLevel;
  /** Bad samples in a row, and the worst level they asked for. */
  badStreak: number;
  worstAsked: VideoLevel;
  /** Since when the link has been good enough for a step up; null when it is not. */
  goodSinceMs: number | null;
  holdMs: number;
  /** When the last step up happened (a drop soon after it is a failed probe). */
  lastRaiseAtMs: number | null;
  /** Level changes so far, for diagnostics and the test's bound on flapping. */
  switches: number;
  /** From when the bandwidth estimate counts (null before the first sample). */
  bandwidthFromMs: number | null;
}

const RANK: Record<VideoLevel, number> = { full: 0, low: 1, paused: 2 };
const UP: Record<VideoLevel, VideoLevel> = { paused: 'low', low: 'full', full: 'full' };

export function initialDegradation(rules: DegradationRules = DEFAULT_DEGRADATION_RULES): DegradationState {
  return {
    level: 'full',
    badStreak: 0,
    worstAsked: 'full',
    goodSinceMs: null,
    holdMs: rules.holdMs,
    lastRaiseAtMs: null,
    switches: 0,
    bandwidthFromMs: null,
  };
}

/** The level a sample alone asks for. */
export function levelFor(sample: LinkSample, rules: DegradationRules): VideoLevel {
  const { loss, bandwidthKbps: bw } = sample;
  if ((loss !== null && loss >= rules.pauseAtLoss) || (bw !== null && bw < rules.pauseBelowKbps))
    return 'paused';
  if ((loss !== null && loss >= rules.lowAtLoss) || (bw !== null && bw < rules.lowBelowKbps)) return 'low';
  return 'full';
}

/** Whether a sample allows a step up: only the loss says so (see the top of the file). */
function goodForStepUp(sample: LinkSample, rules: DegradationRules): boolean {
  return sample.loss === null || sample.loss <= rules.recoverBelowLoss;
}

/**
 * After an outage (nothing heard for seconds: the media recovery's, not a thin link's): the bad
 * samples before it are forgotten, and the browser's estimate, which fell while no feedback came,
 * does not count until it has ramped up again, as after the call's start. The level is kept.
 */
export function afterOutage(
  previous: DegradationState,
  atMs: number,
  rules: DegradationRules = DEFAULT_DEGRADATION_RULES,
): DegradationState {
  return { ...previous, badStreak: 0, worstAsked: previous.level, bandwidthFromMs: atMs + rules.rampMs };
}

/** The next state after one sample. */
export function nextDegradation(
  previous: DegradationState,
  sample: LinkSample,
  rules: DegradationRules = DEFAULT_DEGRADATION_RULES,
): DegradationState {
  const bandwidthFromMs = previous.bandwidthFromMs ?? sample.atMs + rules.rampMs;
  const state = { ...previous, bandwidthFromMs };
  const judged =
    state.level === 'full' && sample.atMs >= bandwidthFromMs ? sample : { ...sample, bandwidthKbps: null };
  // Nothing to judge: no new receiver report (they come every second or so for video, every few
  // seconds for audio: link-sample.ts counts each once) and no estimate that counts. Such a sample
  // is no news, neither good nor bad: a streak of bad samples goes on, a hold goes on running.
  if (judged.loss === null && judged.bandwidthKbps === null) return state;
  const asked = levelFor(judged, rules);
  if (RANK[asked] > RANK[state.level]) {
    const badStreak = state.badStreak + 1;
    const worstAsked = RANK[asked] > RANK[state.worstAsked] ? asked : state.worstAsked;
    if (badStreak < rules.badSamplesToDrop) return { ...state, badStreak, worstAsked, goodSinceMs: null };
    // The probe up failed soon after it was made: wait longer before the next one.
    const failedProbe =
      state.lastRaiseAtMs !== null && sample.atMs - state.lastRaiseAtMs <= rules.flapWindowMs;
    return {
      ...state,
      level: worstAsked,
      badStreak: 0,
      worstAsked: 'full',
      goodSinceMs: null,
      holdMs: failedProbe ? Math.min(state.holdMs * 2, rules.maxHoldMs) : state.holdMs,
      switches: state.switches + 1,
    };
  }
  const calm: DegradationState = { ...state, badStreak: 0, worstAsked: 'full' };
  // A long stable stretch at full video forgets past failures.
  if (
    state.level === 'full' &&
    state.lastRaiseAtMs !== null &&
    sample.atMs - state.lastRaiseAtMs > rules.maxHoldMs
  ) {
    calm.holdMs = rules.holdMs;
  }
  if (state.level === 'full') return calm;
  if (!goodForStepUp(sample, rules)) return { ...calm, goodSinceMs: null };
  const since = state.goodSinceMs ?? sample.atMs;
  if (sample.atMs - since < state.holdMs) return { ...calm, goodSinceMs: since };
  const level = UP[state.level];
  return {
    ...calm,
    level,
    goodSinceMs: null,
    lastRaiseAtMs: sample.atMs,
    switches: state.switches + 1,
    bandwidthFromMs: level === 'full' ? sample.atMs + rules.rampMs : state.bandwidthFromMs,
  };
}
