// The kiosk core: the call state machine behind every screen of the totem. The page (Electron or
// Chromium) only renders the state and sends requests; devices (handset, keypad) send the same
// requests, plus the hook switch (lift, hang up). Typed digits and everything about the citizen are
// wiped whenever the kiosk goes idle. The agenda sync, the outbox, the server clock and the
// wrong-code throttle live in their own modules; the core wires them (kiosk-wiring.ts).
import {
  CODE_LENGTH,
  MAX_TYPED_DIGITS,
  checkCodeShape,
  checkInRefusalSchema,
  normalizeBookingCode,
  type CallAccepted,
  type EndReason,
  type HandsetStatus,
  type KeypadKey,
  type KioskRequest,
  type KioskScreen,
  type KioskState,
  type RejectReason,
} from '@sportello/protocol';
import type { DeviceStatus, HandsetEvent } from '@sportello/devices/common';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { handsetStatusFor, screenKeyFor } from './handset-input.ts';
import { wireKiosk, type KioskCoreOptions, type KioskParts } from './kiosk-wiring.ts';
import { phoneKey } from './phone-entry.ts';

export type { KioskCoreOptions } from './kiosk-wiring.ts';

export class KioskCore extends EventEmitter<{ state: [KioskState] }> {
  private state: KioskState;
  private callId: string | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly early = new Map<string, CallAccepted>();
  /** Bumped by every hang-up, so that a call request still on its way is dropped when it returns. */
  private callAttempt = 0;
  /** The booking checked in offline, for the call-back request; wiped at idle. */
  private offlineBookingId: string | undefined;
  private closed = false;
  /** Why the totem is out of service (revoked, P-3); then no other screen is shown. */
  private stoppedReason: string | undefined;
  /** Whether that reason passes (disk full, K-3): resume() ends it. */
  private stopPassing = false;
  private readonly p: KioskParts;

  constructor(options: KioskCoreOptions) {
    super();
    this.p = wireKiosk(options, {
      online: (online) => this.patch({ online }),
      syncChanged: () => this.patch({ sync: this.syncState() }),
      callAccepted: (p) => {
        if (p.callId === this.callId) this.applyAccepted(p);
        else this.early.set(p.callId, p);
      },
      callEnded: (p) => {
        if (p.callId === this.callId) this.endCall(p.reason);
      },
    });
    this.state = {
      language: this.p.o.defaultLanguage,
      screen: { screen: 'idle' },
      online: this.p.link.online,
      devices: { handset: { state: 'none', offHook: false } },
      sync: this.syncState(),
    };
  }

  private applyAccepted(p: CallAccepted): void {
    this.show({
      screen: 'in-call',
      operatorName: p.operatorName,
      media: { callId: p.callId, serverUrl: this.p.link.serverUrl, token: p.mediaToken },
    });
  }

  getState(): KioskState {
    return this.state;
  }

  /** The agenda cache's and the outbox's databases, for the health check (K-2). */
  databases(): { agenda: KioskParts['cache']['sqlite']; outbox: KioskParts['outbox']['sqlite'] } {
    return { agenda: this.p.cache.sqlite, outbox: this.p.outbox.sqlite };
  }

  /** Syncs now: pulls the agenda feed (a snapshot if needed) and sends the outbox. Never rejects. */
  async refreshAgenda(): Promise<void> {
    void this.p.sender.kick(true);
    await this.p.sync.syncNow();
  }

