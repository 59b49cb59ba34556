import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from './clock.ts';
import { HookDebouncer } from './hook-debouncer.ts';

function setup(options = {}) {
  const clock = new FakeClock();
  const changes: { offHook: boolean; at: number }[] = [];
  const debouncer = new HookDebouncer(clock, options, (offHook, at) => changes.push({ offHook, at }));
  return { clock, changes, debouncer, t0: clock.now() };
}

test('H-4 contact chatter of 1-30 ms when lifting yields exactly one off-hook', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 12 }), (gaps) => {
      const { clock, changes, debouncer } = setup();
      let state = false;
      for (const gap of gaps) {
        state = !state;
        debouncer.input(state);
        clock.advance(gap);
      }
      debouncer.input(true); // The handset ends up lifted.
      clock.advance(1000);
      assert.deepEqual(
        changes.map((c) => c.offHook),
        [true],
      );
      assert.equal(debouncer.offHook, true);
    }),
    { numRuns: 200 },
  );
});

test('H-4 chatter that settles back where it started yields no transition', () => {
  const { clock, changes, debouncer } = setup();
  for (const gap of [3, 5, 2, 8]) {
    debouncer.input(true);
    clock.advance(gap);
    debouncer.input(false);
    clock.advance(gap);
  }
  clock.advance(1000);
  assert.deepEqual(changes, []);
});

test('H-4 off-hook is reported after the debounce time, not before', () => {
  const { clock, changes, debouncer, t0 } = setup({ debounceMs: 40 });
  debouncer.input(true);
  clock.advance(39);
  assert.equal(changes.length, 0);
  clock.advance(1);
  assert.deepEqual(changes, [{ offHook: true, at: t0 + 40 }]);
});

test('H-4 a short flash during a call is not a hang-up', () => {
  const { clock, changes, debouncer } = setup();
  debouncer.input(true);
  clock.advance(100);
  for (const flash of [50, 200, 400, 599]) {
    debouncer.input(false);
    clock.advance(flash);
    debouncer.input(true);
    clock.advance(1000);
  }
  assert.deepEqual(
    changes.map((c) => c.offHook),
    [true],
  );
  assert.equal(debouncer.flashes, 4);
});

test('H-4 a sustained on-hook is a hang-up, reported once hangupMinMs has elapsed', () => {
  const { clock, changes, debouncer } = setup({ hangupMinMs: 600 });
  debouncer.input(true);
  clock.advance(100);
  const hungAt = clock.now();
  debouncer.input(false);
  clock.advance(599);
  assert.equal(changes.length, 1);
  clock.advance(1);
  assert.deepEqual(changes[1], { offHook: false, at: hungAt + 600 });
  // Chatter while hanging up still yields a single on-hook.
  debouncer.input(true);
  clock.advance(10);
  debouncer.input(false);
  clock.advance(2000);
  assert.equal(changes.filter((c) => !c.offHook).length, 1);
});

test('H-4 thresholds are configurable and repeated identical readings are harmless', () => {
  const { clock, changes, debouncer } = setup({ debounceMs: 10, hangupMinMs: 100 });
  debouncer.input(true);
  debouncer.input(true);
  clock.advance(10);
  debouncer.input(false);
  clock.advance(50);
  debouncer.input(false); // A heartbeat repeating the state does not restart the timer.
  clock.advance(50);
  assert.deepEqual(
    changes.map((c) => c.offHook),
    [true, false],
  );
});

test('close() cancels a pending transition and leaves no timer', () => {
  const { clock, changes, debouncer } = setup();
  debouncer.input(true);
  debouncer.close();
  debouncer.close();
  assert.equal(clock.pendingTimers, 0);
  clock.advance(1000);
  assert.deepEqual(changes, []);
});

test('H-4 a key right after lifting commits the pending off-hook first; a pending hang-up is not hurried', () => {
  const { clock, changes, debouncer } = setup();
  debouncer.input(true);
  clock.advance(5);
  debouncer.settleOffHook();
  assert.deepEqual(
    changes.map((c) => c.offHook),
    [true],
  );
  debouncer.input(false);
  clock.advance(100);
  debouncer.settleOffHook();
  assert.equal(changes.length, 1);
  clock.advance(600);
  assert.equal(changes.length, 2);
});
