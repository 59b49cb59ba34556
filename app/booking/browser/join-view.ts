// The join page of a video appointment from home (/booking/#join=<token>). The link's state comes
// from the server: early (come back at…), open (check the devices, then join the queue), done;
// late, cancelled, replaced and invalid links each get their own page and change nothing (M-2).
// Joining takes the same queue as a totem's check-in; the call uses the kiosk's media client.
import type { JoinView } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { formatSlot, formatTime } from '../common/calendar.ts';
import { ApiFailure, bookingApi, failureKey } from './api-client.ts';
import { DeviceCheck } from './device-check.ts';
import { HomeCall, type HomeCallEvent } from './home-call.ts';
import { renderDetails, setMessage, showStep } from './render.ts';

/** What the page shows; each one has its own heading. */
export type JoinScreen =
  | 'loading'
  | 'early'
  | 'open'
  | 'waiting'
  | 'in-call'
  | 'ended'
  | 'done'
  | 'late'
  | 'cancelled'
  | 'used'
  | 'invalid'
  | 'error';

/** The page for each refusal of the server (codes of LINK_FAILURES and the join view). */
const FAILURE_SCREENS: Record<string, JoinScreen> = {
  'link-expired': 'late',
  'booking-cancelled': 'cancelled',
  'link-used': 'used',
  'link-invalid': 'invalid',
};

export class JoinPage {
  screen: JoinScreen = 'loading';
  private token = '';
  private view: JoinView | undefined;
  private failure: string | undefined;
  private status: { key: string; options?: Record<string, unknown> } | undefined;
  private readonly devices = new DeviceCheck();
  private call: HomeCall | undefined;
  private operatorName = '';

  constructor(private readonly language: () => string) {
    byId('btn-join-check').addEventListener('click', () => void this.check());
    byId('btn-join-speaker').addEventListener('click', () => void this.speaker());
    byId('btn-join').addEventListener('click', () => void this.join());
    byId('btn-join-hang-up').addEventListener('click', () => this.call?.hangUp());
    byId('btn-join-again').addEventListener('click', () => void this.load());
  }

  open(token: string): void {
    this.token = token;
    this.show('loading');
    showStep('join', true);
    void this.load();
  }

  private async load(): Promise<void> {
    this.failure = undefined;
    try {
      this.view = await bookingApi.readJoin(this.token);
      this.show(this.view.state === 'early' ? 'early' : this.view.state === 'done' ? 'done' : 'open');
    } catch (err) {
      const screen = err instanceof ApiFailure ? FAILURE_SCREENS[err.code] : undefined;
      if (screen) this.show(screen);
      else {
        this.failure = failureKey(err);
        this.show('error');
      }
    }
    byId('join-title').focus();
  }

  private show(screen: JoinScreen): void {
    this.screen = screen;
    this.status =
      screen === 'loading'
        ? { key: 'join.loading' }
        : screen === 'waiting'
          ? { key: 'join.waiting.status' }
          : undefined;
    this.render();
  }

  private async check(): Promise<void> {
    setMessage('join-status', 'join.check.opening');
    const results = await this.devices.open(byId<HTMLVideoElement>('join-preview'), (level) => {
      byId<HTMLMeterElement>('join-mic-level').value = level;
    });
    setMessage(
      'join-status',
      results.camera === 'ok' && results.microphone === 'ok' ? 'join.check.allGood' : 'join.check.problem',
    );
    this.renderResults();
  }

  private async speaker(): Promise<void> {
    await this.devices.playTone();
    setMessage('join-status', 'join.check.speakerPlayed');
    this.renderResults();
  }

  private async join(): Promise<void> {
    if (!this.devices.stream) await this.check();
    if (!this.devices.stream) return;
    this.devices.stop();
    this.call?.close();
    this.call = new HomeCall(
      this.token,
      () => this.devices.stream,
      (e) => this.onCall(e),
    );
    this.show('waiting');
    this.call.join();
  }

  private onCall(e: HomeCallEvent): void {
    switch (e.kind) {
      case 'queued': {
        this.screen = 'waiting';
        const s = e.status;
        this.status = s
          ? s.phase === 'early'
            ? { key: 'join.waiting.early' }
            : { key: 'join.waiting.position', options: { position: s.position } }
          : { key: 'join.waiting.status' };
        this.render();
        return;
      }
      case 'in-call':
        this.operatorName = e.operatorName;
        this.screen = 'in-call';
        this.status = { key: 'join.call.connecting' };
        byId<HTMLVideoElement>('join-self').srcObject = this.devices.stream ?? null;
        this.render();
        byId('join-title').focus();
        return;
      case 'remote-media':
        byId<HTMLVideoElement>('join-remote').srcObject = this.call?.remoteStream ?? null;
        this.status = undefined;
        this.render();
        return;
      case 'ended':
        this.endCall();
        this.show('ended');
        byId('join-title').focus();
        return;
      case 'refused':
        this.endCall();
        void this.load();
        return;
      case 'connection-lost':
        this.status = { key: 'join.reconnecting' };
        this.render();
        return;
    }
  }

  private endCall(): void {
    this.call?.close();
    this.call = undefined;
    this.devices.stop(true);
    byId<HTMLVideoElement>('join-remote').srcObject = null;
    byId<HTMLVideoElement>('join-self').srcObject = null;
    byId<HTMLVideoElement>('join-preview').srcObject = null;
  }

  private renderResults(): void {
    const r = this.devices.results;
    const items = (['camera', 'microphone', 'speaker'] as const)
      .filter((d) => r[d] !== 'unknown')
      .map((d) => {
        const li = document.createElement('li');
        li.dataset.device = d;
        li.dataset.result = r[d];
        li.textContent = t(`join.check.result.${d}.${r[d]}`);
        return li;
      });
    byId('join-results').replaceChildren(...items);
  }

  render(): void {
    const lang = this.language();
    const s = this.screen;
    byId('join-title').textContent = t(`join.title.${s}`, { name: this.operatorName });
    const v = this.view;
    const when = v ? formatSlot({ start: v.booking.slotStart, end: v.booking.slotEnd }, lang) : '';
    const intro =
      s === 'early' && v
        ? t('join.intro.early', { when, time: formatTime(v.opensAt, lang) })
        : s === 'open' && v
          ? t('join.intro.open', { time: formatTime(v.closesAt, lang) })
          : ['late', 'cancelled', 'used', 'invalid', 'done', 'ended', 'waiting'].includes(s)
            ? t(`join.intro.${s}`)
            : '';
    byId('join-intro').textContent = intro;
    setMessage('join-alert', this.failure);
    setMessage('join-status', this.status?.key, this.status?.options);
    const details = byId('join-details');
    details.hidden = !v || !['early', 'open', 'waiting', 'done'].includes(s);
    if (v) {
      renderDetails(details, [
        { label: t('steps.summary.office'), value: v.booking.officeName },
        { label: t('steps.summary.service'), value: v.booking.serviceName },
        { label: t('steps.summary.when'), value: when },
      ]);
    }
    // The devices can be checked as soon as the link is known, even before the time.
    byId('join-check').hidden = s !== 'open' && s !== 'early';
    byId('btn-join').hidden = s !== 'open';
    byId('join-call').hidden = s !== 'in-call' && s !== 'waiting';
    byId('join-remote').hidden = s !== 'in-call';
    byId('join-self').hidden = s !== 'in-call';
    byId('btn-join-hang-up').textContent = t(s === 'waiting' ? 'join.leave' : 'join.hangUp');
    byId('join-again').hidden = !['early', 'ended', 'error'].includes(s);
    this.renderResults();
    showStep('join', false);
  }
}
