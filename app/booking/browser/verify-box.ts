// The box on the confirmation step when the abuse limits hold a booking: the code sent to the
// citizen's e-mail or phone is typed here before the hold runs out. One booking never sees it.
import type { BookingCreated } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { bookingApi, failureKey } from './api-client.ts';
import { setMessage } from './render.ts';

export class VerifyBox {
  private token = '';
  private verified = false;
  private busy = false;
  private alert: string | undefined;

  constructor(private readonly changed: () => void) {
    byId('btn-verify').addEventListener('click', () => void this.submit());
  }

  render(booking: BookingCreated, lang: string): void {
    if (booking.manageToken !== this.token) {
      this.token = booking.manageToken;
      this.verified = false;
      this.alert = undefined;
    }
    const hold = booking.verification;
    byId('done-verify').hidden = !hold;
    if (hold) {
      const time = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' }).format(
        new Date(hold.expiresAt),
      );
      byId('done-verify-intro').textContent = t(`verify.intro_${hold.channel}`, { time });
    }
    byId<HTMLInputElement>('verify-code').disabled = this.verified;
    byId('btn-verify').hidden = this.verified;
    setMessage('verify-alert', this.alert);
    setMessage('verify-status', this.busy ? 'verify.sending' : this.verified ? 'verify.done' : undefined);
  }

  private async submit(): Promise<void> {
    const code = byId<HTMLInputElement>('verify-code').value.replace(/\D/g, '');
    if (this.busy || this.verified) return;
    if (code.length !== 6) {
      this.alert = 'errors.verificationWrong';
      return this.changed();
    }
    this.busy = true;
    this.alert = undefined;
    this.changed();
    try {
      await bookingApi.verifyBooking(this.token, code);
      this.verified = true;
    } catch (err) {
      this.alert = failureKey(err);
    }
    this.busy = false;
    this.changed();
  }
}
