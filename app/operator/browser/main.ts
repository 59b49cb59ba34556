// The operator console: sign in, set presence, answer or decline ringing calls (with the booking's
// service and reason), talk by video, mute, hang up; the live queue of the operator's offices with
// the call-backs, pushed by the server; the reason when the server paused the console.
import {
  EVENTS,
  MEDIA_PREWARM_EVENTS,
  NAMESPACES,
  OPERATOR_ROUTES,
  type CallRing,
  type OperatorClientEvents,
  type ConsoleSession,
  type OperatorServerEvents,
  type OperatorSession,
  type PauseReason,
} from '@sportello/protocol';
import { io, type Socket } from 'socket.io-client';
import it from '../../shared/common/locales/it.json';
import en from '../../shared/common/locales/en.json';
import { applyTranslations, initI18n, setLanguage, t } from '../../shared/browser/i18n.ts';
import { byId, showScreen } from '../../shared/browser/dom.ts';
import { RoomClient, type MediaStats } from '../../shared/browser/room-client.ts';
import { CameraPrewarm } from '../../shared/browser/media-prewarm.ts';
import { RoomPrewarm } from '../../shared/browser/room-prewarm.ts';
import { ApiClient, ApiFailure } from '../../shared/browser/api-client.ts';
import { LiveQueue } from './live-queue.ts';
import { renderVideoNotice } from '../../shared/browser/video-notice.ts';

declare global {
  interface Window {
    sportelloMedia?: { stats(): Promise<MediaStats> };
  }
}

const SESSION_KEY = 'sportello-operator-session';
let socket: Socket<OperatorServerEvents, OperatorClientEvents> | undefined;
let presence: 'available' | 'paused' | 'busy' = 'paused';
/** Why the server paused this console (missed rings in a row), until the operator sets a presence. */
let pause: { reason: PauseReason; missedRings?: number | undefined } | undefined;
let ringing: CallRing | undefined;
let activeCallId: string | undefined;
let room: RoomClient | undefined;
let localStream: MediaStream | undefined;
let muted = false;
let queue: LiveQueue | undefined;

/**
 * "Prepare camera between calls" (fast setup): while the operator is available the camera stays
 * open, and a ringing call's room is joined before the answer, so the citizen sees the operator
 * at once. On by default: the console is there to take calls, the camera is held only while the
 * operator says they are available (never while paused or signed out), and nothing is sent to
 * anyone before Answer. The operator turns it off in the header; the choice stays on this browser.
 */
const PREPARE_KEY = 'sportello-operator-prepare-media';
let prepareMedia = localStorage.getItem(PREPARE_KEY) !== 'off';
const camera = new CameraPrewarm();
const roomPrewarm = new RoomPrewarm();

/** Holds or releases the camera between calls as the setting, the presence and the call say. */
function syncStandby(): void {
  if (activeCallId) return;
  if (!(prepareMedia && socket?.connected && (presence === 'available' || ringing))) {
    camera.release();
    void roomPrewarm.drop(true);
  } else if (!roomPrewarm.holds()) camera.warm(); // a joined ring holds the camera itself
}

/** The call rings here: join its room now, if the operator allows it (the answer is then instant). */
async function prepareCall(callId: string): Promise<void> {
  if (!prepareMedia || roomPrewarm.holds(callId)) return;
  try {
    const { mediaToken } = (await request(MEDIA_PREWARM_EVENTS.prepare, { callId })) as {
      mediaToken: string;
    };
    // Answered, declined or gone meanwhile: the server revokes the token when the ring leaves.
    if (ringing?.callId !== callId || activeCallId || !prepareMedia) return;
    roomPrewarm.start({ callId, serverUrl: location.origin, token: mediaToken }, camera.take());
    roomPrewarm.ringing(callId);
  } catch (err) {
    console.warn('the call joins on the answer', err);
  }
}

/** The ring left this console unanswered: its room is left, the camera kept for the next one. */
function leaveRing(): void {
  camera.keep(roomPrewarm.drop(false));
  syncStandby();
}

function showError(message: string | undefined): void {
  const el = byId('error');
  el.hidden = !message;
  el.textContent = message ?? '';
}

function renderPresence(): void {
  const badge = byId('presence-badge');
  badge.hidden = false;
  badge.dataset.status = presence;
  badge.textContent = t(`operator.presence.${presence}`);
  const btn = byId<HTMLButtonElement>('btn-presence');
  btn.hidden = presence === 'busy';
  btn.textContent = t(
    presence === 'available' ? 'operator.presence.goPaused' : 'operator.presence.goAvailable',
  );
  const reason = byId('pause-reason');
  reason.hidden = !(presence === 'paused' && pause);
  reason.textContent =
    presence === 'paused' && pause
      ? t('operator.idle.pausedMissedRings', { count: pause.missedRings ?? 2 })
      : '';
  syncStandby();
  if (!ringing && !activeCallId) {
    byId('idle-message').textContent = t(
      presence === 'available' ? 'operator.idle.available' : 'operator.idle.paused',
    );
    showScreen('idle');
  }
}

