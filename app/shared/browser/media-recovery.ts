// Brings a call's media back after the network failed under it, without anyone acting (W-1, W-2,
// W-4, W-9), and says truthfully whether media flows so the page can show "reconnecting".
//
// - A transport whose ICE state is `failed` gets an ICE restart at once.
// - `disconnected` may heal by itself (a short blip): the watch restarts ICE only once the bytes
//   received have stalled for `stallMs` too.
// - The OS's network-change events (`online`, `navigator.connection` change) restart ICE on every
//   transport: the path has changed, the old candidate pair may be gone (W-2).
// - A restart needs the media socket (new ICE credentials come from the SFU). While it is down,
//   or silent (a blackout: its TCP is stuck too), the restart waits: a path that comes back heals
//   by itself with its current credentials, faster than a restart that arrives late. When the
//   socket is back, every transport that is not connected or whose bytes stalled is restarted.
//   One that still carries media is left alone (W-4). A network change reopens the socket.
// - A transport that keeps failing is restarted again, no more often than every `retryMs`.
import type { types } from 'mediasoup-client';
import { judgeHealth, type MediaHealth } from '../common/media-health.ts';

export type { MediaHealth } from '../common/media-health.ts';

/** Incoming media silent this long, then back: its video needs a key frame. */
const KEY_FRAME_GAP_MS = 1000;

/** What the recovery needs from the room client. */
export interface RecoverySubject {
  transports(): types.Transport[];
  /** New ICE credentials from the SFU, applied to the transport; false if it could not be done. */
  restartIce(transport: types.Transport): Promise<boolean>;
  /**
   * The media socket works now: connected and heard from recently (a socket whose TCP is stuck
   * in a blackout still says "connected"; a restart sent down it would only arrive late and break
   * a path that is about to heal by itself).
   */
  signalingAlive(): boolean;
  /** When (performance.now()) the media socket last heard from the server. */
  signalingHeardAt(): number;
  /** Drops and reopens the media socket (after a network change its TCP connection is dead). */
  reconnectSocket(): void;
  /** Asks the SFU for key frames of the incoming video (it resumed after a gap). */
  requestKeyFrame(): void;
  /**
   * Bytes received so far: `transport`, everything the SFU sent on this page's transports (RTCP
   * and ICE included: it grows while the path works); `media`, the other side's audio and video
   * (it grows while the person is seen or heard).
   */
  bytesReceived(): Promise<{ transport: number; media: number }>;
  /**
   * Every stream of the other side is paused by its person (the server said so): its media is
   * silent on purpose, and so is much of the path (only RTCP and ICE consent checks come).
   */
  pausedByPerson?(): boolean;
}

export interface RecoveryOptions {
  /** Bytes not growing for this long counts as stalled. Default 2000 ms. */
  stallMs?: number;
  /** How often bytes are sampled. Default 250 ms. */
  sampleMs?: number;
  /** Smallest gap between two restarts of the same transport. Default 3000 ms. */
  retryMs?: number;
  onHealth?: (health: MediaHealth) => void;
  /** Each restart, for diagnostics and tests. */
  onRestart?: (why: string) => void;
}

export class MediaRecovery {
  private readonly stallMs: number;
  private readonly retryMs: number;
  private readonly timer: ReturnType<typeof setInterval>;
  /** The path: for restarts. */
  private readonly path = new Counter();
  /** The other side's media: for what the person is told. */
  private readonly media = new Counter();
  private health: MediaHealth = 'connecting';
  private readonly lastRestart = new Map<string, number>();
  private readonly restarting = new Set<string>();
  /** Restart every transport as soon as the socket is back (network changed while it was down). */
  private pendingAll = false;
  /** When the socket was first heard from while the bytes were stalled. */
  private heardInStallAt: number | undefined;
  private readonly healMs = 1000;
  private closed = false;
  private sampling = false;
  private readonly onNetworkChange = () => this.networkChanged();

  constructor(
    private readonly subject: RecoverySubject,
    private readonly o: RecoveryOptions = {},
  ) {
    this.stallMs = o.stallMs ?? 2000;
    this.retryMs = o.retryMs ?? 3000;
    this.timer = setInterval(() => void this.sample(), o.sampleMs ?? 250);
    globalThis.addEventListener?.('online', this.onNetworkChange);
    connection()?.addEventListener('change', this.onNetworkChange);
  }

  /** Follows a transport's connection state. */
  watch(transport: types.Transport): void {
    transport.on('connectionstatechange', (state) => {
      if (this.closed) return;
      if (state === 'failed') void this.restart(transport, 'ice-failed', true);
      this.judge();
    });
  }

  /** The media socket dropped: media may still flow; restarts wait for it. */
  socketDown(): void {
    this.judge();
  }

  /** The media socket is back (and the room has resent its consumers). */
  socketBack(): void {
    const all = this.pendingAll;
    this.pendingAll = false;
    for (const t of this.subject.transports()) {
      if (all || t.connectionState !== 'connected' || this.stalled())
        void this.restart(t, all ? 'network-change' : 'socket-back', true);
    }
    this.judge();
  }

