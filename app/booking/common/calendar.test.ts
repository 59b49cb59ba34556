import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkInTimes, consecutiveDays, formatDay, formatSlot, formatTime, localDateOf } from './calendar.ts';

test('the calendar day is Rome’s, also just after midnight there', () => {
  // 23:30 UTC on 29 March 2025 is 00:30 on the 30th in Rome (UTC+1 until 01:00 UTC).
  assert.equal(localDateOf(new Date('2025-03-29T23:30:00Z')), '2025-03-30');
  assert.equal(localDateOf(new Date('2025-03-29T22:30:00Z')), '2025-03-29');
});

test('consecutive days cross month ends and clock changes', () => {
  assert.deepEqual(consecutiveDays('2025-03-29', 4), [
    '2025-03-29',
    '2025-03-30',
    '2025-03-31',
    '2025-04-01',
  ]);
  assert.equal(consecutiveDays('2025-11-20', 14).at(-1), '2025-12-03');
});

test('times are Rome’s wall clock in both languages', () => {
  assert.equal(formatTime('2025-07-01T07:30:00Z', 'it'), '09:30');
  assert.equal(formatTime('2025-01-15T07:30:00Z', 'en'), '08:30');
  assert.equal(formatDay('2025-11-24', 'it'), 'lunedì 24 novembre');
  assert.equal(formatDay('2025-11-24', 'en'), 'Monday 24 November');
  assert.equal(
    formatSlot({ start: '2025-11-24T08:30:00.000Z', end: '2025-11-24T08:50:00.000Z' }, 'it'),
    'lunedì 24 novembre, 09:30–09:50',
  );
});

test('the check-in window is 15 minutes before to 10 minutes after the start', () => {
  assert.deepEqual(checkInTimes('2025-11-24T08:30:00.000Z', 'it'), { from: '09:15', to: '09:40' });
});