function renderRing(r: CallRing): void {
  byId('ring-kind').textContent = t(`operator.ring.${r.kind}`);
  byId('ring-from').textContent = r.fromHome
    ? t('operator.ring.fromHome')
    : t('operator.ring.from', { totem: r.totemName });
  byId('ring-office').textContent = t('operator.ring.office', { office: r.officeName });
  const service = byId('ring-service');
  service.hidden = !r.serviceName;
  service.textContent = r.serviceName ? t('operator.ring.service', { service: r.serviceName }) : '';
  const slot = byId('ring-slot');
  slot.hidden = !r.slotStart;
  slot.textContent = r.slotStart
    ? t('operator.ring.slot', {
        time: new Date(r.slotStart).toLocaleTimeString([], {
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }),
      })
    : '';
  const reason = byId('ring-reason');
  reason.hidden = !r.reason;
  reason.textContent = r.reason ? t('operator.ring.reason', { reason: r.reason }) : '';
  showScreen('ringing');
}

async function request(
  event: keyof OperatorClientEvents,
  payload: unknown,
): Promise<Record<string, unknown>> {
  const res = (await (socket as unknown as Socket).timeout(10_000).emitWithAck(event, payload)) as
    { ok: true } | { ok: false; error: string };
  if (!res.ok) throw new Error(res.error);
  return res;
}

async function startMedia(callId: string, token: string): Promise<void> {
  activeCallId = callId;
  showScreen('in-call');
  const ring = ringing;
  byId('call-details').textContent = ring?.reason ? t('operator.ring.reason', { reason: ring.reason }) : '';
  // Joined while it rang (fast setup): only consume and resume remain; else join now.
  const warm = await roomPrewarm.take(callId);
  try {
    localStream = warm?.stream ?? (await camera.take());
  } catch {
    showError(t('operator.errors.media'));
    return;
  }
  byId<HTMLVideoElement>('self-video').srcObject = localStream;
  room = warm?.room ?? new RoomClient(location.origin, token, localStream);
  room.onRemoteTrack = () => {
    byId<HTMLVideoElement>('remote-video').srcObject = room!.remoteStream;
  };
  // The citizen pressed Phone Mute on the handset or headset: say so, or the silence looks like a fault.
  room.onRemotePaused = (kind, paused) => {
    if (kind === 'audio') byId('citizen-muted').hidden = !paused;
  };
  room.onVideoNotice = (levels) =>
    renderVideoNotice(byId('video-notice'), levels, 'operator', 'operator.call');
  room.onHealth = (health) => (byId('call-reconnecting').hidden = health !== 'reconnecting');
  // A spent token (single-use) is replaced by the one the console's session carries.
  room.renewToken = async () => {
    const { call } = (await request(EVENTS.sessionGet, {})) as unknown as ConsoleSession;
    return call?.phase === 'in-call' && call.callId === callId ? call.mediaToken : undefined;
  };
  window.sportelloMedia = room;
  if (room.remoteStream.getTracks().length > 0) room.onRemoteTrack();
  if (muted) room.setMicrophoneMuted(true);
  if (!warm?.room) await room.join();
}

function endCall(): void {
  activeCallId = undefined;
  ringing = undefined;
  byId('call-reconnecting').hidden = true;
  room?.close();
  room = undefined;
  delete window.sportelloMedia;
  for (const track of localStream?.getTracks() ?? []) track.stop();
  localStream = undefined;
  byId<HTMLVideoElement>('remote-video').srcObject = null;
  byId('citizen-muted').hidden = true;
  byId('video-notice').hidden = true;
  muted = false;
  if (roomPrewarm.holds()) leaveRing();
  renderPresence();
}

function connect(session: OperatorSession): void {
  byId('who').textContent = session.operator.displayName;
  byId('btn-sign-out').hidden = false;
  byId('prepare-media-setting').hidden = false;
  queue = new LiveQueue(session.token, showError);
  queue.start();
  socket = io(location.origin + NAMESPACES.operator, {
    auth: { token: session.token },
    transports: ['websocket'],
  });
  socket.on('connect_error', (err) => {
    if (/sign in/.test(err.message)) {
      sessionStorage.removeItem(SESSION_KEY);
      queue?.stop();
      camera.release();
      void roomPrewarm.drop(true);
      showError(t('operator.errors.session'));
      showScreen('sign-in');
      socket?.close();
    }
  });
  socket.on(EVENTS.presence, ({ status, reason, missedRings }) => {
    presence = status;
    pause = status === 'paused' && reason ? { reason, missedRings } : status === 'paused' ? pause : undefined;
    renderPresence();
  });
  socket.on(EVENTS.queueList, (q) => queue?.show(q));
  socket.on(EVENTS.session, followSession);
  socket.on(EVENTS.callRing, (r) => {
    ringing = r;
    renderRing(r);
    void prepareCall(r.callId);
  });
  socket.on(EVENTS.callRingCancelled, ({ callId }) => {
    if (ringing?.callId !== callId) return;
    ringing = undefined;
    leaveRing();
    renderPresence();
  });
  socket.on(EVENTS.callEnded, ({ callId }) => {
    if (callId === activeCallId || callId === ringing?.callId) endCall();
  });
}

