// The totem's page: renders the core's state and turns touches and keys into kiosk API requests.
// It holds no state of its own beyond what is on screen, and no citizen data after a call.
import type { KeypadKey, KioskScreen, KioskState } from '@sportello/protocol';
import it from '../../shared/common/locales/it.json';
import en from '../../shared/common/locales/en.json';
import { applyTranslations, initI18n, setLanguage, t } from '../../shared/browser/i18n.ts';
import { byId, showScreen } from '../../shared/browser/dom.ts';
import { RoomClient, type MediaStats } from '../../shared/browser/room-client.ts';
import { formatBookingCode } from '@sportello/protocol';
import { CameraPrewarm } from '../../shared/browser/media-prewarm.ts';
import { getKioskApi } from './kiosk-api-client.ts';

declare global {
  interface Window {
    /** Inbound media figures, read by the end-to-end tests and the self-test. */
    sportelloMedia?: { stats(): Promise<MediaStats> };
  }
}

const api = getKioskApi();
let current: KioskState | undefined;
let room: RoomClient | undefined;
let localStream: MediaStream | undefined;
let roomCallId: string | undefined;
/** Camera and microphone opened while the call waits and rings (fast setup on accept). */
const prewarm = new CameraPrewarm();

function render(state: KioskState): void {
  const previous = current;
  current = state;
  if (previous?.language !== state.language) {
    void setLanguage(state.language).then(() => {
      applyTranslations();
      renderDynamic(state);
    });
  }
  byId('offline').hidden = state.online;
  renderHandset(state);
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === state.language));
  }
  showScreen(state.screen.screen);
  renderDynamic(state);
  syncMedia(state);
}

/**
 * A handset that is configured but does not work gets a banner saying that the screen still does,
 * and the idle hint stops inviting people to lift it.
 */
function renderHandset(state: KioskState): void {
  const handset = state.devices?.handset.state ?? 'none';
  const broken = handset === 'missing' || handset === 'error';
  byId('handset-unavailable').hidden = !broken;
  const hint = byId('idle-hint');
  hint.dataset.i18n = broken ? 'kiosk.idle.hintNoHandset' : 'kiosk.idle.hint';
  hint.textContent = t(hint.dataset.i18n);
}

function renderDynamic(state: KioskState): void {
  const s = state.screen;
  switch (s.screen) {
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
      byId('ended-callback').hidden = s.reason !== 'connection-lost';
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

/** Joins the room when a call starts and leaves it, releasing camera and microphone, when it ends. */
function syncMedia(state: KioskState): void {
  const s = state.screen;
  if (s.screen === 'waiting') prewarm.warm();
  else if (s.screen !== 'in-call') prewarm.release();
  if (s.screen === 'in-call' && roomCallId !== s.media.callId) {
    roomCallId = s.media.callId;
    void joinRoom(s.media.serverUrl, s.media.token);
  } else if (s.screen !== 'in-call' && roomCallId) {
    leaveRoom();
  }
}

async function joinRoom(serverUrl: string, token: string): Promise<void> {
  const status = byId('call-status');
  status.textContent = t('kiosk.call.connecting');
  try {
    localStream = await prewarm.take();
    byId<HTMLVideoElement>('self-video').srcObject = localStream;
    room = new RoomClient(serverUrl, token, localStream);
    room.onRemoteTrack = () => {
      byId<HTMLVideoElement>('remote-video').srcObject = room!.remoteStream;
      status.textContent = '';
    };
    // Never "in a call" with no media for long: say that it is reconnecting.
    room.onHealth = (health) => (byId('call-reconnecting').hidden = health !== 'reconnecting');
    window.sportelloMedia = room;
    await room.join();
  } catch (err) {
    console.error('media failed', err);
    status.textContent = t('kiosk.call.mediaError');
  }
}

function leaveRoom(): void {
  roomCallId = undefined;
  byId('call-reconnecting').hidden = true;
  room?.close();
  room = undefined;
  delete window.sportelloMedia;
  for (const track of localStream?.getTracks() ?? []) track.stop();
  localStream = undefined;
  byId<HTMLVideoElement>('remote-video').srcObject = null;
  byId<HTMLVideoElement>('self-video').srcObject = null;
}

function on(id: string, fn: () => unknown): void {
  byId(id).addEventListener('click', () => void fn());
}

async function main(): Promise<void> {
  await initI18n({ it: { translation: it }, en: { translation: en } }, 'it');
  applyTranslations();
  on('btn-have-code', () => api.openCodeEntry());
  on('btn-walk-in', () => api.startWalkIn());
  on('btn-code-back', () => api.backToIdle());
  on('btn-retry', () => api.openCodeEntry());
  on('btn-rejected-walk-in', () => api.startWalkIn());
  on('btn-rejected-home', () => api.backToIdle());
  on('btn-waiting-cancel', () => api.hangUp());
  on('btn-waiting-callback', () => api.requestCallback());
  on('btn-hang-up', () => api.hangUp());
  on('btn-offhook-walk-in', () => api.startWalkIn());
  on('btn-offhook-home', () => api.backToIdle());
  on('btn-callback', () => api.requestCallback());
  on('btn-ended-callback', () => api.requestCallback());
  on('btn-offline-home', () => api.backToIdle());
  on('btn-callback-confirm', () => api.pressKey('enter'));
  on('btn-callback-back', () => api.backToIdle());
  on('btn-callback-done-home', () => api.backToIdle());
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang')) {
    b.addEventListener('click', () => void api.setLanguage(b.dataset.lang === 'en' ? 'en' : 'it'));
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('#keypad button, #callback-keypad button')) {
    b.addEventListener('click', () => void api.pressKey(b.dataset.key as KeypadKey));
  }
  // A keypad that is a USB keyboard types here: digits, Backspace, Enter, Escape; '#' confirms and
  // '*' deletes, as on the handset's keypad.
  document.addEventListener('keydown', (ev) => {
    const map: Record<string, KeypadKey> = {
      Backspace: 'back',
      Enter: 'enter',
      Delete: 'clear',
      '#': 'enter',
      '*': 'back',
      '+': 'plus',
    };
    const key = /^[0-9]$/.test(ev.key) ? (ev.key as KeypadKey) : map[ev.key];
    if (key) {
      ev.preventDefault();
      void api.pressKey(key);
    } else if (ev.key === 'Escape') {
      void api.backToIdle();
    }
  });
  api.onState(render);
  const first = await api.getState();
  if (first.ok) render(first.value);
}

void main();
