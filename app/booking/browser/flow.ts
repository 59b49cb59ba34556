// The booking itself, in the Designers Italia order: office → service → date and time → reason →
// name and contacts → summary → confirmation. One form, one section per step; the state lives here
// and every render reads it, so that switching language or coming back keeps what was typed.
import {
  CHECK_IN_WINDOW,
  formatBookingCode,
  type BookingCreated,
  type Office,
  type Service,
} from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { emptyDraft, errorsFor, STEP_FIELDS, validateDraft, type FieldName } from '../common/booking-form.ts';
import { checkInTimes, formatSlot } from '../common/calendar.ts';
import { ApiFailure, bookingApi, failureKey } from './api-client.ts';
import { renderChoices, renderDetails, setMessage, showFieldError, showStep } from './render.ts';
import { WhenStep } from './when-step.ts';
import { summaryRows } from './summary-rows.ts';
import { renderStepper } from './frame.ts';
import { VerifyBox } from './verify-box.ts';
import { applyService, QuestionFields, renderModeChoice } from './service-extras.ts';

export const FORM_STEPS = ['office', 'service', 'when', 'reason', 'contacts', 'summary'] as const;
export type FormStep = (typeof FORM_STEPS)[number];
export type FlowStep = FormStep | 'done';

const TEXT_FIELDS = ['reason', 'name', 'email', 'phone'] as const;
/** The step that asks for each field, to send the person back to the first one that is wrong. */
const STEP_OF: Record<FieldName, FormStep> = {
  slot: 'when',
  reason: 'reason',
  answers: 'reason',
  name: 'contacts',
  email: 'contacts',
  phone: 'contacts',
  contact: 'contacts',
};

export class BookingFlow {
  step: FlowStep = 'office';
  private draft = emptyDraft();
  private offices: Office[] | undefined;
  private officesFailure: string | undefined;
  private services = new Map<string, Service[]>();
  private servicesReading = new Map<string, Promise<void>>();
  private servicesFailure: string | undefined;
  /** Field or choice → i18n key of the message shown next to it. */
  private errors: Record<string, string | undefined> = {};
  /** Step → i18n key of the message shown under its heading. */
  private alerts: Partial<Record<FlowStep, string>> = {};
  private sending = false;
  /** A step waits for the next one's data (readAhead). */
  private waiting = false;
  private created: { booking: BookingCreated; office: string; service: string } | undefined;
  private readonly verifyBox = new VerifyBox(() => this.render());
  private readonly questions = new QuestionFields(() => this.draft);
  private readonly when = new WhenStep(() => {
    if (this.step === 'when') this.renderWhen();
  });

