// The kiosk core: the call state machine behind every screen of the totem. The page (Electron or
// Chromium) only renders the state and sends requests; devices (handset, keypad) send the same
// requests, plus the hook switch (lift, hang up). Typed digits and everything about the citizen are
// wiped whenever the kiosk goes idle.
import {
  CODE_LENGTH,
  MAX_TYPED_DIGITS,
  checkCodeShape,
  normalizeBookingCode,
  type CallAccepted,
  type EndReason,
  type HandsetStatus,
  type KeypadKey,
  type KioskRequest,
  type KioskScreen,
  type KioskState,
  type Language,
  type RejectReason,
} from '@sportello/protocol';
import type { DeviceStatus, HandsetEvent } from '@sportello/devices/common';
import { EventEmitter } from 'node:events';
import type { AgendaCache } from './agenda-cache.ts';
import { handsetStatusFor, screenKeyFor } from './handset-input.ts';
import type { ServerLink } from './server-link.ts';

export interface KioskCoreOptions {
  cache: AgendaCache;
  link: ServerLink;
  defaultLanguage?: Language;
  /** Milliseconds without input before code entry or a message goes back to idle. Default 60 000. */
  idleTimeoutMs?: number;
  /** Milliseconds the "call ended" screen stays before idle. Default 5 000. */
  endedScreenMs?: number;
  /** What lifting the handset on the idle screen does: a walk-in call or code entry. Default 'walk-in'. */
  liftAction?: 'walk-in' | 'code-entry';
  /** Milliseconds the "put the handset down" prompt stays before idle (H-5). Default 10 000. */
  offHookPromptMs?: number;
  /** Milliseconds between scheduled agenda pulls. Default 60 000. */
  agendaRefreshMs?: number;
  checkInWindow?: { earlyMinutes: number; lateMinutes: number };
  now?: () => number;
  log?: (msg: string, detail?: unknown) => void;
}

export class KioskCore extends EventEmitter<{ state: [KioskState] }> {
  private state: KioskState;
  private callId: string | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  /** Server time minus local time, learned from every agenda pull. */
  private clockOffsetMs: number | undefined;
  private refreshing: Promise<void> | undefined;
  private readonly early = new Map<string, CallAccepted>();
  /** Bumped by every hang-up, so that a call request still on its way is dropped when it returns. */
  private callAttempt = 0;
  private closed = false;
  private readonly o: Required<Omit<KioskCoreOptions, 'cache' | 'link'>> &
    Pick<KioskCoreOptions, 'cache' | 'link'>;

  constructor(options: KioskCoreOptions) {
    super();
    this.o = {
      defaultLanguage: 'it',
      idleTimeoutMs: 60_000,
      endedScreenMs: 5_000,
      liftAction: 'walk-in',
      offHookPromptMs: 10_000,
      agendaRefreshMs: 60_000,
      checkInWindow: { earlyMinutes: 15, lateMinutes: 10 },
      now: Date.now,
      log: () => {},
      ...options,
    };
    this.state = {
      language: this.o.defaultLanguage,
      screen: { screen: 'idle' },
      online: this.o.link.online,
      devices: { handset: { state: 'none', offHook: false } },
    };
    const { link } = this.o;
    link.on('online', (online) => {
      this.patch({ online });
      if (online) void this.refreshAgenda();
    });
    link.on('agendaChanged', () => void this.refreshAgenda());
    link.on('callAccepted', (p) => {
      if (p.callId === this.callId) this.applyAccepted(p);
      else this.early.set(p.callId, p);
    });
    link.on('callEnded', (p) => {
      if (p.callId === this.callId) this.endCall(p.reason);
    });
    this.refreshTimer = setInterval(() => void this.refreshAgenda(), this.o.agendaRefreshMs);
  }

  private applyAccepted(p: CallAccepted): void {
    this.show({
      screen: 'in-call',
      operatorName: p.operatorName,
      media: { callId: p.callId, serverUrl: this.o.link.serverUrl, token: p.mediaToken },
    });
  }

  getState(): KioskState {
    return this.state;
  }

