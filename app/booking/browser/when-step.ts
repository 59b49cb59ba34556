// The date-and-time step: the next 14 days in Rome, each asked for its free slots at once, so that a
// day without any free time says so before the person picks it; then the free times of the chosen day.
import type { Slot } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { BOOKING_DAYS, consecutiveDays, formatDay, formatTime, localDateOf } from '../common/calendar.ts';
import { bookingApi, failureKey } from './api-client.ts';
import { renderChoices, setMessage } from './render.ts';

export interface DaySlots {
  date: string;
  /** The free slots, or the i18n key of why they could not be read. */
  slots: Slot[] | { failure: string };
}

/** Slots read more than a minute ago are read again when the person comes back to this step. */
const FRESH_MS = 60_000;

export class WhenStep {
  private days: DaySlots[] = [];
  private serviceId: string | undefined;
  private readAt = 0;
  private loading = false;
  private generation = 0;
  /** The read under way, so that reading ahead and opening the step share one request. */
  private inflight: { serviceId: string; done: Promise<void> } | undefined;

  constructor(private readonly onChange: () => void) {}

  /** Forgets what was read, so that the next load asks the server again (after a 409). */
  invalidate(): void {
    this.readAt = 0;
    this.inflight = undefined;
  }

  isLoading(): boolean {
    return this.loading;
  }

  slotsOf(date: string | undefined): Slot[] {
    const day = this.days.find((d) => d.date === date);
    return day && Array.isArray(day.slots) ? day.slots : [];
  }

  /** Reads the free slots of the next days for a service, unless fresh ones are at hand. */
  load(serviceId: string, now: Date = new Date()): Promise<void> {
    if (this.inflight?.serviceId === serviceId) return this.inflight.done;
    if (this.serviceId === serviceId && now.getTime() - this.readAt < FRESH_MS && !this.hasFailures())
      return Promise.resolve();
    const read = { serviceId, done: this.read(serviceId, now) };
    this.inflight = read;
    void read.done.finally(() => {
      if (this.inflight === read) this.inflight = undefined;
    });
    return read.done;
  }

  private async read(serviceId: string, now: Date): Promise<void> {
    const generation = ++this.generation;
    this.serviceId = serviceId;
    this.loading = true;
    this.days = [];
    this.onChange();
    const dates = consecutiveDays(localDateOf(now), BOOKING_DAYS);
    let days: DaySlots[];
    try {
      const read = await bookingApi.slotDays(serviceId, dates[0]!, dates.length);
      days = dates.map((date) => ({ date, slots: read.find((d) => d.date === date)?.slots ?? [] }));
    } catch (err) {
      days = dates.map((date) => ({ date, slots: { failure: failureKey(err) } }));
    }
    // A later load (another service chosen meanwhile) wins over this one.
    if (generation !== this.generation) return;
    this.days = days;
    this.readAt = now.getTime();
    this.loading = false;
    this.onChange();
  }

  private hasFailures(): boolean {
    return this.days.some((d) => !Array.isArray(d.slots));
  }

  /** The i18n key of the step's alert, if the days could not all be read or none has a free time. */
  alertKey(): string | undefined {
    if (this.loading) return undefined;
    const failed = this.days.find((d) => !Array.isArray(d.slots));
    if (failed && !Array.isArray(failed.slots)) return failed.slots.failure;
    if (this.days.length > 0 && this.days.every((d) => Array.isArray(d.slots) && d.slots.length === 0)) {
      return 'steps.when.noneInRange';
    }
    return undefined;
  }

  render(language: string, chosenDate: string | undefined, chosenSlot: string | undefined): void {
    setMessage('when-status', this.loading ? 'steps.when.loading' : undefined);
    byId('when-retry').hidden = this.loading || !this.hasFailures();
    const today = localDateOf(new Date());
    renderChoices(
      byId('day-options'),
      'day',
      this.days.map((d) => {
        const free = Array.isArray(d.slots) ? d.slots.length : undefined;
        const name = formatDay(d.date, language);
        const relative = d.date === today ? t('steps.when.today') : undefined;
        return {
          value: d.date,
          title: relative ? `${relative}, ${name}` : name,
          hint:
            free === undefined
              ? t('steps.when.dayUnknown')
              : free === 0
                ? t('steps.when.dayFull')
                : t('steps.when.dayFree', { count: free }),
          disabled: !free,
        };
      }),
      chosenDate,
    );
    this.renderTimes(language, chosenDate, chosenSlot);
  }

  /** Only the times: the day radios keep the keyboard focus while the person moves among them. */
  renderTimes(language: string, chosenDate: string | undefined, chosenSlot: string | undefined): void {
    const slots = this.slotsOf(chosenDate);
    const timeFieldset = byId('time-fieldset');
    timeFieldset.hidden = !chosenDate || slots.length === 0;
    if (chosenDate && slots.length > 0) {
      byId('time-legend').textContent = t('steps.when.timeLegend', { day: formatDay(chosenDate, language) });
      renderChoices(
        byId('time-options'),
        'time',
        slots.map((s) => ({ value: s.start, title: formatTime(s.start, language) })),
        chosenSlot,
      );
    } else {
      byId('time-options').replaceChildren();
    }
  }
}
