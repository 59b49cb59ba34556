// The keypad's '*' '#' (the reading modes, U-1): the table of what each key does with or without a
// '*' waiting, and the sequence with a scheduler the test drives: nothing typed is lost, reordered
// or doubled, and only '*' directly followed by '#' (or Enter) is the reading-mode step.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeypadSequence, sequenceKey, sequenceTimeout, type SequenceOutput } from './keypad-sequence.ts';

const KEYS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'Backspace', 'Enter'] as const;
type Key = (typeof KEYS)[number];

/** A scheduler the test runs by hand: `fire()` is the end of the wait. */
function manualTimers() {
  let pending: (() => void) | undefined;
  let armed = 0;
  return {
    timers: {
      setTimeout: (fn: () => void) => {
        pending = fn;
        armed++;
        return armed;
      },
      clearTimeout: (h: unknown) => {
        if (h === armed) pending = undefined;
      },
    },
    fire: () => {
      const fn = pending;
      pending = undefined;
      fn?.();
    },
    get waiting() {
      return pending !== undefined;
    },
  };
}

describe('the keypad sequence: * then # steps the reading modes', () => {
  test('U-1 the table: every key with and without a * waiting', () => {
    for (const key of KEYS) {
      const alone = sequenceKey<Key>(undefined, key);
      if (key === '*') assert.deepEqual(alone, { pending: true, out: [] }, '* waits');
      else assert.deepEqual(alone, { pending: false, out: [{ type: 'key', key }] }, `${key} passes at once`);
      const after = sequenceKey<Key>('*', key);
      if (key === '#' || key === 'Enter')
        assert.deepEqual(after, { pending: false, out: [{ type: 'reading-mode' }] }, `* ${key}`);
      else if (key === '*')
        assert.deepEqual(
          after,
          { pending: true, out: [{ type: 'key', key: '*' }] },
          '* * deletes once, waits again',
        );
      else
        assert.deepEqual(after, {
          pending: false,
          out: [
            { type: 'key', key: '*' },
            { type: 'key', key },
          ],
        });
    }
    assert.deepEqual(sequenceTimeout<Key>('*'), [{ type: 'key', key: '*' }]);
    assert.deepEqual(sequenceTimeout<Key>(undefined), []);
  });

  test('U-1 a lone * acts when the wait ends; * # is one reading-mode step and no key', () => {
    const t = manualTimers();
    const out: SequenceOutput<Key>[] = [];
    const seq = new KeypadSequence<Key>((o) => out.push(o), t.timers);
    seq.press('5');
    seq.press('*');
    assert.deepEqual(out, [{ type: 'key', key: '5' }]);
    assert.ok(t.waiting);
    t.fire();
    assert.deepEqual(out.at(-1), { type: 'key', key: '*' });
    out.length = 0;
    seq.press('*');
    seq.press('#');
    assert.deepEqual(out, [{ type: 'reading-mode' }]);
    assert.ok(!t.waiting, 'no wait left behind');
    seq.press('*');
    seq.close();
    seq.close();
    t.fire();
    assert.deepEqual(out, [{ type: 'reading-mode' }], 'closed: the waiting * is dropped, nothing after');
  });

  test('U-1 any key sequence: the keys out are the keys in, less each * # pair, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...KEYS), { maxLength: 40 }),
        fc.array(fc.boolean()),
        (keys, ends) => {
          const t = manualTimers();
          const out: SequenceOutput<Key>[] = [];
          const seq = new KeypadSequence<Key>((o) => out.push(o), t.timers);
          // The expected stream: a '*' directly followed by '#'/Enter (no end of wait between) is a step.
          const expected: SequenceOutput<Key>[] = [];
          let star = false;
          keys.forEach((k, i) => {
            const hash = k === '#' || k === 'Enter';
            if (star && hash) expected.push({ type: 'reading-mode' });
            else {
              if (star) expected.push({ type: 'key', key: '*' });
              if (k !== '*') expected.push({ type: 'key', key: k });
            }
            star = k === '*';
            seq.press(k);
            if (ends[i] && star) {
              t.fire();
              expected.push({ type: 'key', key: '*' });
              star = false;
            }
          });
          seq.flush();
          if (star) expected.push({ type: 'key', key: '*' });
          assert.deepEqual(out, expected);
        },
      ),
    );
  });
});
