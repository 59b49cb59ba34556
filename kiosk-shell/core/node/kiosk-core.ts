// The kiosk core: carries out the kiosk's state machine (kiosk-machine.ts) behind every screen of
// the totem. The page (Electron or Chromium) only renders the state and sends requests; devices
// (handset, keypad) send the same requests, plus the hook switch; the server link sends the call's
// events. Each becomes one input of the machine, and the core runs the effects the machine returns:
// the code check with its durable check-in, call requests, hang-ups, the call-back through the
// outbox, and the screen's timer. The agenda sync, the outbox, the server clock and the wrong-code
// throttle live in their own modules; the core wires them (kiosk-wiring.ts).
import {
  DEFAULT_KIOSK_DISPLAY,
  KeypadSequence,
  READING_MODE_STEP,
  checkInRefusalSchema,
  type CallRequest,
  type HandsetStatus,
  type KioskRequest,
  type KioskState,
  type KioskTimer,
} from '@sportello/protocol';
import type { DeviceStatus, HandsetEvent, KeypadKey as DeviceKey } from '@sportello/devices/common';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { handsetStatusFor, screenKeyFor } from './handset-input.ts';
import {
  initialState,
  step,
  timeoutOf,
  type CallAnswer,
  type CodeVerdict,
  type KioskEffect,
  type KioskInput,
  type MachineState,
} from './kiosk-machine.ts';
import type { CallRequestResult } from './server-link.ts';
import { wireKiosk, type KioskCoreOptions, type KioskParts } from './kiosk-wiring.ts';
import { realTimers } from './backoff.ts';

export type { KioskCoreOptions } from './kiosk-wiring.ts';

export class KioskCore extends EventEmitter<{ state: [KioskState] }> {
  private state: KioskState;
  private machine: MachineState;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Numbers each arming of the screen's timer, for the page's warning (kiosk-display.ts). */
  private timerSeq = 0;
  private closed = false;
  private readonly p: KioskParts;
  /** The keypad's '*' '#' (the reading modes); every other key passes through it unchanged. */
  private readonly keys: KeypadSequence<DeviceKey>;

