// One sample of a page's own uplink from its send transport's stats (W-5), pure: the loss the SFU
// reported in its receiver reports, and the browser's send bandwidth estimate.
//
// A receiver report is counted once, in the sample where it arrived. The browser keeps the last
// report of each stream until the next one comes, and the SFU reports audio only every few seconds:
// read again each second, one bad report would count as several bad samples in a row, and the
// policy drops video after a few of those. The report that spans an outage (the first of each
// stream after the path came back) tells the outage's loss, not the link's, and is not counted.
import type { LinkSample } from './video-degradation.ts';

/** What the sampler reads of a stats entry (RTCStats, loosely: the browser's report as it is). */
export interface StatsEntry {
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
  /** remote-inbound-rtp: grows by one with each receiver report that measured a round trip. */
  roundTripTimeMeasurements?: number;
  /** remote-inbound-rtp: grows with each report of a stream that lost packets. */
  packetsLost?: number;
}

/** The stats of one transport, as RTCStatsReport gives them. */
export interface StatsReportLike {
  forEach(fn: (entry: StatsEntry) => void): void;
}

/** The selected candidate pair of a transport's stats. */
export function selectedPair(report: StatsReportLike): StatsEntry | undefined {
  let selectedId: string | undefined;
  const pairs = new Map<string, StatsEntry>();
  report.forEach((s) => {
    if (s.type === 'transport' && s.selectedCandidatePairId) selectedId = s.selectedCandidatePairId;
    if (s.type === 'candidate-pair') pairs.set(s.id, s);
  });
  if (selectedId) return pairs.get(selectedId);
  return [...pairs.values()].find((p) => p.nominated && p.state === 'succeeded');
}

/** Bytes the send transport has received (the SFU's feedback), or undefined without a figure. */
export function feedbackBytes(report: StatsReportLike): number | undefined {
  const pair = selectedPair(report)?.bytesReceived;
  if (pair !== undefined) return pair;
  let transport: number | undefined;
  report.forEach((s) => {
    if (s.type === 'transport' && s.bytesReceived !== undefined) transport = s.bytesReceived;
  });
  return transport;
}

/** What tells one receiver report from the next (the browser has no report counter as such). */
function reportMark(r: StatsEntry): string {
  return `${r.roundTripTimeMeasurements ?? ''}|${r.packetsLost ?? ''}|${r.fractionLost ?? ''}`;
}

export class LinkSampler {
  private readonly sent = new Map<string, number>();
  private readonly reports = new Map<string, string>();
  /** Streams whose next report spans an outage. */
  private spanning = new Set<string>();
  /** Streams whose report was new in the last sample. */
  private lastFresh = new Set<string>();

  /**
   * The sample: the worst loss among the streams that sent packets since the previous sample and
   * whose report is new (null if none), and the estimate.
   */
  sample(report: StatsReportLike, atMs: number): LinkSample {
    const sentNow = new Map<string, number>();
    const remote: StatsEntry[] = [];
    report.forEach((s) => {
      if (s.type === 'outbound-rtp') sentNow.set(s.id, s.packetsSent ?? 0);
      if (s.type === 'remote-inbound-rtp') remote.push(s);
    });
    let loss: number | null = null;
    this.lastFresh = new Set();
    for (const r of remote) {
      if (!r.localId || r.fractionLost === undefined) continue;
      const mark = reportMark(r);
      const fresh = this.reports.get(r.id) !== mark;
      this.reports.set(r.id, mark);
      if (!fresh) continue;
      this.lastFresh.add(r.id);
      if (this.spanning.delete(r.id)) continue;
      // A paused stream's last report is old news.
      const sent = sentNow.get(r.localId) ?? 0;
      if (sent <= (this.sent.get(r.localId) ?? 0)) continue;
      loss = Math.max(loss ?? 0, r.fractionLost);
    }
    this.sent.clear();
    for (const [id, n] of sentNow) this.sent.set(id, n);
    const bps = selectedPair(report)?.availableOutgoingBitrate;
    return { atMs, loss, bandwidthKbps: bps === undefined ? null : bps / 1000 };
  }

  /**
   * The path came back after an outage (the sample just taken said so, and is not judged). A
   * report that arrived in that sample was sent after the path came back: it spans the outage, and
   * went with the sample. Of every other stream, the next report spans it.
   */
  outageEnded(): void {
    this.spanning = new Set([...this.reports.keys()].filter((id) => !this.lastFresh.has(id)));
  }
}
