import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from './clock.ts';
import type { HandsetEvent } from './events.ts';
import { KeyGuard } from './key-guard.ts';
import { KeyboardKeypad, mapPageKey } from './keyboard-keypad.ts';

test('page keys map to keypad keys; everything else is ignored', () => {
  for (const key of ['0', '5', '9', '*', '#', 'Backspace', 'Enter']) assert.equal(mapPageKey({ key }), key);
  for (const key of ['a', 'F5', 'Escape', 'Tab', ' ', '£', '', '12', 'Delete'])
    assert.equal(mapPageKey({ key }), undefined);
  assert.equal(mapPageKey({ key: '1', ctrlKey: true }), undefined);
  assert.equal(mapPageKey({ key: '1', altKey: true }), undefined);
});

test('H-6 a held (auto-repeating) key counts once', () => {
  const keypad = new KeyboardKeypad(new FakeClock());
  const events: HandsetEvent[] = [];
  keypad.on('event', (e) => events.push(e));
  keypad.handle({ key: '7' });
  for (let i = 0; i < 100; i++) keypad.handle({ key: '7', repeat: true });
  assert.deepEqual(
    events.map((e) => e.type === 'key' && e.key),
    ['7'],
  );
  keypad.close();
  assert.equal(keypad.listenerCount(), 0);
});

test('H-6 C-6 a key flood is bounded by the key guard', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 0, max: 3 }), (count, msBetween) => {
      const clock = new FakeClock();
      const guard = new KeyGuard(clock, { maxKeysPerSecond: 12, burst: 12 });
      let passed = 0;
      for (let i = 0; i < count; i++) {
        if (guard.allow()) passed++;
        clock.advance(msBetween);
      }
      const elapsed = count * msBetween;
      assert.ok(passed <= 12 + Math.ceil((elapsed * 12) / 1000), `${passed} keys passed in ${elapsed} ms`);
      assert.equal(passed + guard.dropped, count);
    }),
    { numRuns: 200 },
  );
});

test('H-6 human typing speed passes the key guard untouched', () => {
  const clock = new FakeClock();
  const keypad = new KeyboardKeypad(clock);
  let count = 0;
  keypad.on('event', () => count++);
  for (let i = 0; i < 100; i++) {
    keypad.handle({ key: String(i % 10) });
    clock.advance(120);
  }
  assert.equal(count, 100);
  assert.equal(keypad.droppedKeys, 0);
});
