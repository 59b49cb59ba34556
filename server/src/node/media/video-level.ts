// What a video level (W-5) means for one side's mediasoup objects. 'paused': its video producers
// are paused (nothing of its camera is forwarded) and so is the video it receives, so only audio
// crosses its link. 'low': the video it receives is held to the lowest simulcast layer (its page
// stops sending its own upper layer). 'full': everything resumes, at the best layer.
import type { types } from 'mediasoup';
import type { VideoLevel } from '@sportello/protocol';

export async function applyVideoLevel(
  level: VideoLevel,
  producers: types.Producer[],
  consumers: types.Consumer[],
): Promise<void> {
  for (const producer of producers) {
    if (producer.kind !== 'video' || producer.closed) continue;
    if (level === 'paused') await producer.pause();
    else await producer.resume();
  }
  for (const consumer of consumers) {
    if (consumer.kind !== 'video' || consumer.closed) continue;
    if (level === 'paused') {
      await consumer.pause();
      continue;
    }
    if (consumer.type === 'simulcast' || consumer.type === 'svc') {
      // "S2T3" / "L2T3": the digit after the letter is the number of spatial layers.
      const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
      const layers = Number(/^[LS](\d+)/.exec(mode)?.[1] ?? 1);
      await consumer.setPreferredLayers({ spatialLayer: level === 'low' ? 0 : Math.max(0, layers - 1) });
    }
    // Only a consumer its page already asked for: the first resume waits for a connected transport.
    if (consumer.appData.resumeAsked === true) await consumer.resume();
  }
}
