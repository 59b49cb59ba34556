// The opening-hours rule as a table: weekly rows × the day's exceptions → windows, and whether a
// booking still fits and why not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bookingFits, dayWindows, type DayException, type WeeklyEntry } from './opening-hours.ts';

const week: WeeklyEntry[] = [
  { operatorId: 'a', weekday: 1, start: '09:00', end: '12:00' },
  { operatorId: 'b', weekday: 1, start: '14:00', end: '17:00' },
  { operatorId: 'a', weekday: 2, start: '09:00', end: '12:00' },
];
const closed: DayException = { closed: true, start: null, end: null };
const hours = (start: string, end: string): DayException => ({ closed: false, start, end });

test('windows of a weekday after its exceptions', () => {
  const cases: [string, number, DayException[], string[]][] = [
    ['no exception', 1, [], ['a 09:00-12:00', 'b 14:00-17:00']],
    ['another weekday', 2, [], ['a 09:00-12:00']],
    ['no schedule that day', 0, [], []],
    ['closed', 1, [closed], []],
    ['closed wins over hours', 1, [hours('10:00', '11:00'), closed], []],
    ['hours narrow every window', 1, [hours('10:00', '15:00')], ['a 10:00-12:00', 'b 14:00-15:00']],
    ['hours outside a window remove it', 1, [hours('13:00', '18:00')], ['b 14:00-17:00']],
    [
      'two exceptions both apply',
      1,
      [hours('08:00', '16:00'), hours('10:00', '18:00')],
      ['a 10:00-12:00', 'b 14:00-16:00'],
    ],
  ];
  for (const [name, weekday, exceptions, expected] of cases) {
    assert.deepEqual(
      dayWindows(week, weekday, exceptions).map((w) => `${w.operatorId} ${w.start}-${w.end}`),
      expected,
      name,
    );
  }
});

test('whether a booking fits, and why not', () => {
  const cases: [string, DayException[], { operatorId: string | null; start: string; end: string }, string][] =
    [
      ['inside', [], { operatorId: 'a', start: '09:00', end: '09:30' }, 'ok'],
      ['ends at the close', [], { operatorId: 'a', start: '11:30', end: '12:00' }, 'ok'],
      ['another operator', [], { operatorId: 'b', start: '09:00', end: '09:30' }, 'outside-schedule'],
      ['no operator: any window', [], { operatorId: null, start: '14:00', end: '14:30' }, 'ok'],
      ['runs past the close', [], { operatorId: 'a', start: '11:45', end: '12:15' }, 'outside-schedule'],
      ['past midnight', [], { operatorId: 'a', start: '11:45', end: '24:00' }, 'outside-schedule'],
      ['closed day', [closed], { operatorId: 'a', start: '09:00', end: '09:30' }, 'closed'],
      [
        'outside changed hours',
        [hours('10:00', '12:00')],
        { operatorId: 'a', start: '09:00', end: '09:30' },
        'outside-hours',
      ],
      [
        'inside changed hours',
        [hours('10:00', '12:00')],
        { operatorId: 'a', start: '10:00', end: '10:30' },
        'ok',
      ],
    ];
  for (const [name, exceptions, booking, expected] of cases) {
    const fit = bookingFits(week, 1, exceptions, booking);
    assert.equal(fit.ok ? 'ok' : fit.why, expected, name);
  }
});
