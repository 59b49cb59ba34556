// The page's media health as a table: every combination of the facts it judges from, so that a
// side that paused both its microphone and camera never looks "reconnecting" to the other side,
// while a broken path still does, paused or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeHealth, type HealthFacts, type MediaHealth } from '../common/media-health.ts';

// flowed, mediaStalled, pathBroken, pausedByPerson → health
const TABLE: [boolean, boolean, boolean, boolean, MediaHealth][] = [
  [false, false, false, false, 'connecting'],
  [false, true, false, false, 'connecting'],
  [false, false, true, false, 'connecting'],
  [false, true, true, true, 'connecting'],
  [true, false, false, false, 'flowing'],
  [true, true, false, false, 'reconnecting'], // stalled while the other side sends: the network
  [true, true, false, true, 'flowing'], // stalled because its person paused everything
  [true, false, false, true, 'flowing'],
  [true, false, true, false, 'reconnecting'],
  [true, false, true, true, 'reconnecting'], // paused, but ICE lost the path: still the network
  [true, true, true, false, 'reconnecting'],
  [true, true, true, true, 'reconnecting'],
];

test('W-4 media health: paused by the person is not a stall; a broken path is reconnecting, paused or not', () => {
  assert.equal(TABLE.length, 12);
  const seen = new Set<string>();
  for (const [flowed, mediaStalled, pathBroken, pausedByPerson, want] of TABLE) {
    const facts: HealthFacts = { flowed, mediaStalled, pathBroken, pausedByPerson };
    seen.add(JSON.stringify(facts));
    assert.equal(judgeHealth(facts), want, JSON.stringify(facts));
  }
  // Every combination once flowed is in the table.
  for (let i = 0; i < 8; i++) {
    const facts = { flowed: true, mediaStalled: !!(i & 1), pathBroken: !!(i & 2), pausedByPerson: !!(i & 4) };
    assert.ok(seen.has(JSON.stringify(facts)), JSON.stringify(facts));
  }
});
