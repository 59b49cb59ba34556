// The totem's page: renders the core's state and turns touches and keys into kiosk API requests.
// It holds no state of its own beyond what is on screen and the citizen's reading modes, and no
// citizen data after a call. Every screen change is announced with a `kiosk-screen` event on
// document (screens.ts), which the audio guidance follows.
import type { KeypadKey, KioskState, Language } from '@sportello/protocol';
import { DEFAULT_KIOSK_DISPLAY, KeypadSequence, LANGUAGES, READING_MODE_STEP } from '@sportello/protocol';
import it from '../common/locales/it.json';
import en from '../common/locales/en.json';
import de from '../common/locales/de.json';
import fr from '../common/locales/fr.json';
import sl from '../common/locales/sl.json';
import { applyTranslations, initI18n, setLanguage, t } from '../../shared/browser/i18n.ts';
import { byId, showScreen } from '../../shared/browser/dom.ts';
import type { MediaStats, RoomClient } from '../../shared/browser/room-client.ts';
import type * as RoomCode from '../../shared/browser/room-client.ts';
import { KIOSK_SCREEN_EVENT, type KioskScreenEventDetail, type KioskScreenId } from '../common/screens.ts';
import { CameraPrewarm } from '../../shared/browser/media-prewarm.ts';
import { RoomPrewarm } from '../../shared/browser/room-prewarm.ts';
import { getKioskApi } from './kiosk-api-client.ts';
import { AudioGuide } from './audio-guide.ts';
import { applyMicrophoneMute } from './microphone-mute.ts';
import { CallMicrophone } from './call-microphone.ts';
import { applyDisplay, layout, translateDisplay } from './display.ts';
import { resetModes, stepModes, wireModes } from './modes.ts';
import { setClockLanguage, startClock } from './clock.ts';
import { renderDynamic, renderHandset } from './render.ts';
import { TimeoutWarning } from './timeout-warning.ts';
import { IdleReset } from './idle-reset.ts';
import { renderVideoNotice } from '../../shared/browser/video-notice.ts';

declare global {
  interface Window {
    /** Inbound media figures, read by the end-to-end tests and the self-test. */
    sportelloMedia?: { stats(): Promise<MediaStats> };
  }
}

const api = getKioskApi();
let current: KioskState | undefined;
let announced: string | undefined;
let room: RoomClient | undefined;
/**
 * The call's code (mediasoup-client, about 370 KB of the page's 600) is loaded when a call comes
 * near (the waiting screen) rather than with the page: the idle screen is up sooner at start.
 */
let roomCode: Promise<typeof RoomCode> | undefined;
const loadRoomCode = () => (roomCode ??= import('../../shared/browser/room-client.ts'));
let localStream: MediaStream | undefined;
let roomCallId: string | undefined;
const audioGuide = new AudioGuide();

const warning = new TimeoutWarning({
  warnBeforeMs: () => (current?.display ?? DEFAULT_KIOSK_DISPLAY).warnBeforeMs,
  extend: () => void api.extendTime(),
  changed: () => announce(),
});

const idleReset = new IdleReset(() => {
  resetModes(layout);
  if (current && current.language !== LANGUAGES[0]) void api.setLanguage(LANGUAGES[0]);
});

/** Tells listeners (the audio guidance) which screen, or overlay, is in front now. */
function announce(): void {
  if (!current) return;
  const screen: KioskScreenId = warning.open ? 'timeout-warning' : current.screen.screen;
  const key = `${screen}|${current.language}`;
  if (key === announced) return;
  announced = key;
  const detail: KioskScreenEventDetail = { screen, language: current.language };
  document.dispatchEvent(new CustomEvent(KIOSK_SCREEN_EVENT, { detail }));
}

/**
 * A physical key the screen did not take: on idle, '*' steps to the next language, so that a
 * citizen who uses the keypad alone (and the audio guidance) can choose theirs; on any screen,
 * '*' '#' steps the reading modes (U-1, keypad-sequence.ts).
 */
function keypadOnPage(state: KioskState, previous: KioskState | undefined): void {
  const k = state.keypad;
  if (!k || k.seq === previous?.keypad?.seq || previous === undefined) return;
  idleReset.follow(state.screen.screen);
  if (k.key === READING_MODE_STEP) return stepModes(layout);
  if (state.screen.screen !== 'idle' || k.key !== 'back') return;
  const next = LANGUAGES[(LANGUAGES.indexOf(state.language) + 1) % LANGUAGES.length]!;
  void api.setLanguage(next);
}

