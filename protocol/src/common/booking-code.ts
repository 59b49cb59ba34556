// Booking codes: 8 random digits plus one Damm check digit (9 digits in all). The Damm algorithm
// catches every single-digit substitution and every adjacent transposition, which are the two
// mistakes people make on a keypad, so the kiosk can say "check the code" before looking anything up.

export const CODE_RANDOM_DIGITS = 8;
export const CODE_LENGTH = CODE_RANDOM_DIGITS + 1;

// The weakly totally anti-symmetric quasigroup of order 10 from Damm's thesis (2004).
const DAMM_TABLE: readonly (readonly number[])[] = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function dammInterim(digits: string): number {
  let interim = 0;
  for (const ch of digits) {
    const d = ch.charCodeAt(0) - 48;
    interim = DAMM_TABLE[interim]![d]!;
  }
  return interim;
}

/** The Damm check digit of a string of decimal digits. */
export function dammCheckDigit(digits: string): number {
  if (!/^[0-9]*$/.test(digits)) throw new TypeError('dammCheckDigit takes decimal digits only');
  return dammInterim(digits);
}

export type CodeShape = 'ok' | 'empty' | 'too-short' | 'too-long' | 'not-digits' | 'check-digit';

/** Checks the shape of a typed code without looking anything up. */
export function checkCodeShape(input: string): CodeShape {
  if (input.length === 0) return 'empty';
  if (!/^[0-9]+$/.test(input)) return 'not-digits';
  if (input.length < CODE_LENGTH) return 'too-short';
  if (input.length > CODE_LENGTH) return 'too-long';
  return dammInterim(input) === 0 ? 'ok' : 'check-digit';
}

/**
 * Makes a code from 8 random digits. `randomDigits` must come from a CSPRNG (the server passes
 * `crypto.randomInt`); it is a parameter so that this module stays free of Node and DOM.
 */
export function makeBookingCode(randomDigit: () => number): string {
  let body = '';
  for (let i = 0; i < CODE_RANDOM_DIGITS; i++) {
    const d = randomDigit();
    if (!Number.isInteger(d) || d < 0 || d > 9) throw new RangeError('randomDigit must return 0..9');
    body += String(d);
  }
  return body + String(dammInterim(body));
}

/** Groups of three for display and speech: "123 456 789". */
export function formatBookingCode(code: string): string {
  return code.replace(/(\d{3})(?=\d)/g, '$1 ');
}

/** Strips spaces and separators people type or paste. */
export function normalizeBookingCode(input: string): string {
  return input.replace(/[\s.-]/g, '');
}
