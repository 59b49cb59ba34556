// The console's call-back queue: requests citizens left at a totem when no operator could be
// reached. Read every 15 s while signed in; "called back" closes one for everyone.
import { OPERATOR_ROUTES, type OperatorCallback } from '@sportello/protocol';
import { ApiClient, ApiFailure } from '../../shared/browser/api-client.ts';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';

const REFRESH_MS = 15_000;

export class CallbackQueue {
  private timer: ReturnType<typeof setInterval> | undefined;
  private items: OperatorCallback[] = [];

  private readonly api = new ApiClient();

  constructor(
    token: string,
    private readonly onError: (message: string) => void,
  ) {
    this.api.token = token;
  }

  start(): void {
    byId('callbacks').hidden = false;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    try {
      this.items = await this.api.call(OPERATOR_ROUTES.listCallbacks, { query: {} });
      this.render();
    } catch {
      // The next refresh tries again; the console's own connection status says what is wrong.
    }
  }

  render(): void {
    const list = byId('callback-list');
    list.replaceChildren(...this.items.map((c) => this.item(c)));
    byId('callbacks-empty').hidden = this.items.length > 0;
  }

  private item(c: OperatorCallback): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.callback = c.id;
    const text = document.createElement('div');
    const phone = document.createElement('a');
    phone.href = `tel:${c.phone.replace(/\s/g, '')}`;
    phone.textContent = t('operator.callbacks.phone', { phone: c.phone });
    const when = document.createElement('p');
    const time = new Date(c.receivedAt).toLocaleTimeString([], {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    when.textContent = t('operator.callbacks.received', { time, totem: c.totemId });
    text.append(phone, when);
    if (c.bookingId) {
      const booked = document.createElement('p');
      booked.textContent = t('operator.callbacks.booked');
      text.append(booked);
    }
    const done = document.createElement('button');
    done.textContent = t('operator.callbacks.done');
    done.addEventListener('click', () => void this.markDone(c.id));
    li.append(text, done);
    return li;
  }

  private async markDone(id: string): Promise<void> {
    try {
      await this.api.call(OPERATOR_ROUTES.completeCallback, { params: { id } });
    } catch (err) {
      const message = err instanceof ApiFailure ? (err.status ? String(err.status) : err.code) : String(err);
      this.onError(t('operator.errors.action', { message }));
      return;
    }
    this.items = this.items.filter((c) => c.id !== id);
    this.render();
  }
}
