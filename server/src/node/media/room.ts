// One call, one room, one router. Each side (kiosk, operator) is a peer with a send and a receive
// transport. Consumers are created paused and resumed only once the receiving transport is
// connected: the first frame then arrives in ~150 ms instead of ~1 s.
import type { types } from 'mediasoup';
import type { ConsumerInfo, TransportInfo, VideoLevel, VideoNotice } from '@sportello/protocol';
import { EventEmitter } from 'node:events';
import {
  MEDIA_CODECS,
  onProducerScore,
  selectedRemoteIp,
  transportBytesReceived,
  webRtcTransportOptions,
} from './mediasoup-compat.ts';
import { applyVideoLevel } from './video-level.ts';
import { reserveUnderCap } from './peer-caps.ts';
import { consumeCapabilities } from './consume-capabilities.ts';

export type PeerRole = 'kiosk' | 'operator';

/** How the room talks back to one peer's signaling socket. */
export interface PeerSink {
  consumer(info: ConsumerInfo): void;
  consumerClosed(consumerId: string): void;
  /** What this peer receives was paused or resumed by the other side (a muted microphone). */
  consumerPaused?(consumerId: string, kind: 'audio' | 'video', paused: boolean): void;
  closed(reason: string): void;
  /** A side's video level changed (W-5): both sides show a notice. */
  videoNotice?(notice: VideoNotice): void;
  /** The call was answered: a page that joined while it rang starts sending (media-prewarm.ts). */
  live?(): void;
}

interface Peer {
  sink: PeerSink;
  /** The signaling socket this peer is attached through; undefined while it is away. */
  owner: string | undefined;
  transports: Map<string, types.WebRtcTransport>;
  recv?: types.WebRtcTransport;
  producers: Map<string, types.Producer>;
  consumers: Map<string, types.Consumer>;
  /** What its page can receive, as the SFU is told it (consume-capabilities.ts). */
  rtpCapabilities?: types.RtpCapabilities;
  /** What this side's link carries (W-5); 'full' until its page reports otherwise. */
  videoLevel: VideoLevel;
}

export interface PeerDump {
  transports: number;
  producers: number;
  consumers: number;
  attached: boolean;
  remoteIps: string[];
}

/** Where a peer's events go while it has no socket: nowhere (it is sent its consumers on return). */
const AWAY: PeerSink = { consumer: () => {}, consumerClosed: () => {}, closed: () => {} };

export class Room extends EventEmitter<{ closed: [reason: string] }> {
  private readonly peers = new Map<PeerRole, Peer>();
  private closedReason: string | undefined;
  /**
   * False while the call waits and rings (a prewarmed room, calls/call-prewarm.ts): the sides make
   * transports, producers and (paused) consumers, but no consumer is resumed until goLive(), so
   * nothing of either side reaches the other before the operator answers.
   */
  private isLive = true;

  private constructor(
    readonly callId: string,
    readonly router: types.Router,
    readonly worker: types.Worker,
    private readonly listen: { ip: string; announcedIp?: string | undefined },
  ) {
    super();
  }

  static async create(
    worker: types.Worker,
    callId: string,
    listen: { ip: string; announcedIp?: string | undefined },
  ): Promise<Room> {
    const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
    const room = new Room(callId, router, worker, listen);
    // A worker that dies takes its routers with it; the call ends through the room's close.
    router.observer.once('close', () => room.close('media-failure'));
    return room;
  }

  get live(): boolean {
    return this.isLive;
  }

  /** Made while the call waits: no media crosses between the sides until goLive(). */
  holdUntilLive(): void {
    this.isLive = false;
  }

  /**
   * The call was answered: the consumers made while it rang, each already asked for by its page
   * once its transport was connected, are resumed now (the video's resume asks its sender for a
   * key frame), and the joined pages are told to resume what they send.
   */
  async goLive(): Promise<void> {
    if (this.isLive || this.closed) return;
    this.isLive = true;
    for (const p of this.peers.values()) p.sink.live?.();
    const held: Promise<void>[] = [];
    for (const peer of this.peers.values()) {
      for (const c of peer.consumers.values()) {
        if (c.appData.resumeOnLive !== true) continue;
        c.appData.resumeAsked = true;
        if (c.kind === 'video' && peer.videoLevel === 'paused') continue;
        held.push(c.resume());
      }
    }
    await Promise.all(held);
  }

