// What each screen shows of the kiosk state beyond its static text: the digits typed, the refusal,
// the queue, the operator's name, why a call ended, why the totem is out of service.
import type { KioskScreen, KioskState } from '@sportello/protocol';
import { formatBookingCode } from '@sportello/protocol';
import { t } from '../../shared/browser/i18n.ts';
import { byId } from '../../shared/browser/dom.ts';

/**
 * A handset that is configured but does not work gets a banner saying that the screen still does,
 * and the idle hint stops inviting people to lift it.
 */
export function renderHandset(state: KioskState): void {
  const handset = state.devices?.handset.state ?? 'none';
  const broken = handset === 'missing' || handset === 'error';
  byId('handset-unavailable').hidden = !broken;
  const hint = byId('idle-hint');
  hint.dataset.i18n = broken || handset === 'none' ? 'kiosk.idle.hintNoHandset' : 'kiosk.idle.hint';
  hint.textContent = t(hint.dataset.i18n);
}

/** The out-of-service reasons the citizen gets a sentence for; any other is "stopped by the offices". */
const KNOWN_STOPS = ['disk-full', 'crash-loop'] as const;

/** What a citizen left on any screen: emptied whenever the kiosk is back at idle (K-4). */
const CITIZEN_FIELDS = [
  'code-digits',
  'waiting-digits',
  'waiting-code-status',
  'callback-digits',
  'call-with',
  'rejected-message',
  'ended-message',
];

export function renderDynamic(state: KioskState): void {
  const s = state.screen;
  switch (s.screen) {
    case 'idle':
      for (const id of CITIZEN_FIELDS) byId(id).textContent = '';
      break;
    case 'code-entry':
      byId('code-digits').textContent = formatBookingCode(s.digits);
      break;
    case 'rejected':
      byId('rejected-message').textContent =
        s.reason === 'throttled' && s.retryInSeconds
          ? t('kiosk.rejected.throttledFor', { seconds: s.retryInSeconds })
          : t(`kiosk.rejected.${s.reason}`);
      byId('btn-retry').hidden =
        s.reason === 'unavailable' || s.reason === 'used' || s.reason === 'cancelled';
      break;
    case 'waiting':
      renderWaiting(s, state.devices?.handset.offHook === true);
      break;
    case 'in-call':
      byId('call-with').textContent = t('kiosk.call.with', { name: s.operatorName });
      break;
    case 'ended':
      byId('ended-message').textContent = t(`kiosk.ended.${s.reason}`);
      // After a lost connection (W-3) the citizen is offered a call-back on the same screen.
      byId('btn-ended-callback').hidden = s.reason !== 'connection-lost';
      break;
    case 'callback-entry': {
      byId('callback-digits').textContent = s.digits;
      const hint = byId('callback-hint');
      hint.dataset.i18n = s.invalid
        ? 'kiosk.callback.tooShort'
        : s.inQueue
          ? 'kiosk.callback.inQueueHint'
          : 'kiosk.callback.hint';
      hint.textContent = t(hint.dataset.i18n);
      break;
    }
    case 'out-of-service': {
      const known = KNOWN_STOPS.find((k) => s.reason.startsWith(k));
      byId('oos-why').textContent = t(`kiosk.outOfService.reasons.${known ?? 'other'}`);
      // The reason as the core gave it, for the technician the citizen may call.
      byId('oos-reason').textContent = t('kiosk.outOfService.reason', { reason: s.reason });
      break;
    }
    default:
      break;
  }
}

/**
 * Waiting: where the item stands and the estimate, the call-back offer, and with the
 * handset lifted on a walk-in, the prompt to type a booking code and '#'.
 */
function renderWaiting(s: Extract<KioskScreen, { screen: 'waiting' }>, offHook: boolean): void {
  byId('waiting-message').textContent = t(`kiosk.waiting.${s.kind}`);
  const position = byId('waiting-position');
  const estimate = byId('waiting-estimate');
  const q = s.queue;
  position.hidden = !q;
  estimate.hidden = !q;
  if (q) {
    position.dataset.position = String(q.position);
    position.dataset.phase = q.phase;
    position.textContent =
      q.phase === 'ringing'
        ? t('kiosk.waiting.ringing')
        : q.phase === 'grace'
          ? t('kiosk.waiting.grace')
          : q.phase === 'early'
            ? t('kiosk.waiting.early')
            : q.position === 1
              ? t('kiosk.waiting.next')
              : t('kiosk.waiting.position', { position: q.position });
    estimate.textContent =
      q.estimatedWaitSeconds === null
        ? t('kiosk.waiting.noOperator')
        : q.estimatedWaitSeconds < 60
          ? t('kiosk.waiting.estimateSoon')
          : t('kiosk.waiting.estimate', { minutes: Math.round(q.estimatedWaitSeconds / 60) });
  }
  byId('waiting-callback-offer').hidden = s.callbackOffered !== true;
  byId('btn-waiting-callback').classList.toggle('primary', s.callbackOffered === true);
  byId('waiting-callback-key').hidden = !offHook;
  const typing = s.digits !== undefined || s.codeChecking === true || s.codeError !== undefined;
  byId('waiting-code').hidden = !(s.kind === 'walk-in' && (offHook || typing));
  byId('waiting-digits').textContent = formatBookingCode(s.digits ?? '');
  byId('waiting-code-status').textContent = s.codeChecking
    ? t('kiosk.waiting.codeChecking')
    : s.codeError
      ? t(`kiosk.rejected.${s.codeError}`)
      : '';
}
