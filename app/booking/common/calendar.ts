// Dates and times as the citizen reads them. The offices keep their schedules in Rome's time, so
// days and times are always shown in Europe/Rome, whatever the time zone of the person's device.
import { CHECK_IN_WINDOW } from '@sportello/protocol';

export const OFFICE_TIME_ZONE = 'Europe/Rome';
/** How many days ahead, today included, the date step offers. */
export const BOOKING_DAYS = 14;

/** Intl locale for a page language: Italian first, British English otherwise. */
export function intlLocale(language: string): string {
  return language === 'en' ? 'en-GB' : 'it-IT';
}

/** The calendar date ('YYYY-MM-DD') of an instant in a time zone. */
export function localDateOf(instant: Date, timeZone: string = OFFICE_TIME_ZONE): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  for (const p of format.formatToParts(instant)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

function utcNoon(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  // Noon keeps the calendar day stable whatever zone the formatter is given.
  return new Date(Date.UTC(y, m - 1, d, 12));
}

/** `count` consecutive calendar dates starting with `first`. */
export function consecutiveDays(first: string, count: number): string[] {
  const start = utcNoon(first).getTime();
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(new Date(start + i * 86_400_000).toISOString().slice(0, 10));
  return out;
}

/** "lunedì 3 novembre" / "Monday 3 November". */
export function formatDay(date: string, language: string): string {
  return new Intl.DateTimeFormat(intlLocale(language), {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    timeZone: 'UTC',
  }).format(utcNoon(date));
}

/** "09:30": the wall-clock time of an instant in Rome. */
export function formatTime(instant: string | number | Date, language: string): string {
  return new Intl.DateTimeFormat(intlLocale(language), {
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: OFFICE_TIME_ZONE,
  }).format(new Date(instant));
}

/** "lunedì 3 novembre, 09:30–09:50": a slot in full. */
export function formatSlot(slot: { start: string; end: string }, language: string): string {
  const day = formatDay(localDateOf(new Date(slot.start)), language);
  return `${day}, ${formatTime(slot.start, language)}–${formatTime(slot.end, language)}`;
}

/** From when to when the totem accepts the code for a slot: the same window the server applies. */
export function checkInTimes(slotStart: string, language: string): { from: string; to: string } {
  const start = Date.parse(slotStart);
  return {
    from: formatTime(start - CHECK_IN_WINDOW.earlyMinutes * 60_000, language),
    to: formatTime(start + CHECK_IN_WINDOW.lateMinutes * 60_000, language),
  };
}