/** The call's microphone: the handset's while it is lifted (call-microphone.ts). */
const callMicrophone = new CallMicrophone();
const followMicrophone = () =>
  callMicrophone.follow(localStream, room, () => applyMicrophoneMute(current, localStream, room));

/** Camera and microphone opened while the call waits and rings (fast setup on accept). */
const prewarm = new CameraPrewarm(() => callMicrophone.constraints());
/** The call's room, joined with that camera while the call waits (room-prewarm.ts). */
const roomPrewarm = new RoomPrewarm();

function render(state: KioskState): void {
  const previous = current;
  current = state;
  keypadOnPage(state, previous);
  // A citizen the kiosk forgot on its own takes their reading modes with them (K-4).
  if (previous && previous.citizenSeq !== state.citizenSeq) resetModes(layout);
  applyDisplay(state.display ?? DEFAULT_KIOSK_DISPLAY);
  if (previous?.language !== state.language) {
    void setLanguage(state.language).then(() => {
      applyTranslations();
      translateDisplay();
      setClockLanguage(state.language);
      renderHandset(state);
      renderDynamic(state);
      layout();
    });
  }
  byId('offline').hidden = state.online;
  renderHandset(state);
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang')) {
    b.setAttribute('aria-pressed', String(b.dataset.lang === state.language));
  }
  if (previous?.screen.screen !== state.screen.screen) {
    showScreen(state.screen.screen);
    document.querySelector('main')!.scrollTop = 0;
    idleReset.follow(state.screen.screen);
  }
  renderDynamic(state);
  warning.follow(state.timer);
  layout();
  if (callMicrophone.setState(state)) followMicrophone();
  syncMedia(state);
  audioGuide.setState(state);
  applyMicrophoneMute(state, localStream, room);
  announce();
}

/** Joins the room when a call starts and leaves it, releasing camera and microphone, when it ends. */
function syncMedia(state: KioskState): void {
  const s = state.screen;
  if (s.screen === 'waiting') {
    void loadRoomCode();
    // The room's token comes with the request's answer; until then, and without one, the camera.
    if (s.media && !roomPrewarm.holds(s.media.callId)) roomPrewarm.start(s.media, prewarm.take());
    else if (!s.media && !roomPrewarm.holds()) prewarm.warm();
    if (s.media && s.queue?.phase === 'ringing') roomPrewarm.ringing(s.media.callId);
  } else if (s.screen !== 'in-call') {
    prewarm.release();
    void roomPrewarm.drop(true);
  }
  if (s.screen === 'in-call' && roomCallId !== s.media.callId) {
    roomCallId = s.media.callId;
    void joinRoom(s.media.serverUrl, s.media.token, s.media.callId);
  } else if (s.screen !== 'in-call' && roomCallId) {
    leaveRoom();
  }
}