  /**
   * A side that joined while the call rang leaves before the answer (the ring moved to another
   * console, the operator turned the setting off, its media socket dropped): its transports close
   * on the SFU now, and with them its producers. Only the peer attached through `owner`, if given.
   */
  releasePeer(role: PeerRole, owner?: string): void {
    const peer = this.peers.get(role);
    if (!peer || (owner !== undefined && peer.owner !== owner)) return;
    this.peers.delete(role);
    for (const t of [...peer.transports.values()]) t.close();
    peer.sink.closed('released');
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  /**
   * A peer joins through the signaling socket `owner`. One that comes back on a new socket keeps
   * its transports, producers and consumers (media may still be flowing: W-4, W-9); the consumers
   * it holds are sent again on the new socket, and their ids returned, so the page can drop the
   * ones that ended while it was away. A page that starts over makes new transports, which replace
   * the old ones (createTransport).
   */
  attach(role: PeerRole, sink: PeerSink, owner: string): string[] {
    this.assertOpen();
    const peer = this.peers.get(role);
    if (!peer) {
      this.peers.set(role, {
        sink,
        owner,
        transports: new Map(),
        producers: new Map(),
        consumers: new Map(),
        videoLevel: 'full',
      });
      return [];
    }
    peer.sink = sink;
    peer.owner = owner;
    for (const c of peer.consumers.values())
      sink.consumer({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
    return [...peer.consumers.keys()];
  }

  /**
   * The socket `owner` went away. Only the peer attached through that socket is affected (a late
   * disconnect of an old socket leaves the new one alone), and its media is kept: the call's end
   * after a long outage is the liveness watch's decision (calls/call-liveness.ts).
   */
  detach(role: PeerRole, owner: string): void {
    const peer = this.peers.get(role);
    if (!peer || peer.owner !== owner) return;
    peer.owner = undefined;
    peer.sink = AWAY;
  }

  /** Whether the peer has a signaling socket now. */
  attached(role: PeerRole): boolean {
    return this.peers.get(role)?.owner !== undefined;
  }

  /** Bytes the SFU has received from this peer over all its transports (RTP, RTCP, STUN). */
  async bytesFrom(role: PeerRole): Promise<number | undefined> {
    const peer = this.peers.get(role);
    if (!peer || this.closed) return undefined;
    let total = 0;
    for (const t of [...peer.transports.values()]) total += await transportBytesReceived(t);
    return total;
  }

  private peer(role: PeerRole): Peer {
    this.assertOpen();
    const peer = this.peers.get(role);
    if (!peer) throw new Error('peer has not joined the room');
    return peer;
  }

  private transport(peer: Peer, id: string): types.WebRtcTransport {
    const t = peer.transports.get(id);
    if (!t) throw new Error(`unknown transport ${id}`);
    return t;
  }

  async createTransport(role: PeerRole, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const peer = this.peer(role);
    const release = reserveUnderCap(peer, 'transports', peer.transports.size);
    const transport = await this.router
      .createWebRtcTransport(webRtcTransportOptions(this.listen.ip, this.listen.announcedIp))
      .finally(release);
    transport.appData.direction = direction;
    // One transport per direction: a page that starts over replaces its old ones (and with them
    // their producers and consumers), so nothing is left behind.
    for (const old of [...peer.transports.values()]) if (old.appData.direction === direction) old.close();
    peer.transports.set(transport.id, transport);
    if (direction === 'recv') peer.recv = transport;
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(role: PeerRole, transportId: string, dtlsParameters: unknown): Promise<void> {
    const peer = this.peer(role);
    await this.transport(peer, transportId).connect({
      dtlsParameters: dtlsParameters as types.DtlsParameters,
    });
  }

  async restartIce(role: PeerRole, transportId: string): Promise<unknown> {
    return this.transport(this.peer(role), transportId).restartIce();
  }

  /** Asks the senders of every video this peer receives for a key frame (its video resumed). */
  async requestKeyFrames(role: PeerRole): Promise<void> {
    const peer = this.peer(role);
    for (const c of peer.consumers.values()) if (c.kind === 'video') await c.requestKeyFrame();
  }

  /** The peer can receive: consume what the other side already sends. */
  async ready(role: PeerRole, rtpCapabilities: unknown): Promise<void> {
    const peer = this.peer(role);
    peer.rtpCapabilities = consumeCapabilities(rtpCapabilities as types.RtpCapabilities);
    for (const [otherRole, other] of this.peers) {
      if (otherRole === role) continue;
      for (const producer of other.producers.values()) await this.consume(peer, producer);
    }
  }

  async produce(
    role: PeerRole,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
  ): Promise<string> {
    const peer = this.peer(role);
    const transport = this.transport(peer, transportId);
    const release = reserveUnderCap(peer, 'producers', peer.producers.size);
    const producer = await transport
      .produce({ kind, rtpParameters: rtpParameters as types.RtpParameters })
      .finally(release);
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    if (kind === 'video' && peer.videoLevel === 'paused') await producer.pause();
    if (kind === 'video') this.keyFrameOnReturn(producer, peer);
    for (const [otherRole, other] of this.peers) {
      if (otherRole !== role && other.rtpCapabilities) await this.consume(other, producer);
    }
    return producer.id;
  }

  /**
   * A video that comes back after its sender's network failed (the SFU marks the stream inactive,
   * score 0) is shown only from its next key frame; the receiver asks for one late (seconds after
   * the first packets), so the SFU asks at once, for every consumer of it (W-1). The sender's own
   * incoming video crossed the same broken network: its key frames are asked for too.
   */
  private keyFrameOnReturn(producer: types.Producer, sender: Peer): void {
    let silent = false;
    onProducerScore(producer, (best) => {
      if (best === 0) silent = true;
      else if (silent) {
        silent = false;
        for (const p of this.peers.values())
          for (const c of p.consumers.values())
            if (c.producerId === producer.id || (p === sender && c.kind === 'video'))
              void c.requestKeyFrame().catch(() => {});
      }
    });
  }

  private async consume(peer: Peer, producer: types.Producer): Promise<void> {
    const recv = peer.recv;
    const caps = peer.rtpCapabilities;
    if (!recv || !caps || !this.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return;
    const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true });
    peer.consumers.set(consumer.id, consumer);
    const forget = () => {
      if (peer.consumers.delete(consumer.id)) peer.sink.consumerClosed(consumer.id);
    };
    consumer.on('producerclose', () => consumer.close());
    consumer.on('producerpause', () => peer.sink.consumerPaused?.(consumer.id, consumer.kind, true));
    consumer.on('producerresume', () => peer.sink.consumerPaused?.(consumer.id, consumer.kind, false));
    consumer.on('transportclose', forget);
    consumer.observer.once('close', forget);
    peer.sink.consumer({
      id: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      ...(consumer.producerPaused ? { producerPaused: true } : {}),
    });
  }

  /** A peer pauses or resumes what it sends (mute); the other side's consumer hears of it. */
  async pauseProducer(role: PeerRole, producerId: string, paused: boolean): Promise<void> {
    const producer = this.peer(role).producers.get(producerId);
    if (!producer) throw new Error(`unknown producer ${producerId}`);
    if (paused) await producer.pause();
    else await producer.resume();
  }

  /** Resumes a consumer once its transport's DTLS is connected (immediately if it already is). */
  async resumeConsumer(role: PeerRole, consumerId: string): Promise<void> {
    const peer = this.peer(role);
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new Error(`unknown consumer ${consumerId}`);
    const recv = peer.recv;
    if (recv && recv.dtlsState !== 'connected') {
      await new Promise<void>((resolve, reject) => {
        const onState = (state: types.DtlsState) => {
          if (state === 'connected') done(resolve);
          else if (state === 'failed' || state === 'closed')
            done(() => reject(new Error(`transport ${state}`)));
        };
        const onClose = () => done(() => reject(new Error('transport closed')));
        const done = (fn: () => void) => {
          recv.off('dtlsstatechange', onState);
          recv.observer.off('close', onClose);
          fn();
        };
        recv.on('dtlsstatechange', onState);
        recv.observer.on('close', onClose);
      });
    }
    // Before the answer nothing crosses: resumed by goLive() (the page need not ask again).
    if (!this.isLive) {
      consumer.appData.resumeOnLive = true;
      return;
    }
    // A side whose link only carries audio gets its video when the level goes up again.
    consumer.appData.resumeAsked = true;
    if (consumer.kind === 'video' && peer.videoLevel === 'paused') return;
    await consumer.resume();
  }

  /**
   * A side's page says what its link carries (W-5): its video producers and the video it receives
   * follow, and both sides are told, so each can show a notice.
   */
  async setVideoLevel(role: PeerRole, level: VideoLevel): Promise<void> {
    const peer = this.peer(role);
    if (peer.videoLevel === level) return;
    peer.videoLevel = level;
    await applyVideoLevel(level, [...peer.producers.values()], [...peer.consumers.values()]);
    for (const p of this.peers.values()) p.sink.videoNotice?.({ role, level });
  }

  private assertOpen(): void {
    if (this.closedReason !== undefined) throw new Error('the call has ended');
  }

  /** Ends the room: idempotent, closes the router (and with it every transport), tells both peers. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    const peers = [...this.peers.values()];
    this.peers.clear();
    if (!this.router.closed) this.router.close();
    for (const p of peers) p.sink.closed(reason);
    this.emit('closed', reason);
    this.removeAllListeners();
  }

  /** Counts for diagnostics and leak checks. */
  dump(): {
    callId: string;
    peers: Record<string, PeerDump>;
  } {
    const peers: Record<string, PeerDump> = {};
    for (const [role, p] of this.peers) {
      peers[role] = {
        transports: p.transports.size,
        producers: p.producers.size,
        consumers: p.consumers.size,
        attached: p.owner !== undefined,
        // Where each transport's media comes from now (an address change shows here: W-2).
        remoteIps: [...p.transports.values()].map(selectedRemoteIp),
      };
    }
    return { callId: this.callId, peers };
  }
}
