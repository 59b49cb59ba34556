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

type StatsEntry = {
  type: string;
  id: string;
  localId?: string;
  fractionLost?: number;
  packetsSent?: number;
  availableOutgoingBitrate?: number;
  nominated?: boolean;
  state?: string;
  selectedCandidatePairId?: string;
  bytesReceived?: number;
};

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

/** The selected candidate pair of a transport's stats. */
export function selectedPair(report: RTCStatsReport): StatsEntry | undefined {
  let selectedId: string | undefined;
  const pairs = new Map<string, StatsEntry>();
  report.forEach((s: StatsEntry) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) selectedId = s.selectedCandidatePairId;
    if (s.type === 'candidate-pair') pairs.set(s.id, s);
  });
  if (selectedId) return pairs.get(selectedId);
  return [...pairs.values()].find((p) => p.nominated && p.state === 'succeeded');
}

/**
 * One sample from the send transport's stats: the worst loss among the streams that sent packets
 * since the previous sample (a paused stream's last report is old news), and the estimate.
 */
export function sampleFromStats(
  report: RTCStatsReport,
  previousSent: Map<string, number>,
  atMs: number,
): LinkSample {
  const sentNow = new Map<string, number>();
  const remote: StatsEntry[] = [];
  report.forEach((s: StatsEntry) => {
    if (s.type === 'outbound-rtp') sentNow.set(s.id, s.packetsSent ?? 0);
    if (s.type === 'remote-inbound-rtp') remote.push(s);
  });
  let loss: number | null = null;
  for (const r of remote) {
    if (!r.localId || r.fractionLost === undefined) continue;
    const sent = sentNow.get(r.localId) ?? 0;
    if (sent <= (previousSent.get(r.localId) ?? 0)) continue;
    loss = Math.max(loss ?? 0, r.fractionLost);
  }
  previousSent.clear();
  for (const [id, n] of sentNow) previousSent.set(id, n);
  const bps = selectedPair(report)?.availableOutgoingBitrate;
  return { atMs, loss, bandwidthKbps: bps === undefined ? null : bps / 1000 };
}

/** Bytes the send transport has received (the SFU's feedback), or undefined without a figure. */
export function feedbackBytes(report: RTCStatsReport): number | undefined {
  const pair = selectedPair(report)?.bytesReceived;
  if (pair !== undefined) return pair;
  let transport: number | undefined;
  report.forEach((s: StatsEntry) => {
    if (s.type === 'transport' && s.bytesReceived !== undefined) transport = s.bytesReceived;
  });
  return transport;
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
  private readonly sent = new Map<string, number>();
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
      const sample = sampleFromStats(report, this.sent, this.now());
      const verdict = this.outage.next(feedbackBytes(report), sample.atMs);
      if (verdict === 'recovered') this.state = afterOutage(this.state, sample.atMs, this.rules);
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
