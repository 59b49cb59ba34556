// U-4 geometry: the reach band of the documented profiles on their layouts' viewports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCREEN_PROFILES } from '@sportello/protocol';
import { KIOSK_SCREEN_IDS, reachBand } from './screens.ts';

test('U-4 the 32" floor totem in portrait: the top quarter is out of reach, targets of 2 cm are 55 px', () => {
  const b = reachBand(SCREEN_PROFILES['floor-portrait-32'], { width: 1080, height: 1920 });
  assert.ok(Math.abs(b.pxPerMm - 1080 / 398) < 1e-9);
  assert.equal(b.minTargetPx, Math.ceil(20 * (1080 / 398)));
  // Top edge 700 + 708 = 1408 mm above the floor; 1 220 mm is the highest reach: 188 mm above it.
  assert.ok(Math.abs(b.topPx - 188 * (1080 / 398)) < 1e-6);
  // The lower edge (700 mm) is above the lowest reach (380 mm): reachable to the bottom.
  assert.equal(b.bottomPx, 1920);
});

test('U-4 the 24" wall totem in landscape: all of it is in reach', () => {
  const b = reachBand(SCREEN_PROFILES['wall-landscape-24'], { width: 1920, height: 1080 });
  assert.equal(b.topPx, 0);
  assert.equal(b.bottomPx, 1080);
  assert.equal(b.minTargetPx, Math.ceil(20 * (1920 / 531)));
});

test('U-4 a display mounted low: the rows below 380 mm are out of reach', () => {
  const p = { ...SCREEN_PROFILES['floor-portrait-32'], bottomAboveFloorMm: 200 };
  const b = reachBand(p, { width: 1080, height: 1920 });
  const mm = 1080 / 398;
  assert.ok(Math.abs(b.bottomPx - (908 - 380) * mm) < 1e-6);
  assert.equal(b.topPx, 0);
});

test('the screen ids are unique', () => {
  assert.equal(new Set(KIOSK_SCREEN_IDS).size, KIOSK_SCREEN_IDS.length);
});
