// The personal link sent with the confirmation (/booking/#manage=<token>): shows the booking and lets
// the person cancel it, with a second question before anything is undone.
import { manageTokenParamsSchema, type BookingView } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { formatSlot } from '../common/calendar.ts';
import { ApiFailure, bookingApi, failureKey } from './api-client.ts';
import { renderDetails, setMessage, showStep } from './render.ts';

export class ManageView {
  private token = '';
  private view: BookingView | undefined;
  private failure: string | undefined;
  private busy: 'loading' | 'cancelling' | undefined;
  private confirming = false;
  private cancelledNow = false;
  private generation = 0;

  constructor(private readonly language: () => string) {
    byId('btn-cancel').addEventListener('click', () => {
      this.confirming = true;
      this.render();
      byId('manage-confirm-question').focus();
    });
    byId('btn-cancel-no').addEventListener('click', () => {
      this.confirming = false;
      this.render();
      byId('btn-cancel').focus();
    });
    byId('btn-cancel-yes').addEventListener('click', () => void this.cancel());
    byId('manage-retry').addEventListener('click', () => void this.load());
  }

  /** Shows the booking behind a token taken from the address. */
  open(token: string): void {
    this.token = token;
    this.view = undefined;
    this.failure = undefined;
    this.confirming = false;
    this.cancelledNow = false;
    this.render();
    showStep('manage', true);
    void this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    this.failure = undefined;
    // A link cut short by an e-mail client cannot match anything: say so without asking the server.
    if (!manageTokenParamsSchema.safeParse({ token: this.token }).success) {
      this.failure = 'errors.bookingNotFound';
      return this.render();
    }
    this.busy = 'loading';
    this.render();
    try {
      const view = await bookingApi.readBooking(this.token);
      if (generation !== this.generation) return;
      this.view = view;
    } catch (err) {
      if (generation !== this.generation) return;
      this.failure = failureKey(err);
    }
    this.busy = undefined;
    this.render();
  }

  private async cancel(): Promise<void> {
    if (this.busy) return;
    this.busy = 'cancelling';
    this.failure = undefined;
    this.render();
    try {
      this.view = await bookingApi.cancelBooking(this.token);
      this.cancelledNow = true;
    } catch (err) {
      this.failure = failureKey(err);
      // Someone (or the totem) changed the booking meanwhile: show what it is now.
      if (err instanceof ApiFailure && err.code === 'booking-not-cancellable') {
        const key = this.failure;
        this.busy = undefined;
        await this.load();
        this.failure ??= key;
      }
    }
    this.busy = undefined;
    this.confirming = false;
    this.render();
    byId('manage-status').focus();
  }

  render(): void {
    setMessage('progress', undefined);
    const v = this.view;
    setMessage('manage-alert', this.failure);
    const status =
      this.busy === 'loading'
        ? 'manage.loading'
        : this.busy === 'cancelling'
          ? 'manage.cancelling'
          : this.cancelledNow
            ? 'manage.cancelledNow'
            : undefined;
    setMessage('manage-status', status);
    byId('manage-retry').hidden = !this.failure || this.failure === 'errors.bookingNotFound' || !!v;
    const details = byId('manage-details');
    details.hidden = !v;
    if (v) {
      renderDetails(details, [
        { label: t('steps.summary.office'), value: v.officeName },
        { label: t('steps.summary.service'), value: v.serviceName },
        {
          label: t('steps.summary.when'),
          value: formatSlot({ start: v.slotStart, end: v.slotEnd }, this.language()),
        },
        { label: t('steps.summary.reason'), value: v.reason },
        { label: t('manage.statusLabel'), value: t(`manage.status.${v.status}`) },
      ]);
    }
    const cancellable = v?.status === 'booked';
    byId('manage-actions').hidden = !cancellable || this.confirming;
    byId('manage-confirm').hidden = !cancellable || !this.confirming;
    byId('btn-cancel-yes').setAttribute('aria-disabled', String(this.busy === 'cancelling'));
  }
}