  constructor(options: KioskCoreOptions) {
    super();
    this.keys = new KeypadSequence<DeviceKey>(
      (o) => (o.type === 'key' ? this.key(o.key) : this.readingModeStep()),
      options.timers ?? realTimers,
      options.keypadSequenceMs,
    );
    this.p = wireKiosk(options, {
      online: (online) => {
        this.patch({ online });
        void this.feed({ type: 'online', online });
      },
      syncChanged: () => this.patch({ sync: this.syncState() }),
      callAccepted: (call) => void this.feed({ type: 'call-accepted', call }),
      callEnded: (p) => void this.feed({ type: 'call-ended', callId: p.callId, reason: p.reason }),
      queueStatus: (status) => void this.feed({ type: 'queue-status', status }),
      callbackOffered: (p) => void this.feed({ type: 'callback-offer', callId: p.callId }),
      session: (session) => void this.feed({ type: 'session', session }),
    });
    this.machine = initialState({
      liftAction: this.p.o.liftAction,
      online: this.p.link.online,
      serverUrl: this.p.link.serverUrl,
    });
    this.state = {
      language: this.p.o.defaultLanguage,
      screen: this.machine.screen,
      online: this.p.link.online,
      devices: { handset: { state: 'none', offHook: false } },
      display: this.p.o.display ?? DEFAULT_KIOSK_DISPLAY,
      citizenSeq: 0,
      sync: this.syncState(),
      ...(options.audio ? { audio: options.audio } : {}),
    };
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

  /**
   * Serves one request from the page or a device; resolves with the state once the requests it
   * started have been answered (the code checked, the call asked for).
   */
  async handle(req: KioskRequest): Promise<KioskState> {
    // A '*' still waiting for its '#' came first: it acts before this request.
    if (req.method !== 'getState') this.keys.flush();
    switch (req.method) {
      case 'getState':
        break;
      case 'setLanguage':
        this.patch({ language: req.language });
        break;
      case 'openCodeEntry':
        await this.feed({ type: 'open-code-entry' });
        break;
      case 'pressKey':
        await this.feed({ type: 'key', key: req.key });
        break;
      case 'submitCode':
        await this.feed({ type: 'submit-code', code: req.code });
        break;
      case 'startWalkIn':
        await this.feed({ type: 'start-walk-in' });
        break;
      case 'hangUp':
        await this.feed({ type: 'hang-up' });
        break;
      case 'backToIdle':
        await this.feed({ type: 'back' });
        break;
      case 'requestCallback':
        await this.feed({ type: 'request-callback' });
        break;
      case 'extendTime':
        // "More time" on a screen whose timer runs: the same screen, its timer from the start.
        if (this.state.timer?.extendable) this.patch({ timer: this.armTimer() });
        break;
      case 'renewMediaToken':
        // The server's answer is a session, fed like the one told on every connection.
        if (this.state.screen.screen === 'in-call') {
          const session = await this.p.link.currentSession();
          if (session) await this.feed({ type: 'session', session });
        }
        break;
    }
    return this.state;
  }

  /**
   * A debounced event from the handset device or a keypad. Keys go through the keypad's one
   * sequence ('*' '#': the reading modes, keypad-sequence.ts), then become the on-screen keypad's
   * keys (ignored where the screen takes none, H-6); the hook switch is an input of its own.
   */
  handset(event: HandsetEvent): void {
    if (this.closed) return;
    if (event.type === 'key') {
      this.keys.press(event.key);
      return;
    }
    this.keys.flush();
    if (event.type === 'mute') {
      // Only a call has a microphone to mute; the page applies `muted`, the device shows it (devices.ts).
      const s = this.state.screen.screen;
      if (s === 'in-call' || s === 'waiting') this.patchHandset({ muted: !this.handsetStatus().muted });
      return;
    }
    const offHook = event.type === 'offhook';
    this.patchHandset({ offHook });
    void this.feed({ type: 'hook', offHook });
  }

  /** A physical key let through by the sequence: to the machine, or to the page if not taken. */
  private key(deviceKey: DeviceKey): void {
    if (this.closed) return;
    const key = screenKeyFor(deviceKey);
    const before = this.machine;
    void this.feed({ type: 'key', key });
    // A key the screen did not take goes to the page, which has uses of its own for some (U-1).
    if (this.machine.screen === before.screen)
      this.patch({ keypad: { seq: (this.state.keypad?.seq ?? 0) + 1, key } });
  }

  /**
   * '*' '#' on the keypad: the page steps the reading modes, on whatever screen is up. Like any
   * key, it shows that the citizen is there: a timer that warns starts again.
   */
  private readingModeStep(): void {
    if (this.closed) return;
    const timer = this.state.timer?.extendable ? { timer: this.armTimer() } : {};
    this.patch({ keypad: { seq: (this.state.keypad?.seq ?? 0) + 1, key: READING_MODE_STEP }, ...timer });
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
    void this.feed({ type: 'handset', ok: next.state === 'ok' });
  }

  /**
   * Takes the totem out of service: for good (revoked, P-3), or while a passing reason lasts (disk
   * full K-3, crash loop K-1; `passing`), until resume(reason). A call in progress is hung up as the
   * citizen would; a lasting stop is never replaced by a passing one.
   */
  outOfService(reason: string, passing = false): void {
    void this.feed({ type: 'out-of-service', reason, passing });
  }

  /** Ends a passing out-of-service with that reason: back to idle. */
  resume(reason: string): void {
    void this.feed({ type: 'resume', reason });
  }

  private handsetStatus(): HandsetStatus {
    return this.state.devices?.handset ?? { state: 'none', offHook: false };
  }

  private patchHandset(p: Partial<HandsetStatus>): void {
    this.patch({ devices: { ...this.state.devices, handset: { ...this.handsetStatus(), ...p } } });
  }

  /**
   * One input through the machine, then its effects. Resolves when every request those effects
   * started has been answered and fed back in turn; never rejects (failures are logged).
   */
  private async feed(input: KioskInput): Promise<void> {
    if (this.closed) return;
    const t = step(this.machine, input);
    this.machine = t.state;
    // The screen and its timer reach the page together. A key the screen does not take still
    // shows the citizen is there: the timer starts again ("or press a key", U-1).
    const timer =
      t.screenSet || (input.type === 'key' && this.state.timer?.extendable) ? { timer: this.armTimer() } : {};
    // A timer that sends the kiosk back to idle ends that citizen's visit: their language goes too.
    const s0 = t.state.screen.screen;
    const forgotten =
      input.type === 'timeout' && (s0 === 'idle' || s0 === 'handset-off-hook')
        ? { citizenSeq: (this.state.citizenSeq ?? 0) + 1, language: this.p.o.defaultLanguage }
        : {};
    if (t.state.screen !== this.state.screen || 'timer' in timer) {
      this.patch({ screen: t.state.screen, ...timer, ...forgotten });
      // Mute lasts as long as the call: the next citizen starts unmuted.
      const s = t.state.screen.screen;
      if (s !== 'in-call' && s !== 'waiting' && this.handsetStatus().muted)
        this.patchHandset({ muted: false });
    }
    await Promise.all(
      t.effects.map((e) =>
        this.run(e).catch((err: unknown) => this.p.o.log(`kiosk effect ${e.type} failed`, err)),
      ),
    );
  }

  private async run(e: KioskEffect): Promise<void> {
    const { link, sender } = this.p;
    switch (e.type) {
      case 'check-code': {
        const verdict = await this.checkCode(e.code);
        const before = this.machine;
        await this.feed({ type: 'code-checked', attempt: e.attempt, verdict });
        // A verdict the machine no longer awaited (the citizen left meanwhile): the check-in goes
        // through the outbox like any other, not held for a call that will not be asked.
        if (verdict.ok && before.ctx.checkAttempt !== e.attempt) {
          sender.release(verdict.checkInKey);
          void sender.kick();
        }
        return;
      }
      case 'request-call': {
        const answer = await this.requestCall(e.req);
        return this.feed({ type: 'call-answer', attempt: e.attempt, answer });
      }
      case 'upgrade-call': {
        const { callId, bookingId, checkInKey, codeHash } = e;
        const result = link.online
          ? await link.upgradeCall({ callId, bookingId, checkInKey, codeHash })
          : ({ ok: false, reason: 'unavailable', error: 'offline' } as const);
        const answer = this.checkInAnswered(bookingId, checkInKey, result);
        return this.feed({ type: 'upgrade-answer', attempt: e.attempt, answer });
      }
      case 'hang-up':
        return link.hangUp(e.callId);
      case 'callback':
        return this.callback(e.phone, e.bookingId, e.callId);
      case 'kick-outbox':
        void sender.kick();
        return;
    }
  }

  /** A well-shaped code, checked against the cached agenda; a valid one is checked in on disk. */
  private async checkCode(code: string): Promise<CodeVerdict> {
    const { cache, clock, attempts, outbox, sender, o } = this.p;
    const wait = attempts.remainingMs();
    if (wait > 0) return { ok: false, reason: 'throttled', retryInSeconds: Math.ceil(wait / 1000) };
    if (!clock.corrected || !cache.hasAgenda) await this.p.sync.syncNow();
    const serverNow = clock.now();
    // No window decision on a clock the server has not set (S-7): the state says why.
    if (serverNow === undefined || !cache.hasAgenda) return { ok: false, reason: 'unavailable' };
    const started = performance.now();
    const verdict = cache.validate(code, serverNow, o.checkInWindow);
    // Only an accepted check-in resets the throttle (C-2): a code that is too early, used or
    // cancelled neither counts nor resets, or one booking for tomorrow would allow guessing at speed.
    if (!verdict.ok && verdict.reason === 'unknown') attempts.failed();
    // The check-in is on disk, with its key, before anything else happens (exactly once, S-6).
    let checkInKey: string | undefined;
    if (verdict.ok) {
      checkInKey = outbox.addCheckIn({
        bookingId: verdict.entry.bookingId,
        codeHash: verdict.codeHash,
        occurredAt: new Date(serverNow).toISOString(),
      });
      cache.markUsed(verdict.entry.bookingId);
      sender.hold(checkInKey);
    }
    // Every lookup answers after the same minimum time, known code or not (C-3).
    const pad = o.lookupFloorMs - (performance.now() - started);
    if (pad > 0) await sleep(pad);
    if (!verdict.ok) return { ok: false, reason: verdict.reason };
    return {
      ok: true,
      bookingId: verdict.entry.bookingId,
      checkInKey: checkInKey!,
      codeHash: verdict.codeHash,
    };
  }

  /** A call request; a booked one carries its check-in's key, so both paths record it once. */
  private async requestCall(req: CallRequest): Promise<CallAnswer> {
    const { link, sender } = this.p;
    if (req.kind === 'walk-in') {
      const r = await link.requestCall(req);
      return r.ok ? r : { ok: false, reason: r.reason, refused: true };
    }
    if (!link.online) {
      // Accepted on the tag alone; the server checks the full code when the outbox delivers it.
      this.p.attempts.succeeded();
      sender.release(req.checkInKey);
      return { ok: false, reason: 'unavailable', refused: false };
    }
    const r = await link.requestCall(req);
    return this.checkInAnswered(req.bookingId, req.checkInKey, r);
  }

  /** The server's answer to a request carrying a check-in: the outbox and cache follow it. */
  private checkInAnswered(bookingId: string, checkInKey: string, r: CallRequestResult): CallAnswer {
    const { outbox, sender, cache, attempts } = this.p;
    sender.release(checkInKey);
    const refusal = !r.ok ? checkInRefusalSchema.safeParse(r.reason) : undefined;
    // The server knows the full code: a tag that matched by chance is a wrong code after all. No
    // answer keeps the local acceptance (the outbox delivers it later), as offline.
    if (!refusal?.success) attempts.succeeded();
    else if (refusal.data === 'unknown') attempts.failed();
    if (r.ok || refusal?.success) {
      // The server answered on this check-in: recorded (accepted or refused) under its key.
      outbox.delivered(checkInKey);
      if (refusal?.success && refusal.data !== 'used') cache.clearUsed(bookingId);
    }
    // Not reachable, or no answer: the check-in stays in the outbox and goes when it can.
    if (r.ok) return { ok: true, callId: r.callId, ...(r.mediaToken ? { mediaToken: r.mediaToken } : {}) };
    return { ok: false, reason: r.reason, refused: refusal?.success === true };
  }

  /**
   * A call-back: on disk first (the outbox, durable). Asked from the queue, the server is told at
   * once with the outbox key, and the number is deleted as soon as it has answered; otherwise (or if
   * that fails) the outbox delivers it with the same key, so it is recorded once either way.
   */
  private async callback(
    phone: string,
    bookingId: string | undefined,
    callId: string | undefined,
  ): Promise<void> {
    const { outbox, sender, link, clock } = this.p;
    const serverNow = clock.now() ?? Date.now();
    const key = outbox.addCallback({ bookingId, phone, occurredAt: new Date(serverNow).toISOString() });
    if (callId === undefined) {
      void sender.kick();
      return;
    }
    sender.hold(key);
    const ok = await link.callbackInstead({ callId, idempotencyKey: key, phone });
    sender.release(key);
    if (ok) {
      outbox.delivered(key);
      return;
    }
    // The item must not keep waiting for a citizen who has left with a call-back promised.
    void link.hangUp(callId);
    void sender.kick();
  }

  /** Screens a citizen may walk away from go back to idle on their own; a call never does. */
  private armTimer(): KioskTimer | undefined {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const kind = timeoutOf(this.machine.screen);
    if (kind === null || this.closed) return undefined;
    const o = this.p.o;
    const delay = {
      idle: o.idleTimeoutMs,
      // A call lost to the network offers a call-back: as long as any screen with a choice.
      ended:
        this.machine.screen.screen === 'ended' && this.machine.screen.reason === 'connection-lost'
          ? o.idleTimeoutMs
          : o.endedScreenMs,
      'off-hook': o.offHookPromptMs,
      confirm: o.confirmScreenMs,
    }[kind];
    this.idleTimer = setTimeout(() => void this.feed({ type: 'timeout' }), delay);
    // The page warns before the end and offers more time where a citizen is busy (typing, reading
    // a refusal); a message that only confirms (call ended, call-back noted) just runs out.
    this.timerSeq += 1;
    return { seq: this.timerSeq, ms: delay, extendable: kind === 'idle' };
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
    this.keys.close();
    clearTimeout(this.idleTimer);
    this.p.close();
    this.removeAllListeners();
  }
}