  /** Serves one request from the page or a device; always resolves with the new state. */
  async handle(req: KioskRequest): Promise<KioskState> {
    const s = this.state.screen.screen;
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
        if (this.isIdleLike() || s === 'code-entry') await this.submit(req.code);
        break;
      case 'startWalkIn':
        if (this.isIdleLike() || s === 'code-entry') await this.startCall({ kind: 'walk-in' });
        break;
      case 'hangUp':
        this.hangUp();
        break;
      case 'backToIdle':
        if (s !== 'waiting' && s !== 'in-call' && s !== 'checking') this.goIdle();
        break;
      case 'requestCallback':
        if (s === 'checked-in-offline') this.show({ screen: 'callback-entry', digits: '' });
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
        this.p.o.log('handset key failed', err),
      );
      return;
    }
    if (event.type === 'mute') {
      // Only a call has a microphone to mute; the page applies `muted`, the device shows it (devices.ts).
      const s = this.state.screen.screen;
      if (s === 'in-call' || s === 'waiting') this.patchHandset({ muted: !this.handsetStatus().muted });
      return;
    }
    const offHook = event.type === 'offhook';
    this.patchHandset({ offHook });
    const s = this.state.screen.screen;
    if (offHook) {
      // Lifting during code entry keeps the digits typed so far; during a call it changes nothing.
      if (!this.isIdleLike()) return;
      const method = this.p.o.liftAction === 'code-entry' ? 'openCodeEntry' : 'startWalkIn';
      this.handle({ method }).catch((err: unknown) => this.p.o.log('handset lift failed', err));
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
      this.p.o.log(`handset device ${next.state} (${status.reason}): ${status.message}`, {
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
    return (
      s === 'idle' || s === 'rejected' || s === 'ended' || s === 'handset-off-hook' || s === 'callback-done'
    );
  }

  private async pressKey(key: KeypadKey): Promise<void> {
    const screen = this.state.screen;
    if (screen.screen === 'checked-in-offline' && /^[0-9]$/.test(key)) {
      // Typing on the "operator unreachable" screen starts the call-back number.
      return this.show({ screen: 'callback-entry', digits: key });
    }
    if (screen.screen === 'callback-entry') {
      const r = phoneKey(screen.digits, key);
      if ('submit' in r) return this.submitCallback(r.submit);
      if ('tooShort' in r) return this.show({ screen: 'callback-entry', digits: r.tooShort, invalid: true });
      return this.show({ screen: 'callback-entry', digits: r.digits });
    }
    // Keys on screens that take none (in a call, waiting, checking) are ignored.
    if (screen.screen !== 'code-entry') {
      if (this.isIdleLike() && /^[0-9]$/.test(key)) this.show({ screen: 'code-entry', digits: key });
      return;
    }
    if (key === 'enter') return this.submit(screen.digits);
    if (key === 'back') return this.show({ screen: 'code-entry', digits: screen.digits.slice(0, -1) });
    if (key === 'clear') return this.show({ screen: 'code-entry', digits: '' });
    // A flood of keys stops at the longest input the screen shows; '+' belongs to phone numbers.
    if (screen.digits.length >= MAX_TYPED_DIGITS || !/^[0-9]$/.test(key)) return;
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
    const { cache, clock, attempts, outbox, sender, o } = this.p;
    const wait = attempts.remainingMs();
    if (wait > 0)
      return this.show({ screen: 'rejected', reason: 'throttled', retryInSeconds: Math.ceil(wait / 1000) });
    if (!clock.corrected || !cache.hasAgenda) await this.p.sync.syncNow();
    const serverNow = clock.now();
    // No window decision on a clock the server has not set (S-7): the state says why.
    if (serverNow === undefined || !cache.hasAgenda) return this.reject('unavailable');
    this.show({ screen: 'checking' });
    const started = performance.now();
    const verdict = cache.validate(code, serverNow, o.checkInWindow);
    // Only an accepted check-in resets the throttle (C-2): a code that is too early, used or
    // cancelled neither counts nor resets, or one booking for tomorrow would allow guessing at speed.
    if (!verdict.ok && verdict.reason === 'unknown') attempts.failed();
    // The check-in is on disk, with its key, before anything else happens (exactly once, S-6).
    const checkInKey = verdict.ok
      ? outbox.addCheckIn({
          bookingId: verdict.entry.bookingId,
          codeHash: verdict.codeHash,
          occurredAt: new Date(serverNow).toISOString(),
        })
      : undefined;
    if (verdict.ok && checkInKey) {
      cache.markUsed(verdict.entry.bookingId);
      sender.hold(checkInKey);
    }
    // Every lookup answers after the same minimum time, known code or not (C-3).
    const pad = o.lookupFloorMs - (performance.now() - started);
    if (pad > 0) await sleep(pad);
    if (!verdict.ok) return this.reject(verdict.reason);
    await this.startBooked(verdict.entry.bookingId, checkInKey!, verdict.codeHash);
  }

  /** A valid code: the call request carries the check-in's key, so both paths record it once. */
  private async startBooked(bookingId: string, checkInKey: string, codeHash: string): Promise<void> {
    const { link, outbox, sender, cache, attempts } = this.p;
    if (!link.online) {
      // Accepted on the tag alone; the server checks the full code when the outbox delivers it.
      attempts.succeeded();
      sender.release(checkInKey);
      return this.checkedInOffline(bookingId);
    }
    const attempt = this.callAttempt;
    const result = await link.requestCall({ kind: 'booked', bookingId, checkInKey, codeHash });
    sender.release(checkInKey);
    const refusal = !result.ok ? checkInRefusalSchema.safeParse(result.reason) : undefined;
    // The server knows the full code: a tag that matched by chance is a wrong code after all. No
    // answer keeps the local acceptance (the outbox delivers it later), as offline.
    if (!refusal?.success) attempts.succeeded();
    else if (refusal.data === 'unknown') attempts.failed();
    if (result.ok || refusal?.success) {
      // The server answered on this check-in: recorded (accepted or refused) under its key.
      outbox.delivered(checkInKey);
      if (refusal?.success && refusal.data !== 'used') cache.clearUsed(bookingId);
    }
    if (attempt !== this.callAttempt) {
      // The citizen hung up while the request was on its way: no call may be left open (H-5).
      if (result.ok) link.hangUp(result.callId);
      return;
    }
    if (!result.ok) {
      // Not reachable, or no answer: the check-in stays in the outbox and goes when it can.
      if (!refusal?.success) return this.checkedInOffline(bookingId);
      return this.reject(result.reason);
    }
    this.callId = result.callId;
    this.show({ screen: 'waiting', kind: 'booked' });
    // An acceptance that overtook the answer to our request is applied now.
    const early = this.early.get(result.callId);
    this.early.clear();
    if (early) this.applyAccepted(early);
  }

  private checkedInOffline(bookingId: string): void {
    this.offlineBookingId = bookingId;
    this.show({ screen: 'checked-in-offline' });
    void this.p.sender.kick();
  }

  private submitCallback(phone: string): void {
    const serverNow = this.p.clock.now() ?? Date.now();
    this.p.outbox.addCallback({
      bookingId: this.offlineBookingId,
      phone,
      occurredAt: new Date(serverNow).toISOString(),
    });
    this.offlineBookingId = undefined;
    this.show({ screen: 'callback-done' });
    void this.p.sender.kick();
  }

  private async startCall(req: { kind: 'walk-in' }): Promise<void> {
    this.show({ screen: 'waiting', kind: 'walk-in' });
    const attempt = this.callAttempt;
    const result = await this.p.link.requestCall(req);
    if (attempt !== this.callAttempt) {
      if (result.ok) this.p.link.hangUp(result.callId);
      return;
    }
    if (!result.ok) return this.reject(result.reason);
    this.callId = result.callId;
    this.show({ screen: 'waiting', kind: req.kind });
    const early = this.early.get(result.callId);
    this.early.clear();
    if (early) this.applyAccepted(early);
  }

  private hangUp(): void {
    const s = this.state.screen.screen;
    if (s !== 'waiting' && s !== 'in-call') return;
    this.callAttempt++;
    if (this.callId) this.p.link.hangUp(this.callId);
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
    this.offlineBookingId = undefined;
    const handset = this.handsetStatus();
    const prompt =
      onItsOwn &&
      handset.offHook &&
      handset.state === 'ok' &&
      this.state.screen.screen !== 'handset-off-hook';
    this.show(prompt ? { screen: 'handset-off-hook' } : { screen: 'idle' });
  }

  /**
   * Takes the totem out of service for good (revoked, P-3): a call in progress is hung up as the
   * citizen would, and the out-of-service screen stays until the kiosk is restarted.
   */
  outOfService(reason: string, passing = false): void {
    if (this.closed) return;
    // A lasting stop (revoked) is never replaced by a passing one.
    if (passing && this.stoppedReason !== undefined && !this.stopPassing) return;
    this.stopPassing = passing;
    this.callAttempt++;
    if (this.callId) this.p.link.hangUp(this.callId);
    this.callId = undefined;
    this.offlineBookingId = undefined;
    this.stoppedReason = reason;
    this.show({ screen: 'out-of-service', reason });
  }

  /** Ends a passing out-of-service (outOfService(reason, true)) with that reason: back to idle. */
  resume(reason: string): void {
    if (this.closed || !this.stopPassing || this.stoppedReason !== reason) return;
    this.stoppedReason = undefined;
    this.stopPassing = false;
    this.goIdle();
  }

  private show(screen: KioskScreen): void {
    if (this.stoppedReason !== undefined && screen.screen !== 'out-of-service') return;
    this.patch({ screen });
    // Mute lasts as long as the call: the next citizen starts unmuted.
    if (screen.screen !== 'in-call' && screen.screen !== 'waiting' && this.handsetStatus().muted)
      this.patchHandset({ muted: false });
    this.armIdleTimer();
  }

  /** Screens a citizen may walk away from go back to idle on their own; a call never does. */
  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const s = this.state.screen.screen;
    if (s === 'idle' || s === 'waiting' || s === 'in-call' || s === 'checking' || this.closed) return;
    if (s === 'out-of-service') return;
    const o = this.p.o;
    const delay =
      s === 'ended'
        ? o.endedScreenMs
        : s === 'handset-off-hook'
          ? o.offHookPromptMs
          : s === 'callback-done'
            ? o.confirmScreenMs
            : o.idleTimeoutMs;
    this.idleTimer = setTimeout(() => this.goIdle(true), delay);
  }

  private syncState(): NonNullable<KioskState['sync']> {
    const { sync, clock, sender, outbox } = this.p;
    const st = sync.status;
    return {
      clockOffsetMs: clock.offsetMs(),
      clockCorrected: clock.corrected,
      cursor: st.cursor,
      lastSyncAt: st.lastSyncAt,
      reason: st.reason ?? sender.reason ?? (clock.corrected ? null : 'clock-uncorrected'),
      outboxPending: outbox.pending(),
    };
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
    this.p.close();
    this.removeAllListeners();
  }
}
