// The call-back number's keypad rule under fuzz (C-6): any key sequence keeps the number bounded and
// well-formed, and only a number of at least six digits is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KEYPAD_KEYS, MAX_PHONE_CHARS, MIN_PHONE_DIGITS, callbackRequestSchema } from '@sportello/protocol';
import { phoneKey } from './phone-entry.ts';

test('C-6 keypad fuzz on the phone-entry screen: bounded, digits and a leading + only, sent only when long enough', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...KEYPAD_KEYS), { maxLength: 300 }), (keys) => {
      let digits = '';
      for (const key of keys) {
        const r = phoneKey(digits, key);
        if ('submit' in r) {
          assert.ok(r.submit.replace(/\D/g, '').length >= MIN_PHONE_DIGITS);
          // What is sent is what the server accepts.
          assert.ok(
            callbackRequestSchema.shape.phone.safeParse(r.submit).success,
            `the server takes ${r.submit}`,
          );
          digits = '';
          continue;
        }
        digits = 'digits' in r ? r.digits : r.tooShort;
        assert.ok(digits.length <= MAX_PHONE_CHARS, digits);
        assert.match(digits, /^\+?[0-9]*$/);
      }
    }),
    { numRuns: 500 },
  );
  // A flood stops at the bound; '+' only opens a number.
  let d = '';
  for (let i = 0; i < 100; i++) d = (phoneKey(d, '7') as { digits: string }).digits;
  assert.equal(d.length, MAX_PHONE_CHARS);
  assert.deepEqual(phoneKey('39', 'plus'), { digits: '39' });
  assert.deepEqual(phoneKey('', 'plus'), { digits: '+' });
  assert.deepEqual(phoneKey('+3933', 'enter'), { tooShort: '+3933' });
});
