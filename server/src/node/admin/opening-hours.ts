// When video slots are offered on one local date: the weekly schedule of the weekday, minus what
// the day's exceptions take away (closed, or hours reduced to a window). Pure, so the slot
// calculation and the conflict check apply exactly the same rule.

/** One weekly schedule row: an operator takes calls for a service on a weekday between two times. */
export interface WeeklyEntry {
  operatorId: string;
  weekday: number;
  /** 'HH:MM' local time. */
  start: string;
  end: string;
}

/** One exception row that applies to the date (its own office's, or a holiday for every office). */
export interface DayException {
  closed: boolean;
  start: string | null;
  end: string | null;
}

/** A window of local time on the date, 'HH:MM' to 'HH:MM'. */
export interface Window {
  operatorId: string;
  start: string;
  end: string;
}

export type NoSlotReason = 'outside-schedule' | 'closed' | 'outside-hours';

/**
 * The windows each operator offers on a date with this weekday. A closed exception removes them
 * all; every "changed hours" exception narrows each window to its own hours (so two exceptions,
 * the office's and the holiday's, both apply).
 */
export function dayWindows(entries: WeeklyEntry[], weekday: number, exceptions: DayException[]): Window[] {
  if (exceptions.some((e) => e.closed)) return [];
  const out: Window[] = [];
  for (const e of entries) {
    if (e.weekday !== weekday) continue;
    let start = e.start;
    let end = e.end;
    for (const x of exceptions) {
      if (x.start && x.start > start) start = x.start;
      if (x.end && x.end < end) end = x.end;
    }
    if (start < end) out.push({ operatorId: e.operatorId, start, end });
  }
  return out;
}

/**
 * Whether a booking from `start` to `end` (local 'HH:MM' on the date) with this operator still fits,
 * and if not, why — the reason an administrator reads in the conflict list.
 */
export function bookingFits(
  entries: WeeklyEntry[],
  weekday: number,
  exceptions: DayException[],
  booking: { operatorId: string | null; start: string; end: string },
): { ok: true } | { ok: false; why: NoSlotReason } {
  const inside = (w: { operatorId: string; start: string; end: string }) =>
    (booking.operatorId === null || w.operatorId === booking.operatorId) &&
    w.start <= booking.start &&
    booking.end <= w.end;
  const weekly = entries.filter((e) => e.weekday === weekday);
  if (!weekly.some(inside)) return { ok: false, why: 'outside-schedule' };
  if (exceptions.some((e) => e.closed)) return { ok: false, why: 'closed' };
  if (!dayWindows(entries, weekday, exceptions).some(inside)) return { ok: false, why: 'outside-hours' };
  return { ok: true };
}