/**
 * The server's truth on every connection: no call drops a stale ring or call screen; a call in
 * progress (the page was reloaded) is joined again with its fresh token; a ring is sent again.
 */
function followSession(s: ConsoleSession): void {
  const call = s.call;
  if (call === null) {
    if (ringing || activeCallId) endCall();
    return;
  }
  if (call.phase === 'in-call' && activeCallId !== call.callId) {
    if (activeCallId) endCall();
    void startMedia(call.callId, call.mediaToken);
  }
}

async function signIn(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  let session: OperatorSession;
  try {
    session = await new ApiClient().call(OPERATOR_ROUTES.signIn, {
      body: { username: String(data.get('username') ?? ''), password: String(data.get('password') ?? '') },
    });
  } catch (err) {
    return showError(
      t(
        err instanceof ApiFailure && err.code === 'network'
          ? 'operator.signIn.unreachable'
          : 'operator.signIn.failed',
      ),
    );
  }
  showError(undefined);
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  connect(session);
  showScreen('idle');
}

function guarded(fn: () => Promise<unknown>): () => void {
  return () => {
    fn().then(
      () => showError(undefined),
      (err: Error) => showError(t('operator.errors.action', { message: err.message })),
    );
  };
}

async function main(): Promise<void> {
  const lang = localStorage.getItem('sportello-operator-language') ?? 'it';
  await initI18n({ it: { translation: it }, en: { translation: en } }, lang);
  await setLanguage(lang);
  applyTranslations();
  const select = byId<HTMLSelectElement>('language');
  select.value = lang;
  select.addEventListener('change', () => {
    localStorage.setItem('sportello-operator-language', select.value);
    void setLanguage(select.value).then(() => {
      applyTranslations();
      if (socket) renderPresence();
      queue?.render();
    });
  });
  byId<HTMLFormElement>('sign-in-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    void signIn(ev.target as HTMLFormElement);
  });
  byId('btn-presence').addEventListener(
    'click',
    guarded(async () => {
      pause = undefined;
      await request(EVENTS.presenceSet, { status: presence === 'available' ? 'paused' : 'available' });
    }),
  );
  byId('btn-accept').addEventListener(
    'click',
    guarded(async () => {
      if (!ringing) return;
      const { mediaToken } = (await request(EVENTS.callAccept, { callId: ringing.callId })) as {
        mediaToken: string;
      };
      await startMedia(ringing.callId, mediaToken);
    }),
  );
  byId('btn-decline').addEventListener(
    'click',
    guarded(async () => {
      if (!ringing) return;
      const callId = ringing.callId;
      ringing = undefined;
      leaveRing();
      await request(EVENTS.callDecline, { callId });
      renderPresence();
    }),
  );
  byId('btn-hang-up').addEventListener(
    'click',
    guarded(async () => {
      if (activeCallId) await request(EVENTS.callHangup, { callId: activeCallId });
      endCall();
    }),
  );
  byId('btn-mute').addEventListener('click', () => {
    muted = !muted;
    room?.setMicrophoneMuted(muted);
    const btn = byId('btn-mute');
    btn.setAttribute('aria-pressed', String(muted));
    btn.textContent = t(muted ? 'operator.call.unmute' : 'operator.call.mute');
  });
  const prepare = byId<HTMLInputElement>('prepare-media');
  prepare.checked = prepareMedia;
  prepare.addEventListener('change', () => {
    prepareMedia = prepare.checked;
    localStorage.setItem(PREPARE_KEY, prepareMedia ? 'on' : 'off');
    // Off: the camera and any room joined for a ringing call are released now.
    syncStandby();
    if (!prepareMedia) void roomPrewarm.drop(true);
    else if (ringing && !activeCallId) void prepareCall(ringing.callId);
  });
  byId('btn-sign-out').addEventListener('click', () => {
    camera.release();
    void roomPrewarm.drop(true);
    sessionStorage.removeItem(SESSION_KEY);
    location.reload();
  });
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (saved) {
    // The server judges whether the session still holds (it refuses the socket, and the page
    // asks to sign in again): this computer's clock may be off by hours or months, and a session
    // judged by it would be dropped on every reload, or kept past its end.
    connect(JSON.parse(saved) as OperatorSession);
    showScreen('idle');
    return;
  }
  showScreen('sign-in');
}

void main();
