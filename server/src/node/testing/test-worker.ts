// A real mediasoup worker and one router with the call's codecs, for tests that check mediasoup's
// own behaviour (Debian's worker binary, as the server runs it).
import type { types } from 'mediasoup';
import { MEDIA_CODECS, prepareWorkerBinary, workerSettings } from '../media/mediasoup-compat.ts';

export async function startTestRouter(): Promise<{ worker: types.Worker; router: types.Router }> {
  prepareWorkerBinary(); // read by mediasoup when it loads: imported after
  const { createWorker } = await import('mediasoup');
  const worker = await createWorker(workerSettings(40000, 49999));
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  return { worker, router };
}
