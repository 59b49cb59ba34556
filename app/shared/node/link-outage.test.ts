// W-1 against W-5 on a clock the test controls: a blackout is the media recovery's, not a thin link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTAGE_MS, OutageFilter } from '../common/link-outage.ts';
import { LinkSampler, type StatsEntry } from '../common/link-sample.ts';
import {
  DEFAULT_DEGRADATION_RULES as R,
  afterOutage,
  initialDegradation,
  nextDegradation,
} from '../common/video-degradation.ts';

test('W-1 a blackout is not a thin link: samples without feedback are skipped, and the first one after it', () => {
  const f = new OutageFilter();
  assert.equal(f.next(undefined, 0), 'judge', 'no figure: the sample is judged as before');
  assert.equal(f.next(1000, 1000), 'judge');
  assert.equal(f.next(2000, 2000), 'judge');
  // The blackout: nothing heard. Each stale sample is skipped; past OUTAGE_MS it is an outage.
  let at = 2000;
  for (; at < 2000 + OUTAGE_MS + 3000; at += 1000) assert.equal(f.next(2000, at + 1000), 'skip');
  // Back: the first sample reports the outage's loss and is not judged; the next ones are.
  assert.equal(f.next(2100, at + 1000), 'recovered');
  assert.equal(f.next(2200, at + 2000), 'judge');
  // One quiet second is skipped but is no outage: the next sample is judged.
  assert.equal(f.next(2200, at + 3000), 'skip');
  assert.equal(f.next(2300, at + 4000), 'judge');
  // A new candidate pair (ICE restart) counts from zero again: heard, not stale.
  assert.equal(f.next(50, at + 5000), 'judge');
});

test('W-1 after an outage the bad samples before it are forgotten and the estimate ramps again; the level is kept', () => {
  // The call's first sample starts the estimate's ramp; past it the estimate counts.
  let s = nextDegradation(initialDegradation(R), { atMs: 0, loss: 0, bandwidthKbps: 2000 });
  const at = R.rampMs + 1000;
  for (let i = 0; i < R.badSamplesToDrop - 1; i++)
    s = nextDegradation(s, { atMs: at + i * 1000, loss: 0, bandwidthKbps: 100 });
  assert.equal(s.level, 'full');
  assert.equal(s.badStreak, R.badSamplesToDrop - 1);
  const back = at + 10_000;
  s = afterOutage(s, back, R);
  assert.equal(s.level, 'full');
  assert.equal(s.badStreak, 0);
  // The estimate that fell while nothing was heard does not count during its ramp...
  for (let i = 1; i <= 5; i++) s = nextDegradation(s, { atMs: back + i * 1000, loss: 0, bandwidthKbps: 100 });
  assert.equal(s.level, 'full');
  // ...and the loss still does: a thin link after the outage is still found.
  for (let i = 6; i < 6 + R.badSamplesToDrop; i++)
    s = nextDegradation(s, { atMs: back + i * 1000, loss: 0.2, bandwidthKbps: null });
  assert.equal(s.level, 'paused');
});

/** A send transport's stats: one video stream and one audio stream, with their receiver reports. */
function stats(o: {
  videoSent: number;
  audioSent: number;
  videoReport: { n: number; lost: number; fraction: number };
  audioReport: { n: number; lost: number; fraction: number };
}) {
  const entries: StatsEntry[] = [
    { type: 'outbound-rtp', id: 'ov', packetsSent: o.videoSent },
    { type: 'outbound-rtp', id: 'oa', packetsSent: o.audioSent },
    {
      type: 'remote-inbound-rtp',
      id: 'rv',
      localId: 'ov',
      roundTripTimeMeasurements: o.videoReport.n,
      packetsLost: o.videoReport.lost,
      fractionLost: o.videoReport.fraction,
    },
    {
      type: 'remote-inbound-rtp',
      id: 'ra',
      localId: 'oa',
      roundTripTimeMeasurements: o.audioReport.n,
      packetsLost: o.audioReport.lost,
      fractionLost: o.audioReport.fraction,
    },
  ];
  return { forEach: (fn: (e: StatsEntry) => void) => entries.forEach(fn) };
}

