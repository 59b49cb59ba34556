// A media peer without a browser or mediasoup-client: speaks the /media namespace as a page does
// (capabilities, transports, ready, produce, resume) with made-up DTLS and RTP parameters that the
// SFU accepts. Used by the abuse tests and the load tests (L-1) to negotiate real rooms, real
// transports, producers and consumers on the server's mediasoup worker.
import {
  EVENTS,
  MEDIA_RECOVERY_EVENTS,
  NAMESPACES,
  type MediaResync,
  type ConsumerInfo,
  type MediaClientEvents,
  type MediaServerEvents,
} from '@sportello/protocol';
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';

type Answer = { ok: true } & Record<string, unknown>;

/** DTLS parameters of a client that will never finish the handshake (signaling only). */
export function fakeDtlsParameters() {
  const value = [...randomBytes(32)].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(':');
  return { role: 'client', fingerprints: [{ algorithm: 'sha-256', value }] };
}

/** RTP parameters of one Opus or VP8 stream with this SSRC, as a browser would send. */
export function rtpParametersOf(kind: 'audio' | 'video', ssrc: number) {
  return kind === 'audio'
    ? {
        mid: String(ssrc),
        codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }],
        encodings: [{ ssrc }],
        rtcp: { cname: `peer-${ssrc}` },
      }
    : {
        mid: String(ssrc),
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {} }],
        encodings: [{ ssrc }],
        rtcp: { cname: `peer-${ssrc}` },
      };
}

/** Receive capabilities of a peer that takes Opus and VP8. */
export const PEER_RTP_CAPABILITIES = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000 },
  ],
  headerExtensions: [],
};

export class MediaPeer {
  readonly consumers: ConsumerInfo[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(
    readonly socket: Socket<MediaServerEvents, MediaClientEvents>,
    /** The server's first word on this connection: the token for the next one. */
    readonly resync: Promise<MediaResync>,
  ) {
    socket.on(EVENTS.mediaConsumer, (info) => {
      this.consumers.push(info);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects with a media token; rejects with the server's refusal (e.g. "media token refused"). */
  static async connect(url: string, token: string): Promise<MediaPeer> {
    const socket: Socket<MediaServerEvents, MediaClientEvents> = io(url + NAMESPACES.media, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    // Listened for before the connection completes: it is sent right after.
    const resync = new Promise<MediaResync>((resolve) => socket.once(MEDIA_RECOVERY_EVENTS.resync, resolve));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (err) => {
        socket.close();
        reject(err);
      });
    });
    return new MediaPeer(socket, resync);
  }

  /** Sends one request; resolves with the answer, ok or not. */
  async ask(
    event: keyof MediaClientEvents,
    payload: unknown,
  ): Promise<Answer | { ok: false; error: string }> {
    try {
      return (await (this.socket.timeout(120_000) as unknown as Socket).emitWithAck(event, payload)) as
        Answer | { ok: false; error: string };
    } catch (err) {
      throw new Error(`${event}: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Sends one request; throws with the server's sentence when it is refused. */
  async request(event: keyof MediaClientEvents, payload: unknown): Promise<Answer> {
    const res = await this.ask(event, payload);
    if (!res.ok) throw new Error(res.error);
    return res;
  }

  async createTransport(direction: 'send' | 'recv'): Promise<string> {
    const res = await this.request(EVENTS.mediaCreateTransport, { direction });
    const id = (res.transport as { id: string }).id;
    await this.request(EVENTS.mediaConnectTransport, {
      transportId: id,
      dtlsParameters: fakeDtlsParameters(),
    });
    return id;
  }

  /** The whole join of a page: capabilities, recv and send transports, ready, audio and video. */
  async join(ssrcBase: number): Promise<{ send: string; recv: string; producers: string[] }> {
    await this.request(EVENTS.mediaCapabilities, {});
    const recv = await this.createTransport('recv');
    const send = await this.createTransport('send');
    await this.request(EVENTS.mediaReady, { rtpCapabilities: PEER_RTP_CAPABILITIES });
    const producers: string[] = [];
    for (const [i, kind] of (['audio', 'video'] as const).entries()) {
      const res = await this.request(EVENTS.mediaProduce, {
        transportId: send,
        kind,
        rtpParameters: rtpParametersOf(kind, ssrcBase + i),
      });
      producers.push(res.id as string);
    }
    return { send, recv, producers };
  }

  /** Resolves once this peer has been offered `count` consumers. */
  async consumersOffered(count: number): Promise<ConsumerInfo[]> {
    while (this.consumers.length < count) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.consumers;
  }

  close(): void {
    this.socket.close();
  }
}
