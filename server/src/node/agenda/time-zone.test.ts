import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays, localDate, weekdayOf, zonedToUtc } from './time-zone.ts';

test('local schedule times map to UTC across daylight saving', () => {
  assert.equal(zonedToUtc('2026-01-15', '09:00', 'Europe/Rome').toISOString(), '2026-01-15T08:00:00.000Z');
  assert.equal(zonedToUtc('2026-07-15', '09:00', 'Europe/Rome').toISOString(), '2026-07-15T07:00:00.000Z');
  // The day clocks go forward (29 March 2026): 09:00 is already summer time.
  assert.equal(zonedToUtc('2026-03-29', '09:00', 'Europe/Rome').toISOString(), '2026-03-29T07:00:00.000Z');
});

test('local dates and weekdays', () => {
  assert.equal(localDate(new Date('2026-11-22T23:30:00Z'), 'Europe/Rome'), '2026-11-23');
  assert.equal(weekdayOf('2026-11-22'), 0);
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
});
