// The pages behind the links of the messages (/booking/#cancel=<token>, #reschedule=<token>): the
// booking, and one action — cancel it, or move it to another free time of the same service. The
// token stays in the fragment and goes to the server in a POST body. A link tampered with, expired,
// already used or for a cancelled booking gets its own sentence and changes nothing (M-2).
import type { LinkView as Link } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { formatSlot } from '../common/calendar.ts';
import { bookingApi, failureKey } from './api-client.ts';
import { renderDetails, setMessage, showStep } from './render.ts';

export type LinkAction = 'cancel' | 'reschedule';

/** Local date (YYYY-MM-DD) of the device: the first day whose free times are offered. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export class LinkPage {
  private action: LinkAction = 'cancel';
  private token = '';
  private link: Link | undefined;
  private slots: { start: string; end: string }[] = [];
  private failure: string | undefined;
  private status: string | undefined;
  private busy = false;
  private done = false;
  private generation = 0;

  constructor(private readonly language: () => string) {
    byId('btn-link-cancel').addEventListener('click', () => void this.cancel());
    byId('btn-link-move').addEventListener('click', () => void this.move());
  }

  open(action: LinkAction, token: string): void {
    this.action = action;
    this.token = token;
    this.link = undefined;
    this.slots = [];
    this.failure = undefined;
    this.status = 'link.loading';
    this.done = false;
    this.render();
    showStep('link', true);
    void this.load();
  }

  private async load(): Promise<void> {
    const generation = ++this.generation;
    try {
      const link = await bookingApi.readLink(this.token);
      if (generation !== this.generation) return;
      if (link.purpose !== this.action) throw new Error('purpose');
      this.link = link;
      if (this.action === 'reschedule') {
        const days = await bookingApi.slotDays(link.serviceId, today(), 14);
        if (generation !== this.generation) return;
        this.slots = days.flatMap((d) => d.slots).filter((s) => s.start !== link.booking.slotStart);
      }
      this.status = undefined;
    } catch (err) {
      if (generation !== this.generation) return;
      this.failure =
        err instanceof Error && err.message === 'purpose' ? 'errors.linkInvalid' : failureKey(err);
      this.status = undefined;
    }
    this.render();
  }

  private async cancel(): Promise<void> {
    if (this.busy || !this.link) return;
    this.busy = true;
    this.status = 'manage.cancelling';
    this.render();
    try {
      this.link = await bookingApi.cancelByLink(this.token);
      this.done = true;
      this.status = 'manage.cancelledNow';
    } catch (err) {
      this.failure = failureKey(err);
      this.status = undefined;
    }
    this.busy = false;
    this.render();
    byId('link-status').focus();
  }

  private async move(): Promise<void> {
    const chosen = byId<HTMLSelectElement>('link-slot').value;
    if (this.busy || !this.link || !chosen) return;
    this.busy = true;
    this.status = 'link.moving';
    this.render();
    try {
      this.link = await bookingApi.rescheduleByLink(this.token, chosen);
      this.done = true;
      this.status = 'link.movedNow';
    } catch (err) {
      this.failure = failureKey(err);
      this.status = undefined;
    }
    this.busy = false;
    this.render();
    byId('link-status').focus();
  }

  render(): void {
    const lang = this.language();
    byId('link-title').textContent = t(
      this.action === 'cancel' ? 'link.cancelTitle' : 'link.rescheduleTitle',
    );
    setMessage('link-alert', this.failure);
    setMessage('link-status', this.status);
    const b = this.link?.booking;
    const details = byId('link-details');
    details.hidden = !b || !!this.failure;
    if (b) {
      renderDetails(details, [
        { label: t('steps.summary.office'), value: b.officeName },
        { label: t('steps.summary.service'), value: b.serviceName },
        { label: t('steps.summary.when'), value: formatSlot({ start: b.slotStart, end: b.slotEnd }, lang) },
        { label: t('manage.statusLabel'), value: t(`manage.status.${b.status}`) },
      ]);
    }
    const open = !!b && !this.failure && !this.done;
    byId('link-cancel').hidden = !open || this.action !== 'cancel';
    byId('link-reschedule').hidden = !open || this.action !== 'reschedule';
    const select = byId<HTMLSelectElement>('link-slot');
    const selected = select.value;
    select.replaceChildren(
      ...this.slots.map((s) => {
        const o = document.createElement('option');
        o.value = s.start;
        o.textContent = formatSlot(s, lang);
        o.selected = s.start === selected;
        return o;
      }),
    );
    setMessage(
      'link-no-slots',
      open && this.action === 'reschedule' && this.slots.length === 0 ? 'link.noSlots' : undefined,
    );
    for (const id of ['btn-link-cancel', 'btn-link-move'])
      byId(id).setAttribute('aria-disabled', String(this.busy));
  }
}
