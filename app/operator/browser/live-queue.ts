// The console's live queue: the calls waiting in the operator's offices (booked and walk-in, in the
// order they will be served, with their waiting time, phase and reason) and the open call-back
// requests, in one list. The server pushes the whole list on every change (queue:list), so nothing
// here polls; a local tick only counts the waiting minutes on between pushes.
import {
  OPERATOR_ROUTES,
  type ConsoleCallbackItem,
  type ConsoleCallItem,
  type ConsoleQueue,
} from '@sportello/protocol';
import { ApiClient, ApiFailure } from '../../shared/browser/api-client.ts';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';

/** How often the shown waiting times are counted on; the list itself only changes on a push. */
const TICK_MS = 20_000;

const clock = (iso: string) =>
  new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

export class LiveQueue {
  private queue: ConsoleQueue | undefined;
  /** Server time minus this browser's clock when the list came, so waits count from the server's. */
  private offsetMs = 0;
  private ticker: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly token: string,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    byId('queue').hidden = false;
    this.render();
    this.ticker = setInterval(() => this.render(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.ticker);
  }

  /** A pushed list (or the answer to queue:get). */
  show(queue: ConsoleQueue): void {
    this.queue = queue;
    this.offsetMs = Date.parse(queue.serverTime) - Date.now();
    this.render();
  }

  render(): void {
    const items = this.queue?.items ?? [];
    byId('queue-list').replaceChildren(
      ...items.map((i) => (i.kind === 'callback' ? this.callback(i) : this.call(i))),
    );
    byId('queue-empty').hidden = items.length > 0;
  }

  private call(c: ConsoleCallItem): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.call = c.callId;
    li.dataset.kind = c.kind;
    li.dataset.phase = c.phase;
    const text = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = t(`operator.queue.${c.kind}`);
    const minutes = Math.max(0, Math.floor((Date.now() + this.offsetMs - Date.parse(c.queuedAt)) / 60_000));
    const wait = document.createElement('p');
    wait.className = 'queue-wait';
    wait.textContent = t('operator.queue.waiting', { minutes, office: c.officeName });
    const phase = document.createElement('p');
    phase.textContent =
      c.phase === 'grace' && c.assignedToYou
        ? t('operator.queue.graceYou')
        : t(`operator.queue.phase.${c.phase}`);
    text.append(title, wait, phase);
    if (c.fromHome) {
      li.dataset.fromHome = 'true';
      text.append(line(t('operator.ring.fromHome')));
    }
    if (c.slotStart) text.append(line(t('operator.ring.slot', { time: clock(c.slotStart) })));
    if (c.serviceName) text.append(line(t('operator.ring.service', { service: c.serviceName })));
    if (c.reason) text.append(line(t('operator.ring.reason', { reason: c.reason })));
    if (c.assignedToYou) li.classList.add('yours');
    li.append(text);
    return li;
  }

  private callback(c: ConsoleCallbackItem): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.callback = c.id;
    li.dataset.kind = 'callback';
    const text = document.createElement('div');
    const title = document.createElement('strong');
    title.textContent = t('operator.callbacks.title');
    const phone = document.createElement('a');
    phone.href = `tel:${c.phone.replace(/\s/g, '')}`;
    phone.textContent = t('operator.callbacks.phone', { phone: c.phone });
    text.append(
      title,
      phone,
      line(t('operator.callbacks.received', { time: clock(c.receivedAt), totem: c.totemId })),
    );
    if (c.bookingId) text.append(line(t('operator.callbacks.booked')));
    const done = document.createElement('button');
    done.textContent = t('operator.callbacks.done');
    done.addEventListener('click', () => void this.markDone(c.id));
    li.append(text, done);
    return li;
  }

  private async markDone(id: string): Promise<void> {
    const api = new ApiClient();
    api.token = this.token;
    try {
      await api.call(OPERATOR_ROUTES.completeCallback, { params: { id } });
    } catch (err) {
      const message = err instanceof ApiFailure ? (err.status ? String(err.status) : err.code) : String(err);
      this.onError(t('operator.errors.action', { message }));
      return;
    }
    // The server pushes the new list to every console; this one need not wait for it.
    if (this.queue) {
      this.queue = {
        ...this.queue,
        items: this.queue.items.filter((i) => i.kind !== 'callback' || i.id !== id),
      };
    }
    this.render();
  }
}

function line(text: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  return p;
}
