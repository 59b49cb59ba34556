// W-1 against W-5 on a clock the test controls: a blackout is the media recovery's, not a thin link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OUTAGE_MS, OutageFilter } from '../common/link-outage.ts';
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
