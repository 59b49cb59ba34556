// What the real SFU holds, counted from mediasoup's own observers: every router and WebRTC
// transport any worker of this process makes from now on. Used by the fast-setup tests to show
// that an answer makes no transport for a side that joined early, and that an unanswered call
// leaves none behind.
import type { types } from 'mediasoup';
import { prepareWorkerBinary } from '../../server/src/node/media/mediasoup-compat.ts';

export interface SfuCensus {
  /** Transports made so far (open or closed). */
  readonly made: number;
  /** Routers and transports not closed now. */
  open(): { routers: number; transports: number };
  /** The transports still open that are connected (DTLS). */
  connected(): number;
  /** Consumers open now, and how many of them forward media (not paused). */
  consumers(): { open: number; forwarding: number };
  close(): void;
}

/** Starts counting; call before the stack starts its workers. */
export async function countSfu(): Promise<SfuCensus> {
  prepareWorkerBinary();
  const mediasoup = await import('mediasoup');
  const routers = new Set<types.Router>();
  const transports = new Set<types.WebRtcTransport>();
  const consumers = new Set<types.Consumer>();
  let made = 0;
  const onWorker = (worker: types.Worker) =>
    worker.observer.on('newrouter', (router: types.Router) => {
      routers.add(router);
      router.observer.once('close', () => routers.delete(router));
      router.observer.on('newtransport', (t: types.Transport) => {
        made += 1;
        const wt = t as types.WebRtcTransport;
        transports.add(wt);
        t.observer.once('close', () => transports.delete(wt));
        t.observer.on('newconsumer', (c: types.Consumer) => {
          consumers.add(c);
          c.observer.once('close', () => consumers.delete(c));
        });
      });
    });
  mediasoup.observer.on('newworker', onWorker);
  return {
    get made() {
      return made;
    },
    open: () => ({ routers: routers.size, transports: transports.size }),
    connected: () => [...transports].filter((t) => t.dtlsState === 'connected').length,
    consumers: () => ({ open: consumers.size, forwarding: [...consumers].filter((c) => !c.paused).length }),
    close: () => mediasoup.observer.off('newworker', onWorker),
  };
}
