// The bare mediasoup peer for the call-setup comparison: camera and microphone, one send and one
// receive transport, produce, consume paused and resume — the minimal mediasoup-client flow, with
// the same media constraints and first-frame probe as the product pages.
import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import {
  BARE_SIGNAL,
  type BareConsumerInfo,
  type BarePeerApi,
  type BareRequest,
} from '../common/bare-protocol.ts';

type Signal = (req: BareRequest) => Promise<unknown>;
const signal: Signal = (req) => (globalThis as unknown as Record<string, Signal>)[BARE_SIGNAL]!(req);
const stamp = () => performance.timeOrigin + performance.now();

function makeDevice(): Device {
  try {
    return new Device();
  } catch {
    // Headless Chromium's user agent is not recognised; its WebRTC stack is Chrome's.
    return new Device({ handlerName: 'Chrome111' });
  }
}

class BarePeer implements BarePeerApi {
  firstConsumeAt: number | undefined;
  firstFrameAt: number | undefined;
  private stream: MediaStream | undefined;
  private send: types.Transport | undefined;
  private recv: types.Transport | undefined;
  private readonly consumers: types.Consumer[] = [];
  private probe: ReturnType<typeof setInterval> | undefined;

  async start(): Promise<number> {
    const startedAt = stamp();
    this.firstConsumeAt = undefined;
    this.firstFrameAt = undefined;
    this.startProbe();
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: true, noiseSuppression: true },
      video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } },
    });
    const device = makeDevice();
    await device.load({ routerRtpCapabilities: (await signal({ method: 'caps' })) as types.RtpCapabilities });
    this.recv = await this.transport(device, 'recv');
    this.send = await this.transport(device, 'send');
    await signal({ method: 'ready', rtpCapabilities: device.rtpCapabilities });
    for (const track of this.stream.getTracks()) await this.send.produce({ track });
    return startedAt;
  }

  private async transport(device: Device, direction: 'send' | 'recv'): Promise<types.Transport> {
    const params = (await signal({ method: 'createTransport', direction })) as types.TransportOptions;
    const transport =
      direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signal({ method: 'connect', transportId: transport.id, dtlsParameters }).then(
        () => callback(),
        errback,
      );
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      signal({ method: 'produce', transportId: transport.id, kind, rtpParameters }).then(
        (id) => callback({ id: id as string }),
        errback,
      );
    });
    return transport;
  }

  async consume(info: BareConsumerInfo): Promise<void> {
    this.firstConsumeAt ??= stamp();
    if (!this.recv) throw new Error('consume before the receive transport exists');
    const consumer = await this.recv.consume({
      id: info.id,
      producerId: info.producerId,
      kind: info.kind,
      rtpParameters: info.rtpParameters as types.RtpParameters,
    });
    this.consumers.push(consumer);
    await signal({ method: 'resume', consumerId: consumer.id });
  }

  /** Every 10 ms, one stats read at a time; the first read that sees a decoded frame is the time. */
  private startProbe(): void {
    clearInterval(this.probe);
    let busy = false;
    this.probe = setInterval(() => {
      const video = this.consumers.find((c) => c.kind === 'video');
      if (!video || busy || this.firstFrameAt !== undefined) return;
      busy = true;
      const at = stamp();
      video
        .getStats()
        .then((report) => {
          report.forEach((s: { type: string; kind?: string; framesDecoded?: number }) => {
            if (s.type === 'inbound-rtp' && s.kind === 'video' && (s.framesDecoded ?? 0) > 0)
              this.firstFrameAt ??= at;
          });
        })
        .finally(() => (busy = false));
    }, 10);
  }

  close(): void {
    clearInterval(this.probe);
    for (const c of this.consumers.splice(0)) c.close();
    this.send?.close();
    this.recv?.close();
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.send = this.recv = this.stream = undefined;
  }
}

(globalThis as unknown as { bare: BarePeerApi }).bare = new BarePeer();
