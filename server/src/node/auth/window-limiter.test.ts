// The fixed-window counters behind the per-address and per-totem limits, on a clock the test moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowLimiter } from './window-limiter.ts';

test('a key is allowed its hits per window, told how long to wait beyond, and starts afresh after', () => {
  let now = 1_000_000;
  const l = new WindowLimiter({ max: 3, windowMs: 60_000, nowMs: () => now });
  assert.deepEqual([l.hit('a'), l.hit('a'), l.hit('a')], [0, 0, 0]);
  assert.equal(l.blocked('a'), 60_000, 'at its limit: blocked, without counting');
  now += 20_000;
  assert.equal(l.hit('a'), 40_000, 'the fourth waits for the window to end');
  assert.equal(l.hit('b'), 0, 'other keys are not affected');
  now += 40_000;
  assert.equal(l.blocked('a'), 0);
  assert.equal(l.hit('a'), 0, 'a new window');
});

test('a flood of distinct keys cannot grow the map past its bound, and ended windows are dropped', () => {
  let now = 0;
  const l = new WindowLimiter({ max: 1, windowMs: 1000, nowMs: () => now, maxKeys: 100 });
  for (let i = 0; i < 1000; i++) l.hit(`k${i}`);
  assert.equal(l.size, 100);
  now += 5000;
  l.hit('fresh');
  assert.equal(l.size, 1);
});
