// The contract between the bare mediasoup page (bench/browser/bare-peer.ts) and its Node driver
// (bench/node/bare-mediasoup.ts). Signaling goes through a function the driver exposes to the
// page, so the loopback has no socket.io and no application logic between the two ends.

/** What the page asks the driver; each answer is what mediasoup-client needs next. */
export type BareRequest =
  | { method: 'caps' }
  | { method: 'createTransport'; direction: 'send' | 'recv' }
  | { method: 'connect'; transportId: string; dtlsParameters: unknown }
  | { method: 'ready'; rtpCapabilities: unknown }
  | { method: 'produce'; transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown }
  | { method: 'resume'; consumerId: string };

export interface BareConsumerInfo {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
}

/** Name of the function the driver exposes on the page's global object. */
export const BARE_SIGNAL = 'benchSignal';

/** What the page puts on its global object as `bare`. All times are performance.timeOrigin + now(). */
export interface BarePeerApi {
  /** Opens camera and microphone, joins, sends both tracks; resolves with the time it began. */
  start(): Promise<number>;
  /** Receives one of the other side's producers (created paused by the driver) and resumes it. */
  consume(info: BareConsumerInfo): Promise<void>;
  /** Time of the first consume() of this round, if any. */
  firstConsumeAt: number | undefined;
  /** Time of the first stats read that saw a decoded video frame, if any. */
  firstFrameAt: number | undefined;
  close(): void;
}
