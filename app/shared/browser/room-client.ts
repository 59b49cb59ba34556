// One class owns all media signaling and WebRTC of a page (kiosk or console): join the call's
// room with its token, send camera and microphone, receive the other side, report stats, close.
import {
  EVENTS,
  MEDIA_RECOVERY_EVENTS,
  NAMESPACES,
  type MediaResync,
  type ConsumerInfo,
  type MediaClientEvents,
  type MediaServerEvents,
  type TransportInfo,
  MEDIA_LINK_EVENTS,
  MEDIA_PREWARM_EVENTS,
  type IceServersGrant,
  type VideoLevel,
} from '@sportello/protocol';
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { io, type Socket } from 'socket.io-client';
import { IceServersLease } from '../common/ice-servers-lease.ts';
import { produceOptions } from './media-options.ts';
import { LinkMonitor, applyVideoLevel } from './link-monitor.ts';
import { transportPaths } from './call-diagnostics.ts';
import { MediaRecovery, type MediaHealth } from './media-recovery.ts';
import { TokenRenewal } from '../common/token-renewal.ts';
import { connectReceiveTransport, whenConnected } from './transport-warmup.ts';

export interface MediaStats {
  video: { framesDecoded: number } | null;
  audio: { audioLevel: number } | null;
}

function makeDevice(): Device {
  try {
    return new Device();
  } catch {
    // Headless Chromium's user agent is not recognised; its WebRTC stack is Chrome's.
    return new Device({ handlerName: 'Chrome111' });
  }
}

