// The call-back screen's keypad rule: digits, one leading '+', delete and start over, bounded length.
// Pure, so that the fuzz test (C-6) can drive it directly as well as through the core.
import { MAX_PHONE_CHARS, MIN_PHONE_DIGITS, type KeypadKey } from '@sportello/protocol';

export type PhoneKeyResult = { digits: string } | { submit: string } | { tooShort: string };

export function phoneKey(digits: string, key: KeypadKey): PhoneKeyResult {
  switch (key) {
    case 'enter': {
      const count = digits.replace(/\D/g, '').length;
      return count >= MIN_PHONE_DIGITS ? { submit: digits } : { tooShort: digits };
    }
    case 'back':
      return { digits: digits.slice(0, -1) };
    case 'clear':
      return { digits: '' };
    case 'plus':
      // A '+' only opens a number; on a telephone keypad, '00' means the same.
      return { digits: digits === '' ? '+' : digits };
    default:
      return { digits: digits.length >= MAX_PHONE_CHARS ? digits : digits + key };
  }
}