  /** Pulls the agenda now; concurrent calls share one pull. Errors leave the cache untouched. */
  refreshAgenda(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const sentAt = this.o.now();
        const agenda = await this.o.link.fetchAgenda();
        const receivedAt = this.o.now();
        this.clockOffsetMs = Date.parse(agenda.serverTime) - (sentAt + receivedAt) / 2;
        this.o.cache.replaceAll(agenda);
      } catch (err) {
        this.o.log('agenda pull failed', err);
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Serves one request from the page or a device; always resolves with the new state. */
  async handle(req: KioskRequest): Promise<KioskState> {
    switch (req.method) {
      case 'getState':
        break;
      case 'setLanguage':
        this.patch({ language: req.language });
        break;
      case 'openCodeEntry':
        if (this.isIdleLike()) this.show({ screen: 'code-entry', digits: '' });
        break;
      case 'pressKey':
        await this.pressKey(req.key);
        break;
      case 'submitCode':
        if (this.isIdleLike() || this.state.screen.screen === 'code-entry') await this.submit(req.code);
        break;
      case 'startWalkIn':
        if (this.isIdleLike() || this.state.screen.screen === 'code-entry')
          await this.startCall({ kind: 'walk-in' });
        break;
      case 'hangUp':
        this.hangUp();
        break;
      case 'backToIdle':
        if (this.state.screen.screen !== 'waiting' && this.state.screen.screen !== 'in-call') this.goIdle();
        break;
    }
    return this.state;
  }

  /**
   * A debounced event from the handset device or a keypad. Keys become the on-screen keypad's requests
   * (ignored where the screen takes none, H-6); the hook switch starts and ends calls.
   */
  handset(event: HandsetEvent): void {
    if (this.closed) return;
    if (event.type === 'key') {
      this.handle({ method: 'pressKey', key: screenKeyFor(event.key) }).catch((err: unknown) =>
        this.o.log('handset key failed', err),
      );
      return;
    }
    const offHook = event.type === 'offhook';
    this.patchHandset({ offHook });
    const s = this.state.screen.screen;
    if (offHook) {
      // Lifting during code entry keeps the digits typed so far; during a call it changes nothing.
      if (!this.isIdleLike()) return;
      const method = this.o.liftAction === 'code-entry' ? 'openCodeEntry' : 'startWalkIn';
      this.handle({ method }).catch((err: unknown) => this.o.log('handset lift failed', err));
    } else if (s === 'waiting' || s === 'in-call') {
      this.hangUp();
    } else if (s === 'handset-off-hook') {
      this.show({ screen: 'idle' });
    }
  }

  /** The handset device's status: shown by the page (what still works) and logged for the technician. */
  deviceStatus(status: DeviceStatus): void {
    if (this.closed) return;
    const previous = this.handsetStatus();
    const next = handsetStatusFor(status, previous.offHook);
    // A device that has not answered yet is not news; every later change is.
    if (next.state !== 'starting' && (previous.state !== next.state || previous.reason !== next.reason)) {
      this.o.log(`handset device ${next.state} (${status.reason}): ${status.message}`, {
        path: status.path,
        firmware: status.firmware,
      });
    }
    this.patchHandset(next);
  }

  private handsetStatus(): HandsetStatus {
    return this.state.devices?.handset ?? { state: 'none', offHook: false };
  }

  private patchHandset(p: Partial<HandsetStatus>): void {
    this.patch({ devices: { ...this.state.devices, handset: { ...this.handsetStatus(), ...p } } });
  }

  private isIdleLike(): boolean {
    const s = this.state.screen.screen;
    return s === 'idle' || s === 'rejected' || s === 'ended' || s === 'handset-off-hook';
  }

  private async pressKey(key: KeypadKey): Promise<void> {
    const screen = this.state.screen;
    // Keys on screens that take none (in a call, waiting, checking) are ignored.
    if (screen.screen !== 'code-entry') {
      if (this.isIdleLike() && /^[0-9]$/.test(key)) this.show({ screen: 'code-entry', digits: key });
      return;
    }
    if (key === 'enter') return this.submit(screen.digits);
    if (key === 'back') return this.show({ screen: 'code-entry', digits: screen.digits.slice(0, -1) });
    if (key === 'clear') return this.show({ screen: 'code-entry', digits: '' });
    // A flood of keys stops at the longest input the screen shows.
    if (screen.digits.length >= MAX_TYPED_DIGITS) return;
    this.show({ screen: 'code-entry', digits: screen.digits + key });
  }

  private async submit(raw: string): Promise<void> {
    const code = normalizeBookingCode(raw).slice(0, 64);
    const shape = checkCodeShape(code);
    if (shape === 'empty') return;
    if (shape === 'too-short' || shape === 'not-digits' || shape === 'too-long') {
      return this.reject(code.length < CODE_LENGTH ? 'incomplete' : 'check-digit');
    }
    // A typo caught by the check digit is told at once and does not count as an attempt.
    if (shape === 'check-digit') return this.reject('check-digit');
    if (this.clockOffsetMs === undefined) await this.refreshAgenda();
    if (this.clockOffsetMs === undefined || !this.o.cache.hasAgenda) return this.reject('unavailable');
    this.show({ screen: 'checking' });
    const verdict = this.o.cache.validate(code, this.o.now() + this.clockOffsetMs, this.o.checkInWindow);
    if (!verdict.ok) return this.reject(verdict.reason);
    await this.startCall({ kind: 'booked', bookingId: verdict.entry.bookingId });
  }

  private async startCall(req: { kind: 'walk-in' } | { kind: 'booked'; bookingId: string }): Promise<void> {
    if (req.kind === 'walk-in') this.show({ screen: 'waiting', kind: 'walk-in' });
    const attempt = this.callAttempt;
    const result = await this.o.link.requestCall(req);
    if (attempt !== this.callAttempt) {
      // The citizen hung up while the request was on its way: no call may be left open (H-5).
      if (result.ok) this.o.link.hangUp(result.callId);
      return;
    }
    if (!result.ok) return this.reject(result.reason);
    if (req.kind === 'booked') this.o.cache.markStatus(req.bookingId, 'checked_in');
    this.callId = result.callId;
    this.show({ screen: 'waiting', kind: req.kind });
    // An acceptance that overtook the answer to our request is applied now.
    const early = this.early.get(result.callId);
    this.early.clear();
    if (early) this.applyAccepted(early);
  }

  private hangUp(): void {
    const s = this.state.screen.screen;
    if (s !== 'waiting' && s !== 'in-call') return;
    this.callAttempt++;
    if (this.callId) this.o.link.hangUp(this.callId);
    this.endCall('hangup-kiosk');
  }

  private endCall(reason: EndReason): void {
    this.callId = undefined;
    this.show({ screen: 'ended', reason });
  }

  private reject(reason: RejectReason): void {
    this.show({ screen: 'rejected', reason });
  }

  /**
   * Back to idle. When the kiosk returns on its own (a timeout) with a working handset still off the
   * hook, it first asks for the handset to be put down, once, then shows idle (H-5).
   */
  private goIdle(onItsOwn = false): void {
    this.callId = undefined;
    const handset = this.handsetStatus();
    const prompt =
      onItsOwn &&
      handset.offHook &&
      handset.state === 'ok' &&
      this.state.screen.screen !== 'handset-off-hook';
    this.show(prompt ? { screen: 'handset-off-hook' } : { screen: 'idle' });
  }

  private show(screen: KioskScreen): void {
    this.patch({ screen });
    this.armIdleTimer();
  }

  /** Screens a citizen may walk away from go back to idle on their own; a call never does. */
  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const s = this.state.screen.screen;
    if (s === 'idle' || s === 'waiting' || s === 'in-call' || s === 'checking' || this.closed) return;
    const delay =
      s === 'ended'
        ? this.o.endedScreenMs
        : s === 'handset-off-hook'
          ? this.o.offHookPromptMs
          : this.o.idleTimeoutMs;
    this.idleTimer = setTimeout(() => this.goIdle(true), delay);
  }

  private patch(p: Partial<KioskState>): void {
    if (this.closed) return;
    this.state = { ...this.state, ...p };
    this.emit('state', this.state);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    clearInterval(this.refreshTimer);
    this.removeAllListeners();
  }
}