export class RoomClient {
  readonly remoteStream = new MediaStream();
  private readonly socket: Socket<MediaServerEvents, MediaClientEvents>;
  private readonly device = makeDevice();
  private sendTransport: types.Transport | undefined;
  private recvTransport: types.Transport | undefined;
  private readonly producers = new Map<'audio' | 'video', types.Producer>();
  private readonly consumers = new Map<string, types.Consumer>();
  private closed = false;
  /** TURN credentials for the transports, refreshed before they expire (W-6). */
  private readonly ice = new IceServersLease(
    () => this.request<IceServersGrant>(MEDIA_LINK_EVENTS.iceServers, {}),
    { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as number) },
  );
  /** The page's own uplink, deciding its video level (W-5). */
  private monitor: LinkMonitor | undefined;
  /** Each side's video level as the server last told (W-5); pages show a notice from it. */
  readonly videoLevels: Record<'kiosk' | 'operator', VideoLevel> = { kiosk: 'full', operator: 'full' };
  onVideoNotice: (levels: Record<'kiosk' | 'operator', VideoLevel>) => void = () => {};
  /** Called once when the room ends from the server side (call ended, SFU failure). */
  onClosed: (reason: string) => void = () => {};
  onRemoteTrack: () => void = () => {};
  /** The other side paused or resumed its microphone or camera (the citizen's Phone Mute). */
  onRemotePaused: (kind: 'audio' | 'video', paused: boolean) => void = () => {};
  /** Muted before the producers exist: applied as soon as they do. */
  private microphoneMuted = false;
  private joined = false;
  /**
   * Fast setup: joined with prepare() while the call waits and rings; what it sends stays paused
   * (and the room resumes no consumer) until the server says the call is live (media:live).
   */
  private prewarmed = false;
  private live = false;
  /** The call rings: the camera's video already goes to the SFU (see sendVideoAhead). */
  private videoAhead = false;
  private cameraOff = false;
  private heardAt = 0;
  /** Restarts ICE when the network fails or changes (media-recovery.ts). */
  private readonly recovery: MediaRecovery;
  /** Whether media flows now: the page shows "reconnecting" while it does not. */
  onHealth: (health: MediaHealth) => void = () => {};
  /**
   * A fresh media token from the page's own signaling (kiosk core, console socket), asked when the
   * server refused the one held: tokens are single-use, and a drop before `media:resync` arrived
   * leaves the page with a spent one (token-renewal.ts). Undefined: none now, asked again later.
   */
  renewToken: () => Promise<string | undefined> = async () => undefined;
  private readonly renewal: TokenRenewal;
  /** The other side's streams its person paused, as the server told (media-health.ts). */
  private readonly remotePaused = new Set<string>();

  constructor(
    serverUrl: string,
    private token: string,
    private readonly localStream: MediaStream,
  ) {
    // A connection of its own: closing the media channel must never take the page's other
    // signaling (the operator namespace shares the origin) down with it. Each (re)connection
    // presents the newest token: the server hands a fresh one on every connection.
    this.socket = io(serverUrl + NAMESPACES.media, {
      auth: (cb) => cb({ token: this.token }),
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 2000,
    });
    this.recovery = new MediaRecovery(
      {
        transports: () => [this.sendTransport, this.recvTransport].filter((t) => t !== undefined),
        restartIce: (t) => this.restartIce(t),
        signalingAlive: () => this.socket.connected && performance.now() - this.heardAt < 3_000,
        signalingHeardAt: () => this.heardAt,
        requestKeyFrame: () => {
          if (this.socket.connected) this.socket.emit(MEDIA_RECOVERY_EVENTS.keyFrame, {}, () => {});
        },
        reconnectSocket: () => {
          this.socket.disconnect();
          this.socket.connect();
        },
        bytesReceived: () => this.bytesReceived(),
        pausedByPerson: () =>
          this.consumers.size > 0 && [...this.consumers.keys()].every((id) => this.remotePaused.has(id)),
      },
      {
        onHealth: (h) => this.onHealth(h),
        onRestart: (why) => console.info(`media: ICE restart (${why})`),
      },
    );
    this.socket.on(EVENTS.mediaConsumer, (info) => void this.consume(info));
    this.socket.on(EVENTS.mediaConsumerClosed, ({ consumerId }) => this.dropConsumer(consumerId));
    this.socket.on(EVENTS.mediaClosed, ({ reason }) => this.close(reason));
    this.socket.on(EVENTS.mediaConsumerPaused, ({ consumerId, kind, paused }) => {
      this.markRemotePaused(consumerId, paused);
      this.onRemotePaused(kind, paused);
    });
    this.socket.on(MEDIA_LINK_EVENTS.videoNotice, ({ role, level }) => {
      this.videoLevels[role] = level;
      this.onVideoNotice({ ...this.videoLevels });
    });
    this.ice.onRefresh = (iceServers) => {
      for (const t of [this.sendTransport, this.recvTransport]) void t?.updateIceServers({ iceServers });
    };
    this.socket.on(MEDIA_RECOVERY_EVENTS.resync, (p) => this.resync(p));
    this.renewal = new TokenRenewal(
      {
        token: () => this.token,
        reconnectWith: (token) => {
          this.token = token;
          this.socket.connect();
        },
        renew: () => this.renewToken(),
        closed: () => this.closed,
      },
      { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as number) },
    );
    this.socket.on('connect_error', (err) => this.renewal.refused(err.message, this.socket.active));
    this.socket.on(MEDIA_PREWARM_EVENTS.live, () => this.goLive());
    this.socket.on('disconnect', () => {
      // Before the answer the server keeps nothing of a page that left: this prewarm is over, and
      // the page joins on accept instead (the room stays the call's).
      if (this.prewarmed && !this.live) this.close('prewarm-lost');
      else this.recovery.socketDown();
    });
    // The server pings every 2 s: a socket not heard from for longer is stuck.
    this.socket.io.on('ping', () => (this.heardAt = performance.now()));
    this.socket.on('connect', () => (this.heardAt = performance.now()));
  }

  /** Every connection: the next token, and (after a drop) the consumers the room still holds. */
  private resync(p: MediaResync): void {
    this.token = p.token;
    if (!this.joined) return;
    for (const id of [...this.consumers.keys()]) if (!p.consumerIds.includes(id)) this.dropConsumer(id);
    this.recovery.socketBack();
  }

  private async bytesReceived(): Promise<{ transport: number; media: number }> {
    const total = { transport: 0, media: 0 };
    for (const t of [this.sendTransport, this.recvTransport]) {
      if (!t || t.closed) continue;
      (await t.getStats()).forEach((s: { type: string; bytesReceived?: number }) => {
        if (s.type === 'transport') total.transport += s.bytesReceived ?? 0;
        if (s.type === 'inbound-rtp') total.media += s.bytesReceived ?? 0;
      });
    }
    return total;
  }

  private async request<T>(event: keyof MediaClientEvents, payload: unknown): Promise<T> {
    const res = (await (this.socket.timeout(10_000) as unknown as Socket).emitWithAck(event, payload)) as
      ({ ok: true } & T) | { ok: false; error: string };
    if (!res.ok) throw new Error(res.error);
    return res;
  }

  /** Joins the room of an answered call: transports, producers, and what the other side sends. */
  async join(): Promise<void> {
    this.live = true;
    await this.setUp();
    this.startMonitor();
  }

  /**
   * Joins the room of a call that waits or rings (fast setup): the device is loaded, both
   * transports are made and connected, and the producers exist, paused on this page. Resolves once
   * both transports are connected; the call's answer (media:live) then leaves consume and resume.
   */
  async prepare(): Promise<void> {
    this.prewarmed = true;
    const routerRtpCapabilities = await this.setUp();
    if (this.closed || this.live) return;
    await connectReceiveTransport(this.recvTransport!, routerRtpCapabilities);
    await Promise.all([whenConnected(this.sendTransport!), whenConnected(this.recvTransport!)]);
  }

  /**
   * The call rings (or rings here): the camera's video starts going to the SFU, which sends it to
   * nobody (no consumer is resumed before the answer). The encoder is then running when the
   * answer's consumer asks for a key frame, and the first frame is shown at once; a video that
   * starts only on the answer may see that request come before its encoder and wait seconds for
   * the next key frame. Audio stays paused until the answer.
   */
  sendVideoAhead(): void {
    this.videoAhead = true;
    if (!this.live && !this.cameraOff) this.producers.get('video')?.resume();
  }

  /** Whether this page joined early and may still serve the call (not closed). */
  get usable(): boolean {
    return !this.closed;
  }

  /** The call was answered: what this page sends is resumed (as the citizen or operator left it). */
  private goLive(): void {
    if (this.live || this.closed) return;
    this.live = true;
    if (this.joined) this.resumeSending(); // else setUp() does, once its producers exist
  }

  private resumeSending(): void {
    if (!this.cameraOff) this.producers.get('video')?.resume();
    if (!this.microphoneMuted) this.producers.get('audio')?.resume();
    this.startMonitor();
  }

  private async setUp(): Promise<types.RtpCapabilities> {
    const [{ routerRtpCapabilities }] = await Promise.all([
      this.request<{ routerRtpCapabilities: types.RtpCapabilities }>(EVENTS.mediaCapabilities, {}),
      this.ice.load(),
    ]);
    await this.device.load({ routerRtpCapabilities });
    this.recvTransport = await this.createTransport('recv');
    this.sendTransport = await this.createTransport('send');
    await this.request(EVENTS.mediaReady, { rtpCapabilities: this.device.rtpCapabilities });
    for (const track of this.localStream.getTracks()) {
      const producer = await this.sendTransport.produce({ track, ...produceOptions(track.kind) });
      // Joined before the answer: nothing is sent until the call is live (zero RTP for video).
      if (!this.live && !(track.kind === 'video' && this.videoAhead)) producer.pause();
      this.producers.set(track.kind as 'audio' | 'video', producer);
      // The stream's track may have been swapped while this one was being produced (the kiosk's
      // handset microphone, call-microphone.ts): the producer sends the stream's track of now.
      const now = this.localStream.getTracks().find((t) => t.kind === track.kind);
      if (now && now !== producer.track) await producer.replaceTrack({ track: now });
    }
    if (this.microphoneMuted) this.setMicrophoneMuted(true, true);
    if (this.cameraOff) this.setCameraOff(true);
    this.joined = true;
    if (this.prewarmed && this.live) this.resumeSending();
    return routerRtpCapabilities;
  }

  private startMonitor(): void {
    if (this.closed || this.monitor) return;
    this.monitor = new LinkMonitor({
      sendStats: async () => this.sendTransport?.getStats(),
      applyVideoLevel: (level) =>
        applyVideoLevel(this.producers.get('video'), level, () =>
          this.request(MEDIA_LINK_EVENTS.videoLevel, { level }),
        ),
    });
    this.monitor.start();
  }

  /** The path in use and what is received, with the video levels (tests, technicians). */
  async diagnostics() {
    return {
      ...(await transportPaths(this.sendTransport, this.recvTransport)),
      levels: { ...this.videoLevels },
      ownLevel: this.monitor?.level ?? 'full',
      switches: this.monitor?.switches ?? 0,
      levelChanges: [...(this.monitor?.changes ?? [])],
    };
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    const { transport: info } = await this.request<{ transport: TransportInfo }>(
      EVENTS.mediaCreateTransport,
      {
        direction,
      },
    );
    const params = {
      id: info.id,
      iceParameters: info.iceParameters as types.IceParameters,
      iceCandidates: info.iceCandidates as types.IceCandidate[],
      dtlsParameters: info.dtlsParameters as types.DtlsParameters,
      iceServers: this.ice.servers,
    };
    const transport =
      direction === 'send'
        ? this.device.createSendTransport(params)
        : this.device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request(EVENTS.mediaConnectTransport, { transportId: transport.id, dtlsParameters }).then(
        () => callback(),
        (err: Error) => errback(err),
      );
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
        this.request<{ id: string }>(EVENTS.mediaProduce, {
          transportId: transport.id,
          kind,
          rtpParameters,
        }).then(
          ({ id }) => callback({ id }),
          (err: Error) => errback(err),
        );
      });
    }
    // A path that failed or stalled gets new ICE credentials without anyone acting.
    this.recovery.watch(transport);
    return transport;
  }

  private async restartIce(transport: types.Transport): Promise<boolean> {
    if (this.closed || transport.closed) return false;
    try {
      const { iceParameters } = await this.request<{ iceParameters: types.IceParameters }>(
        EVENTS.mediaRestartIce,
        {
          transportId: transport.id,
        },
      );
      await transport.restartIce({ iceParameters });
      return true;
    } catch {
      /* The next failure tries again; the call's end after a long outage is the server's. */
      return false;
    }
  }

  private async consume(info: ConsumerInfo): Promise<void> {
    // After a reconnect the room sends again the consumers this page already has (with their
    // producers' pause state, which may have changed meanwhile).
    if (this.consumers.has(info.id)) return this.markRemotePaused(info.id, info.producerPaused ?? false);
    if (!this.recvTransport || this.closed) return;
    const consumer = await this.recvTransport.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    this.consumers.set(consumer.id, consumer);
    if (info.producerPaused) this.remotePaused.add(consumer.id);
    this.remoteStream.addTrack(consumer.track);
    this.onRemoteTrack();
    if (info.producerPaused) this.onRemotePaused(info.kind, true);
    // Resumed only now: the server waits until this transport is connected before sending.
    await this.request(EVENTS.mediaResumeConsumer, { consumerId: consumer.id });
  }

  private markRemotePaused(consumerId: string, paused: boolean): void {
    if (paused === this.remotePaused.has(consumerId)) return;
    if (paused) this.remotePaused.add(consumerId);
    else this.remotePaused.delete(consumerId);
    this.recovery.remotePauseChanged();
  }

  private dropConsumer(id: string): void {
    this.remotePaused.delete(id);
    const consumer = this.consumers.get(id);
    if (!consumer) return;
    this.remoteStream.removeTrack(consumer.track);
    consumer.close();
    this.consumers.delete(id);
  }

  /**
   * Stops or restarts sending the microphone, and tells the server so that the other side knows.
   * Idempotent: the page may call it on every state it renders.
   */
  setMicrophoneMuted(muted: boolean, force = false): void {
    if (muted === this.microphoneMuted && !force) return;
    this.microphoneMuted = muted;
    const p = this.producers.get('audio');
    if (!p || this.closed) return;
    if (muted) p.pause();
    else if (this.live) p.resume();
    this.request(EVENTS.mediaPauseProducer, { producerId: p.id, paused: muted }).catch((err: unknown) =>
      console.warn('could not tell the server about the microphone', err),
    );
  }

  /** The track a producer sends now (the tests read the microphone's device from it). */
  producerTrack(kind: 'audio' | 'video'): MediaStreamTrack | null {
    return this.producers.get(kind)?.track ?? null;
  }

  /** Sends another track in place of the producer's (the kiosk's handset lifted mid-call). */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack): Promise<void> {
    await this.producers.get(kind)?.replaceTrack({ track });
  }

  /** Stops or restarts sending the camera, and tells the server, so that the other side knows. */
  setCameraOff(off: boolean): void {
    this.cameraOff = off;
    const p = this.producers.get('video');
    if (!p || this.closed) return;
    if (off) p.pause();
    else if (this.live) p.resume();
    this.request(EVENTS.mediaPauseProducer, { producerId: p.id, paused: off }).catch((err: unknown) =>
      console.warn('could not tell the server about the camera', err),
    );
  }

  /** Inbound media figures from WebRTC's own statistics. */
  async stats(): Promise<MediaStats> {
    const out: MediaStats = { video: null, audio: null };
    for (const consumer of this.consumers.values()) {
      const report = await consumer.getStats();
      report.forEach((s: { type: string; kind?: string; framesDecoded?: number; audioLevel?: number }) => {
        if (s.type !== 'inbound-rtp') return;
        if (s.kind === 'video') out.video = { framesDecoded: s.framesDecoded ?? 0 };
        if (s.kind === 'audio') out.audio = { audioLevel: s.audioLevel ?? 0 };
      });
    }
    return out;
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.closed = true;
    this.ice.close();
    this.monitor?.close();
    this.recovery.close();
    this.renewal.close();
    for (const c of this.consumers.values()) c.close();
    this.consumers.clear();
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.socket.close();
    this.onClosed(reason);
  }
}

// In its own small module, so that the kiosk page can open its camera without loading the call's code.
export { openCameraAndMicrophone } from './local-media.ts';
