// Watches the page's own uplink once a second (W-5): the loss the SFU reports in its receiver
// reports and the browser's send bandwidth estimate, fed to the pure policy in
// common/video-degradation.ts. Each change of level is carried out by the room client (local
// producer, then the server); one that fails is tried again at the next sample.
import type { VideoLevel } from '@sportello/protocol';
import type { types } from 'mediasoup-client';
import { VIDEO_ENCODINGS } from './media-options.ts';
import {
  degradationRulesWith,
  afterOutage,
  initialDegradation,
  nextDegradation,
  type DegradationRules,
  type DegradationState,
  type LinkSample,
} from '../common/video-degradation.ts';
import { OutageFilter } from '../common/link-outage.ts';
import { feedbackBytes, LinkSampler } from '../common/link-sample.ts';

/**
 * The policy's rules for this page: the defaults, with any set on `window.sportelloDegradationRules`
 * before the page's script runs. The W-5 test sets shorter holds there, so that a recovery takes
 * seconds instead of minutes while the same hysteresis is checked against the same numbers.
 */
export function pageDegradationRules(): DegradationRules {
  return degradationRulesWith(
    (globalThis as { sportelloDegradationRules?: unknown }).sportelloDegradationRules,
  );
}

/**
 * Carries out a level on the page's own video producer at once (a paused producer sends nothing,
 * which relieves the link before the server hears of it), then tells the server.
 */
export async function applyVideoLevel(
  video: types.Producer | undefined,
  level: VideoLevel,
  tellServer: () => Promise<unknown>,
): Promise<void> {
  if (video && !video.closed) {
    if (level === 'paused') video.pause();
    else {
      video.resume();
      await video.setMaxSpatialLayer(level === 'low' ? 0 : VIDEO_ENCODINGS.length - 1);
    }
  }
  await tellServer();
}

export interface LinkMonitorTarget {
  /** The send transport's stats, or undefined before it exists. */
  sendStats(): Promise<RTCStatsReport | undefined>;
  /** Carries out a level: the local producer, then the server. */
  applyVideoLevel(level: VideoLevel): Promise<void>;
}

export class LinkMonitor {
  private state: DegradationState;
  private applied: VideoLevel = 'full';
  private readonly sampler = new LinkSampler();
  private readonly outage = new OutageFilter();
  private timer: ReturnType<typeof setInterval> | undefined;
  private busy = false;
  /** The last level changes with the sample that caused each (diagnostics; bounded). */
  readonly changes: { level: VideoLevel; sample: LinkSample }[] = [];
  /** Called when the policy changes level (before it is applied). */
  onLevel: (level: VideoLevel) => void = () => {};

  constructor(
    private readonly target: LinkMonitorTarget,
    private readonly rules: DegradationRules = pageDegradationRules(),
    private readonly now: () => number = () => performance.now(),
    private readonly intervalMs = 1000,
  ) {
    this.state = initialDegradation(rules);
  }

  get level(): VideoLevel {
    return this.state.level;
  }

  get switches(): number {
    return this.state.switches;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const report = await this.target.sendStats();
      if (!report) return;
      const before = this.state.level;
      const sample = this.sampler.sample(report, this.now());
      const verdict = this.outage.next(feedbackBytes(report), sample.atMs);
      if (verdict === 'recovered') {
        this.sampler.outageEnded();
        this.state = afterOutage(this.state, sample.atMs, this.rules);
      }
      if (verdict === 'judge') this.state = nextDegradation(this.state, sample, this.rules);
      if (this.state.level !== before) {
        this.changes.push({ level: this.state.level, sample });
        if (this.changes.length > 20) this.changes.shift();
        this.onLevel(this.state.level);
      }
      if (this.applied !== this.state.level) {
        const level = this.state.level;
        await this.target.applyVideoLevel(level);
        this.applied = level;
      }
    } catch (err) {
      console.warn('video level not applied yet', err);
    } finally {
      this.busy = false;
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
