// How the kiosk core's parts are made and connected: the agenda cache and server link it is given,
// and the parts it owns — the server clock, the outbox and its sender, the wrong-code throttle and
// the sync client — with the server link's events routed to them. Whatever is made here is closed
// by the returned close(); the cache and link belong to the caller.
import type {
  CallAccepted,
  CallbackOffer,
  CallEnded,
  KioskAudio,
  KioskSession,
  KioskDisplay,
  Language,
  QueueStatus,
} from '@sportello/protocol';
import type { AgendaCache } from './agenda-cache.ts';
import { Attempts, type AttemptsOptions } from './attempts.ts';
import type { BackoffOptions, Timers } from './backoff.ts';
import { currentBootId, monotonicMs, ServerClock } from './clock.ts';
import { Outbox } from './outbox.ts';
import { OutboxSender } from './outbox-sender.ts';
import type { ServerLink } from './server-link.ts';
import { SyncClient } from './sync-client.ts';
import { SyncHttp } from './sync-http.ts';

export interface KioskCoreOptions {
  cache: AgendaCache;
  link: ServerLink;
  defaultLanguage?: Language;
  /** The page's layout, screen profile and municipality. Default DEFAULT_KIOSK_DISPLAY. */
  display?: KioskDisplay;
  /** Milliseconds without input before code entry or a message goes back to idle. Default 60 000. */
  idleTimeoutMs?: number;
  /** Milliseconds the "call ended" screen stays before idle. Default 5 000. */
  endedScreenMs?: number;
  /** Milliseconds the call-back confirmation stays before idle. Default 10 000. */
  confirmScreenMs?: number;
  /** What lifting the handset on the idle screen does: a walk-in call or code entry. Default 'walk-in'. */
  liftAction?: 'walk-in' | 'code-entry';
  /** Milliseconds the "put the handset down" prompt stays before idle (H-5). Default 10 000. */
  offHookPromptMs?: number;
  /** Milliseconds between scheduled agenda pulls (jittered by 10%). Default 60 000. */
  agendaRefreshMs?: number;
  checkInWindow?: { earlyMinutes: number; lateMinutes: number };
  /** Minimum time of a code lookup's answer, known code or not (C-3). Default 200. */
  lookupFloorMs?: number;
  /** The totem's site; default: the cache's, else asked of the server once. */
  siteId?: string;
  /** Retry spacing of the sync and of the outbox. Default 1 s doubling to 5 min. */
  backoff?: BackoffOptions;
  /** Deadline of one sync or outbox request, ms. Default 10 000. */
  syncTimeoutMs?: number;
  /** Wrong-code throttle (C-2). Defaults in attempts.ts. */
  attempts?: Omit<AttemptsOptions, 'mono' | 'bootId' | 'store'>;
  /** This totem's wall clock, only to report its offset from the server's. Default Date.now. */
  now?: () => number;
  /** Monotonic milliseconds (tests). Default process.hrtime. */
  monotonicNow?: () => number;
  /** Boot id for persisted monotonic readings (tests). Default the kernel's. */
  bootId?: string;
  /** Timers of the sync and outbox schedules and of the keypad's '*' '#' (tests). Default the real ones. */
  timers?: Timers;
  /** How long the keypad's '*' waits for the '#' of the reading-mode sequence, ms (tests). */
  keypadSequenceMs?: number;
  log?: (msg: string, detail?: unknown) => void;
  /** Audio guidance settings, passed to the page in the state (kiosk-audio.ts). Default: none. */
  audio?: KioskAudio;
}

type Defaults = Required<
  Omit<
    KioskCoreOptions,
    | 'cache'
    | 'link'
    | 'display'
    | 'siteId'
    | 'backoff'
    | 'attempts'
    | 'monotonicNow'
    | 'bootId'
    | 'timers'
    | 'keypadSequenceMs'
    | 'audio'
  >
>;

