import { test } from 'node:test';
import assert from 'node:assert/strict';
import { READING_MODE_CYCLE, nextReadingModes } from './reading-modes.ts';

test('U-1 four * # steps visit every combination of the reading modes, one change at a time', () => {
  let m = READING_MODE_CYCLE[0]!;
  const seen = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const next = nextReadingModes(m);
    assert.equal(Number(next.contrast !== m.contrast) + Number(next.text !== m.text), 1, 'one mode changes');
    m = next;
    seen.add(JSON.stringify(m));
  }
  assert.equal(seen.size, 4);
  assert.deepEqual(m, { contrast: false, text: false }, 'back to none');
  assert.deepEqual(nextReadingModes({ contrast: false, text: false }), { contrast: false, text: true });
});
