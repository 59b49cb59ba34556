import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkCodeShape, dammCheckDigit, formatBookingCode, makeBookingCode } from './booking-code.ts';

const digit = fc.integer({ min: 0, max: 9 });
const codeArb = fc.array(digit, { minLength: 8, maxLength: 8 }).map((ds) => {
  let i = 0;
  return makeBookingCode(() => ds[i++]!);
});

test('C-1 every made code passes its own check', () => {
  fc.assert(fc.property(codeArb, (code) => checkCodeShape(code) === 'ok'));
});

test('C-1 every single-digit substitution is rejected by the check digit', () => {
  fc.assert(
    fc.property(
      codeArb,
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 1, max: 9 }),
      (code, pos, delta) => {
        const changed = (Number(code[pos]) + delta) % 10;
        const typo = code.slice(0, pos) + String(changed) + code.slice(pos + 1);
        return checkCodeShape(typo) === 'check-digit';
      },
    ),
  );
});

test('C-1 every adjacent transposition of different digits is rejected', () => {
  fc.assert(
    fc.property(codeArb, fc.integer({ min: 0, max: 7 }), (code, pos) => {
      if (code[pos] === code[pos + 1]) return true;
      const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
      return checkCodeShape(swapped) === 'check-digit';
    }),
  );
});

test('C-1 wrong length and non-digits are told apart', () => {
  assert.equal(checkCodeShape(''), 'empty');
  assert.equal(checkCodeShape('1'), 'too-short');
  assert.equal(checkCodeShape('1'.repeat(50)), 'too-long');
  assert.equal(checkCodeShape('12345678*'), 'not-digits');
});

test('Damm check digit matches the published example', () => {
  // The worked example on the algorithm's description: 572 → check digit 4.
  assert.equal(dammCheckDigit('572'), 4);
  assert.equal(checkCodeShape('572'.padStart(8, '0') + String(dammCheckDigit('00000572'))), 'ok');
});

test('codes are shown in groups of three', () => {
  assert.equal(formatBookingCode('123456789'), '123 456 789');
});