test('W-1 a receiver report counts once: the browser keeps the last one, and audio reports come seconds apart', () => {
  const s = new LinkSampler();
  const quiet = { n: 1, lost: 0, fraction: 0 };
  assert.equal(
    s.sample(stats({ videoSent: 10, audioSent: 10, videoReport: quiet, audioReport: quiet }), 0).loss,
    0,
  );
  // One audio report with 20% loss, then the same report read again for four seconds.
  const lossy = { n: 2, lost: 40, fraction: 0.2 };
  let t = 1000;
  let sent = 20;
  const first = s.sample(
    stats({ videoSent: sent, audioSent: sent, videoReport: quiet, audioReport: lossy }),
    t,
  );
  assert.equal(first.loss, 0.2, 'a new report is counted');
  for (let i = 0; i < 4; i++) {
    t += 1000;
    sent += 10;
    const again = s.sample(
      stats({ videoSent: sent, audioSent: sent, videoReport: quiet, audioReport: lossy }),
      t,
    );
    assert.equal(again.loss, null, `read again at ${t} ms: no news`);
  }
  // The policy takes such samples as no news: one bad report is still one bad sample.
  let state = nextDegradation(initialDegradation(R), { atMs: 0, loss: 0, bandwidthKbps: null });
  state = nextDegradation(state, first, R);
  for (let i = 0; i < R.badSamplesToDrop; i++)
    state = nextDegradation(state, { atMs: 2000 + i * 1000, loss: null, bandwidthKbps: null }, R);
  assert.equal(state.level, 'full');
  assert.equal(state.badStreak, 1, 'no news neither ends the streak nor adds to it');
});

test('W-1 the first report of each stream after an outage spans it and is not counted; the next ones are', () => {
  const s = new LinkSampler();
  const before = { n: 5, lost: 0, fraction: 0 };
  s.sample(stats({ videoSent: 100, audioSent: 100, videoReport: before, audioReport: before }), 0);
  // The path is back: this sample brought a new video report (it goes with the skipped sample).
  const videoSpanning = { n: 6, lost: 150, fraction: 0.8 };
  s.sample(stats({ videoSent: 110, audioSent: 110, videoReport: videoSpanning, audioReport: before }), 8000);
  s.outageEnded();
  // The audio's report spanning the outage comes seconds later: not counted.
  const audioSpanning = { n: 6, lost: 200, fraction: 0.85 };
  const late = s.sample(
    stats({ videoSent: 120, audioSent: 120, videoReport: videoSpanning, audioReport: audioSpanning }),
    12_000,
  );
  assert.equal(late.loss, null);
  // Reports of the path as it is now count again, good or bad.
  const thin = { n: 7, lost: 215, fraction: 0.1 };
  const now = s.sample(
    stats({ videoSent: 130, audioSent: 130, videoReport: thin, audioReport: audioSpanning }),
    13_000,
  );
  assert.equal(now.loss, 0.1);
});

test('W-5 a paused stream’s report is old news; a stream that sends again is counted', () => {
  const s = new LinkSampler();
  const r1 = { n: 1, lost: 0, fraction: 0 };
  s.sample(stats({ videoSent: 50, audioSent: 50, videoReport: r1, audioReport: r1 }), 0);
  const r2 = { n: 2, lost: 30, fraction: 0.5 };
  const paused = s.sample(stats({ videoSent: 50, audioSent: 60, videoReport: r2, audioReport: r1 }), 1000);
  assert.equal(paused.loss, null, 'the video sent nothing since: its report is not about the link now');
  const r3 = { n: 3, lost: 31, fraction: 0.02 };
  const back = s.sample(stats({ videoSent: 70, audioSent: 70, videoReport: r3, audioReport: r1 }), 2000);
  assert.equal(back.loss, 0.02);
});