export interface KioskParts {
  o: Defaults & KioskCoreOptions;
  cache: AgendaCache;
  link: ServerLink;
  clock: ServerClock;
  outbox: Outbox;
  sender: OutboxSender;
  attempts: Attempts;
  sync: SyncClient;
  close(): void;
}

export interface KioskWiringEvents {
  online(online: boolean): void;
  syncChanged(): void;
  callAccepted(p: CallAccepted): void;
  callEnded(p: CallEnded): void;
  queueStatus(p: QueueStatus): void;
  callbackOffered(p: CallbackOffer): void;
  session(p: KioskSession): void;
}

export function wireKiosk(options: KioskCoreOptions, on: KioskWiringEvents): KioskParts {
  const o = {
    defaultLanguage: 'it',
    idleTimeoutMs: 60_000,
    endedScreenMs: 5_000,
    confirmScreenMs: 10_000,
    liftAction: 'walk-in',
    offHookPromptMs: 10_000,
    agendaRefreshMs: 60_000,
    checkInWindow: { earlyMinutes: 15, lateMinutes: 10 },
    lookupFloorMs: 200,
    syncTimeoutMs: 10_000,
    now: Date.now,
    log: () => {},
    ...options,
  } satisfies Defaults & KioskCoreOptions;
  const { cache, link, log } = o;
  const mono = o.monotonicNow ?? monotonicMs;
  const bootId = o.bootId ?? currentBootId();
  const outbox = new Outbox(cache.dataDir, { log });
  const clock = new ServerClock({ mono, wall: o.now, bootId, store: outbox.state });
  const http = new SyncHttp({
    serverUrl: link.serverUrl,
    // Read at each request: an enrolled totem's token is renewed while the kiosk runs.
    get credential() {
      return link.credential;
    },
    clock,
    timeoutMs: o.syncTimeoutMs,
    mono,
  });
  const attempts = new Attempts({ ...o.attempts, mono, bootId, store: outbox.state });
  const timers = o.timers ? { timers: o.timers } : {};
  const sync = new SyncClient({
    cache,
    http,
    intervalMs: o.agendaRefreshMs,
    log,
    ...(o.siteId ? { siteId: o.siteId } : {}),
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...timers,
  });
  const sender = new OutboxSender({
    outbox,
    http,
    log,
    ...(o.backoff ? { backoff: o.backoff } : {}),
    ...timers,
    // A check-in the server refused (e.g. the booking was cancelled meanwhile) frees the local mark,
    // unless the refusal is that it was used: then the mark was right.
    onCheckIn: (item, answer) => {
      if (answer.outcome === 'refused' && answer.reason !== 'used') cache.clearUsed(item.bookingId);
    },
  });
  sync.on('status', on.syncChanged);
  sender.on('status', on.syncChanged);
  const offOutbox = outbox.onChange(on.syncChanged);
  clock.onCorrected(on.syncChanged);
  const onOnline = (online: boolean) => {
    on.online(online);
    if (!online) return;
    void sync.syncNow();
    void sender.kick(true);
  };
  const onAgendaChanged = () => sync.push();
  link.on('online', onOnline);
  link.on('agendaChanged', onAgendaChanged);
  link.on('callAccepted', on.callAccepted);
  link.on('callEnded', on.callEnded);
  link.on('queueStatus', on.queueStatus);
  link.on('callbackOffered', on.callbackOffered);
  link.on('session', on.session);
  sync.start();
  // Whatever a previous run left undelivered goes now.
  if (outbox.pending() > 0) void sender.kick();
  let closed = false;
  return {
    o,
    cache,
    link,
    clock,
    outbox,
    sender,
    attempts,
    sync,
    close() {
      if (closed) return;
      closed = true;
      link.off('online', onOnline);
      link.off('agendaChanged', onAgendaChanged);
      link.off('callAccepted', on.callAccepted);
      link.off('callEnded', on.callEnded);
      link.off('queueStatus', on.queueStatus);
      link.off('callbackOffered', on.callbackOffered);
      link.off('session', on.session);
      offOutbox();
      sync.close();
      sender.close();
      outbox.close();
    },
  };
}