  constructor(private readonly language: () => string) {
    const form = byId<HTMLFormElement>('booking-form');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.next();
    });
    for (const b of form.querySelectorAll<HTMLButtonElement>('button.back'))
      b.addEventListener('click', () => this.back());
    byId('office-options').addEventListener('change', (e) =>
      this.chooseOffice((e.target as HTMLInputElement).value),
    );
    byId('service-options').addEventListener('change', (e) =>
      this.chooseService((e.target as HTMLInputElement).value),
    );
    byId('mode-options').addEventListener('change', (e) => {
      this.draft.mode = (e.target as HTMLInputElement).value as 'totem' | 'home';
    });
    let dayByPointer = false;
    byId('day-options').addEventListener('pointerdown', () => (dayByPointer = true));
    byId('day-options').addEventListener('keydown', () => (dayByPointer = false));
    byId('day-options').addEventListener('change', (e) => {
      this.draft.date = (e.target as HTMLInputElement).value;
      this.draft.slot = undefined;
      this.when.renderTimes(this.language(), this.draft.date, undefined);
      // On a phone the times are far below the days; a tap shows them, arrow keys do not scroll away.
      const times = byId('time-fieldset');
      if (dayByPointer && times.getBoundingClientRect().top > window.innerHeight - 120) {
        times.scrollIntoView({ block: 'start', behavior: 'smooth' });
      }
    });
    byId('time-options').addEventListener('change', (e) => {
      const start = (e.target as HTMLInputElement).value;
      this.draft.slot = this.when.slotsOf(this.draft.date).find((s) => s.start === start);
      this.errors.slot = undefined;
      this.alerts.when = undefined;
      // Only the messages: redrawing the radios would take the keyboard focus away from the time.
      setMessage('when-alert', this.when.alertKey());
      showFieldError('slot', undefined);
    });
    for (const field of TEXT_FIELDS) {
      const input = byId<HTMLInputElement | HTMLTextAreaElement>(field);
      this.draft[field] = input.value;
      input.addEventListener('input', () => {
        this.draft[field] = input.value;
        // A message about a field goes away as soon as the person starts fixing it.
        this.clearError(field);
        if (field === 'email' || field === 'phone') this.clearError('contact');
      });
    }
    byId('office-retry').addEventListener('click', () => void this.loadOffices());
    byId('when-retry').addEventListener('click', () => {
      this.when.invalidate();
      if (this.draft.serviceId) void this.when.load(this.draft.serviceId);
    });
    byId('btn-print').addEventListener('click', () => window.print());
    byId('btn-new').addEventListener('click', () => this.startOver());
  }

  /** Moves to a step and records it in the browser history, so that the Back button walks the steps. */
  goTo(step: FlowStep, mode: 'push' | 'replace' = 'push'): void {
    const url = location.pathname + location.search;
    if (mode === 'push') history.pushState({ step }, '', url);
    else history.replaceState({ step }, '', url);
    this.show(step, true);
  }

  /** Shows a step (from a click or from the browser history), or the furthest one that is reachable. */
  show(requested: unknown, focus: boolean): void {
    const step = this.reachable(requested);
    this.step = step;
    this.render();
    showStep(step, focus);
    if (step === 'office' && !this.offices) void this.loadOffices();
    if (step === 'service' && this.draft.officeId) void this.loadServices(this.draft.officeId);
    if (step === 'when' && this.draft.serviceId) void this.when.load(this.draft.serviceId);
  }

  /** Reads the offices before the page is first shown, so that the first step is drawn complete. */
  preload(): Promise<void> {
    return this.offices ? Promise.resolve() : this.loadOffices();
  }

  startOver(): void {
    this.draft = emptyDraft();
    for (const field of TEXT_FIELDS) byId<HTMLInputElement>(field).value = '';
    this.errors = {};
    this.alerts = {};
    this.created = undefined;
    this.when.invalidate();
    this.goTo('office');
  }

  private reachable(requested: unknown): FlowStep {
    // Once booked, the confirmation stays on screen until the person asks for a new booking.
    if (this.created) return 'done';
    const wanted = FORM_STEPS.indexOf(requested as FormStep);
    const d = this.draft;
    let furthest: FormStep = 'summary';
    if (!d.officeId) furthest = 'office';
    else if (!d.serviceId) furthest = 'service';
    else if (!d.slot) furthest = 'when';
    else if (Object.keys(errorsFor(d, STEP_FIELDS.reason)).length > 0) furthest = 'reason';
    else if (Object.keys(errorsFor(d, STEP_FIELDS.contacts)).length > 0) furthest = 'contacts';
    return FORM_STEPS[Math.min(Math.max(wanted, 0), FORM_STEPS.indexOf(furthest))]!;
  }

  private back(): void {
    const i = FORM_STEPS.indexOf(this.step as FormStep);
    if (i > 0) this.goTo(FORM_STEPS[i - 1]!);
  }

  private async next(): Promise<void> {
    if (this.waiting) return;
    switch (this.step) {
      case 'office':
        if (this.draft.officeId) await this.readAhead(() => this.loadServices(this.draft.officeId!));
        return this.require('office', this.draft.officeId, 'form.errors.officeRequired', 'service');
      case 'service':
        if (this.draft.serviceId) await this.readAhead(() => this.when.load(this.draft.serviceId!));
        return this.require('service', this.draft.serviceId, 'form.errors.serviceRequired', 'when');
      case 'when':
        if (this.when.isLoading()) return;
        return this.require('slot', this.draft.slot, 'form.errors.slotRequired', 'reason');
      case 'reason':
      case 'contacts': {
        const errors = errorsFor(this.draft, STEP_FIELDS[this.step]);
        if (Object.keys(errors).length === 0)
          return this.goTo(this.step === 'reason' ? 'contacts' : 'summary');
        Object.assign(this.errors, errors);
        this.render();
        return this.focusField(Object.keys(errors)[0]!);
      }
      case 'summary':
        return this.submit();
    }
  }

  /**
   * Waits for what the next step shows (usually read already, when the choice was made) before
   * moving to it, so that the step opens complete and nothing on it moves afterwards. The button
   * looks busy meanwhile; a second press is ignored.
   */
  private async readAhead(read: () => Promise<void>): Promise<void> {
    const from = this.step;
    const button = document.querySelector<HTMLElement>(`[data-step="${from}"] button[type=submit]`);
    this.waiting = true;
    button?.setAttribute('aria-disabled', 'true');
    try {
      await read();
    } finally {
      this.waiting = false;
      button?.setAttribute('aria-disabled', 'false');
    }
  }

  private require(field: string, value: unknown, key: string, then: FormStep): void {
    if (value) {
      this.alerts[this.step] = undefined;
      return this.goTo(then);
    }
    this.errors[field] = key;
    this.render();
    this.focusField(field);
  }

  private focusField(field: string): void {
    const slotGroup = this.draft.date ? 'time-options' : 'day-options';
    const group: Record<string, string> = {
      office: 'office-options',
      service: 'service-options',
      slot: slotGroup,
    };
    const el = group[field]
      ? byId(group[field]).querySelector<HTMLInputElement>('input:checked, input:not(:disabled)')
      : field === 'answers'
        ? byId('questions').querySelector<HTMLInputElement>('input[aria-invalid="true"], input')
        : document.getElementById(field === 'contact' ? 'email' : field);
    el?.focus();
  }

  private clearError(field: string): void {
    if (!this.errors[field]) return;
    this.errors[field] = undefined;
    showFieldError(field, undefined);
  }

  private chooseOffice(officeId: string): void {
    if (this.draft.officeId !== officeId)
      Object.assign(this.draft, { serviceId: undefined, date: undefined, slot: undefined });
    this.draft.officeId = officeId;
    this.clearError('office');
    // Read ahead, so that the next step opens complete instead of growing under the person's eyes.
    void this.loadServices(officeId);
  }

  private chooseService(serviceId: string): void {
    if (this.draft.serviceId !== serviceId) Object.assign(this.draft, { date: undefined, slot: undefined });
    this.draft.serviceId = serviceId;
    applyService(
      this.draft,
      this.serviceList().find((s) => s.id === serviceId),
    );
    this.clearError('service');
    renderModeChoice(this.chosenService(), this.draft.mode);
    void this.when.load(serviceId);
  }

  private async loadOffices(): Promise<void> {
    this.officesFailure = undefined;
    this.render();
    try {
      this.offices = await bookingApi.offices();
    } catch (err) {
      this.officesFailure = failureKey(err);
    }
    if (this.step === 'office') this.render();
  }

  private loadServices(officeId: string): Promise<void> {
    if (this.services.has(officeId)) return Promise.resolve();
    // Reading ahead and opening the step share one request.
    let reading = this.servicesReading.get(officeId);
    if (!reading) {
      reading = this.readServices(officeId).finally(() => this.servicesReading.delete(officeId));
      this.servicesReading.set(officeId, reading);
    }
    return reading;
  }

  private async readServices(officeId: string): Promise<void> {
    this.servicesFailure = undefined;
    try {
      this.services.set(officeId, await bookingApi.services(officeId));
    } catch (err) {
      this.servicesFailure = failureKey(err);
    }
    if (this.step === 'service') this.render();
  }

  private async submit(): Promise<void> {
    if (this.sending) return;
    const result = validateDraft(this.draft);
    if (!result.ok) {
      Object.assign(this.errors, result.errors);
      return this.goTo(STEP_OF[Object.keys(result.errors)[0] as FieldName]);
    }
    this.sending = true;
    this.alerts.summary = undefined;
    this.render();
    try {
      const language = this.language() === 'en' ? 'en' : 'it';
      const booking = await bookingApi.book({ ...result.value, language });
      const office = this.offices?.find((o) => o.id === this.draft.officeId)?.name ?? '';
      const service = this.serviceList().find((s) => s.id === this.draft.serviceId)?.name ?? '';
      this.created = { booking, office, service };
      this.sending = false;
      this.goTo('done');
    } catch (err) {
      this.sending = false;
      if (err instanceof ApiFailure && err.code === 'slot-not-free') {
        // Someone else took the time meanwhile: pick another one; everything typed is kept.
        this.draft.slot = undefined;
        this.when.invalidate();
        this.alerts.when = failureKey(err);
        return this.goTo('when');
      }
      this.alerts.summary = failureKey(err);
      this.render();
    }
  }

  private chosenService(): Service | undefined {
    return this.serviceList().find((s) => s.id === this.draft.serviceId);
  }

  private serviceList(): Service[] {
    return (this.draft.officeId && this.services.get(this.draft.officeId)) || [];
  }

  /** Fills the current step from the state, in the current language. */
  render(): void {
    const i = FORM_STEPS.indexOf(this.step as FormStep);
    setMessage('progress', i >= 0 ? 'progress' : undefined, { n: i + 1, total: FORM_STEPS.length });
    // The confirmation is the last step of the model: every step before it is confirmed.
    renderStepper([...FORM_STEPS, 'done'], this.step === 'done' ? FORM_STEPS.length : i);
    const lang = this.language();
    switch (this.step) {
      case 'office': {
        const loading = !this.offices && !this.officesFailure;
        setMessage('office-status', loading ? 'steps.office.loading' : undefined);
        setMessage('office-alert', this.officesFailure);
        byId('office-retry').hidden = !this.officesFailure;
        const choices = (this.offices ?? []).map((o) => ({
          value: o.id,
          title: o.name,
          ...(o.walkIn ? { hint: t('steps.office.walkIn') } : {}),
        }));
        renderChoices(byId('office-options'), 'office', choices, this.draft.officeId);
        return showFieldError('office', this.errors.office);
      }
      case 'service': {
        const office = this.offices?.find((o) => o.id === this.draft.officeId)?.name ?? '';
        byId('service-legend').textContent = t('steps.service.legend', { office });
        const list = this.serviceList();
        setMessage(
          'service-status',
          list.length === 0 && !this.servicesFailure ? 'steps.service.loading' : undefined,
        );
        setMessage('service-alert', this.servicesFailure);
        const choices = list.map((s) => ({
          value: s.id,
          title: s.name,
          hint: t('steps.service.minutes', { count: s.slotMinutes }),
        }));
        renderChoices(byId('service-options'), 'service', choices, this.draft.serviceId);
        renderModeChoice(this.chosenService(), this.draft.mode);
        return showFieldError('service', this.errors.service);
      }
      case 'when':
        return this.renderWhen();
      case 'reason':
        this.questions.render(this.chosenService(), this.errors.answers);
        return showFieldError('reason', this.errors.reason);
      case 'contacts':
        for (const f of STEP_FIELDS.contacts) showFieldError(f, this.errors[f]);
        return;
      case 'summary':
        return this.renderSummary(lang);
      case 'done':
        return this.renderDone(lang);
    }
  }

  private renderWhen(): void {
    this.when.render(this.language(), this.draft.date, this.draft.slot?.start);
    setMessage('when-alert', this.alerts.when ?? this.when.alertKey());
    showFieldError('slot', this.errors.slot);
  }

  private renderSummary(lang: string): void {
    const d = this.draft;
    const office = this.offices?.find((o) => o.id === d.officeId)?.name ?? '';
    const service = this.serviceList().find((s) => s.id === d.serviceId)?.name ?? '';
    const rows = summaryRows(d, { office, service }, lang, (step) => this.goTo(step));
    renderDetails(byId('summary'), rows);
    setMessage('summary-alert', this.alerts.summary);
    setMessage('summary-status', this.sending ? 'steps.summary.sending' : undefined);
    byId('btn-confirm').setAttribute('aria-disabled', String(this.sending));
  }

  private renderDone(lang: string): void {
    if (!this.created) return;
    const { booking, office, service } = this.created;
    const code = byId('done-code');
    const shown = document.createElement('span');
    shown.setAttribute('aria-hidden', 'true');
    shown.textContent = formatBookingCode(booking.code);
    // Screen readers would read "123" as a number; digit by digit is how it will be typed.
    const spoken = document.createElement('span');
    spoken.className = 'visually-hidden';
    spoken.textContent = formatBookingCode(booking.code)
      .split(' ')
      .map((g) => g.split('').join(' '))
      .join(', ');
    code.replaceChildren(shown, spoken);
    const slot = { start: booking.slotStart, end: booking.slotEnd };
    byId('done-when').textContent = t('steps.done.when', { slot: formatSlot(slot, lang), office, service });
    byId('done-next2').textContent = t('steps.done.next2', {
      ...checkInTimes(booking.slotStart, lang),
      early: CHECK_IN_WINDOW.earlyMinutes,
      late: CHECK_IN_WINDOW.lateMinutes,
    });
    const home = this.draft.mode === 'home';
    byId('next-home').hidden = !home;
    byId('next-totem').hidden = home;
    byId('done-home2').textContent = t('steps.done.home2', checkInTimes(booking.slotStart, lang));
    this.verifyBox.render(booking, lang);
    const link = byId<HTMLAnchorElement>('done-manage-link');
    link.href = `#manage=${encodeURIComponent(booking.manageToken)}`;
    link.textContent = new URL(link.href, location.href).href;
  }
}