  /** The OS says the network changed (another address, Wi-Fi to 4G, cable back). */
  networkChanged(): void {
    if (this.closed) return;
    // The media socket's TCP connection may be bound to an address that is gone: open a new one
    // at once rather than wait for its ping timeout; every transport restarts when it is back.
    this.pendingAll = true;
    this.subject.reconnectSocket();
  }

  private stalled(c: Counter = this.path): boolean {
    return c.stalledFor() >= this.stallMs;
  }

  private async sample(): Promise<void> {
    if (this.closed || this.sampling) return;
    this.sampling = true;
    try {
      const bytes = await this.subject.bytesReceived();
      this.path.add(bytes.transport);
      // Video that resumes after a gap is shown from its next key frame: ask for one now rather
      // than when the decoder gives up waiting (seconds later).
      const gap = this.media.stalledFor();
      if (this.media.add(bytes.media) && gap >= KEY_FRAME_GAP_MS) this.subject.requestKeyFrame();
    } catch {
      /* a transport closing under the read: the next sample counts */
    } finally {
      this.sampling = false;
    }
    if (this.closed) return;
    // Only once the socket was heard from after the bytes stopped: signaling got through while media
    // did not, so the path is broken. In a blackout nothing is heard; when it ends the path heals
    // by itself with its current credentials, and a restart sent meanwhile would only arrive late
    // and break it again. A path that came back gets a second to heal first.
    const heard = this.subject.signalingHeardAt() > this.path.grewAt;
    if (!heard || !this.stalled()) this.heardInStallAt = undefined;
    else this.heardInStallAt ??= performance.now();
    if (
      this.heardInStallAt !== undefined &&
      performance.now() - this.heardInStallAt >= this.healMs &&
      this.subject.signalingAlive()
    ) {
      for (const t of this.subject.transports()) {
        // Stalled and not connected: ICE will not heal by itself in time. Stalled for long while
        // "connected" (a path that silently died, as after an address change): restart too.
        // With the other side paused by its person, little but ICE consent checks arrives.
        const longStall = !this.pausedByPerson() && this.path.stalledFor() >= this.stallMs * 2;
        if (t.connectionState !== 'connected' || longStall) void this.restart(t, 'stalled', false);
      }
    }
    this.judge();
  }

  private async restart(transport: types.Transport, why: string, urgent: boolean): Promise<void> {
    if (this.closed || transport.closed || this.restarting.has(transport.id)) return;
    if (!this.subject.signalingAlive()) {
      this.pendingAll ||= why === 'network-change';
      return;
    }
    const last = this.lastRestart.get(transport.id) ?? -Infinity;
    if (!urgent && performance.now() - last < this.retryMs) return;
    this.restarting.add(transport.id);
    this.lastRestart.set(transport.id, performance.now());
    try {
      this.o.onRestart?.(why);
      await this.subject.restartIce(transport);
    } finally {
      this.restarting.delete(transport.id);
    }
  }

  /** The server said the other side paused or resumed a stream (its person's microphone, camera). */
  remotePauseChanged(): void {
    // Silence measured from now: media that resumes takes a moment to arrive, and that is no stall.
    this.media.restart();
    this.judge();
  }

  private pausedByPerson(): boolean {
    return this.subject.pausedByPerson?.() ?? false;
  }

  private judge(): void {
    if (this.closed) return;
    // A dropped socket alone is no reason: media may still flow without it (W-4).
    const next = judgeHealth({
      flowed: this.media.flowed,
      mediaStalled: this.stalled(this.media),
      pathBroken: this.subject
        .transports()
        .some((t) => t.connectionState === 'failed' || t.connectionState === 'disconnected'),
      pausedByPerson: this.pausedByPerson(),
    });
    if (next !== this.health) {
      this.health = next;
      this.o.onHealth?.(next);
    }
  }

  get current(): MediaHealth {
    return this.health;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    globalThis.removeEventListener?.('online', this.onNetworkChange);
    connection()?.removeEventListener('change', this.onNetworkChange);
  }
}

/** A byte counter that knows since when it has not grown. */
class Counter {
  private last = -1;
  grewAt = performance.now();
  flowed = false;

  /** Records a reading; true if it grew. */
  add(bytes: number): boolean {
    if (bytes <= this.last) return false;
    if (this.last >= 0 && bytes > 0) this.flowed = true;
    this.last = bytes;
    this.grewAt = performance.now();
    return true;
  }

  /** Counts the silence from now on. */
  restart(): void {
    this.grewAt = performance.now();
  }

  /** How long it has not grown (0 before it first flowed). */
  stalledFor(): number {
    return this.flowed ? performance.now() - this.grewAt : 0;
  }
}

/** The Network Information API where the browser has it (Chromium does). */
function connection(): EventTarget | undefined {
  return (globalThis.navigator as { connection?: EventTarget } | undefined)?.connection;
}
