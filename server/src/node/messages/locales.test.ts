// Every message key in every language, and every key the composer uses present: a missing one
// would send the citizen a raw key such as "label.code".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { MESSAGE_LANGUAGES } from '@sportello/protocol';
import { loadMessageLocale, messageT } from './i18n.ts';
import { composeBookingMessage, composeVerification, type BookingFacts } from './compose.ts';

type Tree = { [key: string]: string | Tree };
const flatten = (tree: Tree, prefix = ''): string[] =>
  Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [prefix + k] : flatten(v, `${prefix}${k}.`),
  );

const keys = Object.fromEntries(
  MESSAGE_LANGUAGES.map((l) => [l, new Set(flatten(loadMessageLocale(l) as Tree))]),
) as Record<string, Set<string>>;

test('every language has the same message keys', () => {
  for (const l of MESSAGE_LANGUAGES) assert.deepEqual([...keys[l]!].sort(), [...keys.it!].sort(), l);
});

test('every key the composer uses exists in every language', () => {
  const code = readFileSync(new URL('compose.ts', import.meta.url), 'utf8');
  const used = new Set<string>();
  for (const m of code.matchAll(/t\('([a-zA-Z.]+)'/g)) used.add(m[1]!);
  for (const m of code.matchAll(/t\(`(\w+)\.\$\{kind\}`/g)) {
    for (const kind of ['confirmation', 'reminder', 'cancellation', 'rescheduled'])
      used.add(`${m[1]}.${kind}`);
  }
  assert.ok(used.size > 20, `found only ${used.size} keys: the scan is broken`);
  for (const l of MESSAGE_LANGUAGES)
    for (const key of used) assert.ok(keys[l]!.has(key), `missing in ${l}.json: ${key}`);
});

test('no message shows a raw key or an unfilled placeholder, in any language and kind', () => {
  const facts: BookingFacts = {
    bookingId: 'b1',
    code: '123456789',
    name: 'Anna',
    email: 'anna@example.org',
    serviceName: 'S',
    officeName: 'O',
    slotStart: '2030-10-27T07:30:00.000Z',
    slotEnd: '2030-10-27T07:50:00.000Z',
    sites: ['Piazza'],
    whatToBring: null,
    mode: 'totem',
    icsSequence: 0,
    language: 'it',
  };
  for (const language of MESSAGE_LANGUAGES) {
    for (const kind of ['confirmation', 'reminder', 'cancellation', 'rescheduled'] as const) {
      const m = composeBookingMessage(
        kind,
        { ...facts, language },
        { cancel: 'https://x/#cancel=t', reschedule: 'https://x/#reschedule=t', book: 'https://x/' },
        { timeZone: 'Europe/Rome', from: 'S <s@x>', now: new Date('2030-10-01T00:00:00Z') },
      );
      for (const text of [m.subject, m.text, m.sms]) {
        assert.ok(!/\{\{|\b(label|intro|subject|sms|where)\.\w+/.test(text), `${language} ${kind}: ${text}`);
      }
    }
    const v = composeVerification({ ...facts, language }, '123456', 10, 'Europe/Rome');
    assert.ok(v.text.includes('123456') && v.sms.includes('123456'));
    assert.notEqual(messageT(language)('footer'), 'footer');
  }
});

test('the time in a message is the office time, also on the day clocks change', () => {
  // 27 October 2030: Rome goes from CEST to CET; 07:30Z is 08:30 local.
  const m = composeBookingMessage(
    'confirmation',
    {
      bookingId: 'b',
      code: '123456789',
      name: 'A',
      email: null,
      serviceName: 'S',
      officeName: 'O',
      slotStart: '2030-10-27T07:30:00.000Z',
      slotEnd: '2030-10-27T07:50:00.000Z',
      sites: [],
      whatToBring: 'La ricevuta',
      mode: 'totem',
      icsSequence: 0,
      language: 'it',
    },
    {},
    { timeZone: 'Europe/Rome', from: 'x@y', now: new Date() },
  );
  assert.match(m.text, /08:30–08:50/);
  assert.match(m.text, /Cosa portare: La ricevuta/);
  assert.match(m.text, /123 456 789/);
  assert.equal(m.ics, undefined, 'no e-mail, no invitation');
});