async function joinRoom(serverUrl: string, token: string, callId: string): Promise<void> {
  const status = byId('call-status');
  status.textContent = t('kiosk.call.connecting');
  try {
    // Joined while waiting (fast setup): only consume and resume remain; else join now.
    const warm = await roomPrewarm.take(callId);
    localStream = warm?.stream ?? (await prewarm.take());
    byId<HTMLVideoElement>('self-video').srcObject = localStream;
    room = warm?.room ?? new (await loadRoomCode()).RoomClient(serverUrl, token, localStream);
    room.onRemoteTrack = () => {
      byId<HTMLVideoElement>('remote-video').srcObject = room!.remoteStream;
      status.textContent = '';
    };
    room.onVideoNotice = (levels) => renderVideoNotice(byId('video-notice'), levels, 'kiosk', 'kiosk.call');
    // Never "in a call" with no media for long: say that it is reconnecting.
    room.onHealth = (health) => (byId('call-reconnecting').hidden = health !== 'reconnecting');
    // A spent token (single-use) is replaced by the one the core asks the server for.
    room.renewToken = async () => {
      const r = await api.renewMediaToken();
      const s = r.ok ? r.value.screen : undefined;
      return s?.screen === 'in-call' && s.media.callId === callId ? s.media.token : undefined;
    };
    window.sportelloMedia = room;
    // The answer may have brought the operator's tracks before this page took the room.
    if (room.remoteStream.getTracks().length > 0) room.onRemoteTrack();
    if (!warm?.room) await room.join();
    applyMicrophoneMute(current, localStream, room);
    // Lifted after the microphone opened (or a call started by touch): the handset's from now.
    followMicrophone();
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
  byId('video-notice').hidden = true;
}

function on(id: string, fn: () => unknown): void {
  byId(id).addEventListener('click', () => void fn());
}

/** "Start again" on idle: the default language and no reading modes, as for a new citizen. */
function restart(): void {
  resetModes(layout);
  void api.setLanguage(LANGUAGES[0]);
  void api.backToIdle();
}

const isLanguage = (v: string | undefined): v is Language =>
  (LANGUAGES as readonly string[]).includes(v ?? '');

async function main(): Promise<void> {
  audioGuide.follow(byId<HTMLVideoElement>('remote-video'));
  await initI18n(
    {
      it: { translation: it },
      en: { translation: en },
      de: { translation: de },
      fr: { translation: fr },
      sl: { translation: sl },
    },
    'it',
  );
  applyTranslations();
  startClock();
  wireModes(layout);
  on('btn-idle-restart', restart);
  on('btn-have-code', () => api.openCodeEntry());
  on('btn-walk-in', () => api.startWalkIn());
  on('btn-code-back', () => api.backToIdle());
  on('btn-code-walk-in', () => api.startWalkIn());
  on('btn-checking-back', () => api.backToIdle());
  on('btn-checking-walk-in', () => api.startWalkIn());
  on('btn-retry', () => api.openCodeEntry());
  on('btn-rejected-walk-in', () => api.startWalkIn());
  on('btn-rejected-home', () => api.backToIdle());
  on('btn-waiting-cancel', () => api.hangUp());
  on('btn-waiting-callback', () => api.requestCallback());
  on('btn-hang-up', () => api.hangUp());
  on('btn-ended-home', () => api.backToIdle());
  on('btn-ended-walk-in', () => api.startWalkIn());
  on('btn-offhook-walk-in', () => api.startWalkIn());
  on('btn-offhook-home', () => api.backToIdle());
  on('btn-callback', () => api.requestCallback());
  on('btn-ended-callback', () => api.requestCallback());
  on('btn-offline-home', () => api.backToIdle());
  on('btn-callback-confirm', () => api.pressKey('enter'));
  on('btn-callback-back', () => api.backToIdle());
  on('btn-callback-done-home', () => api.backToIdle());
  on('btn-done-walk-in', () => api.startWalkIn());
  for (const b of document.querySelectorAll<HTMLButtonElement>('.lang')) {
    b.addEventListener('click', () => {
      if (isLanguage(b.dataset.lang)) void api.setLanguage(b.dataset.lang);
    });
  }
  for (const b of document.querySelectorAll<HTMLButtonElement>('#keypad button, #callback-keypad button')) {
    b.addEventListener('click', () => void api.pressKey(b.dataset.key as KeypadKey));
  }
  // A keypad that is a USB keyboard types here: digits, Backspace, Enter, Escape; '#' confirms and
  // '*' deletes, as on the handset's keypad. While "are you still there?" is open, Enter is "more
  // time" (the focused button), not a confirm of the screen behind it.
  // '*' then '#' (or Enter) steps the reading modes, as on the physical keypad (keypad-sequence.ts).
  const map: Record<string, KeypadKey> = {
    Backspace: 'back',
    Enter: 'enter',
    Delete: 'clear',
    '#': 'enter',
    '*': 'back',
    '+': 'plus',
  };
  const keyboard = new KeypadSequence<string>(
    (o) => {
      if (o.type === 'reading-mode') {
        stepModes(layout);
        void api.extendTime();
        return;
      }
      const key = /^[0-9]$/.test(o.key) ? (o.key as KeypadKey) : map[o.key];
      if (key) void api.pressKey(key);
    },
    {
      setTimeout: (fn, ms) => window.setTimeout(fn, ms),
      clearTimeout: (h) => window.clearTimeout(h as number),
    },
  );
  document.addEventListener('keydown', (ev) => {
    if (warning.open && (ev.key === 'Enter' || ev.key === ' ')) return;
    if (/^[0-9]$/.test(ev.key) || map[ev.key]) {
      ev.preventDefault();
      keyboard.press(ev.key);
    } else if (ev.key === 'Escape') {
      keyboard.flush();
      void api.backToIdle();
    }
  });
  // A '*' typed before a touch acts before it.
  document.addEventListener('pointerdown', () => keyboard.flush(), { capture: true });
  api.onState(render);
  const first = await api.getState();
  if (first.ok) render(first.value);
}

void main();
