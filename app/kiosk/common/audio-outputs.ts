// Which audio output a prompt plays on (U-2): the handset's while it is lifted, else the speaker.
// Pure, so that the choice is tested without a browser; the page feeds it enumerateDevices().
import type { KioskAudio } from '@sportello/protocol';

export interface OutputDevice {
  deviceId: string;
  label: string;
}

export type OutputRole = 'handset' | 'speaker';

export interface OutputChoice {
  role: OutputRole;
  /** The sink id for HTMLMediaElement.setSinkId; '' is the system's default output. */
  sinkId: string;
  /** Why the choice is not the one configured (e.g. the handset's output is not plugged in). */
  problem?: string;
}

/** The first output whose label contains `wanted`, ignoring case. */
export function findOutput(outputs: readonly OutputDevice[], wanted: string): OutputDevice | undefined {
  const w = wanted.toLowerCase();
  return outputs.find((d) => d.label.toLowerCase().includes(w));
}

export function chooseOutput(
  outputs: readonly OutputDevice[],
  audio: KioskAudio | undefined,
  offHook: boolean,
): OutputChoice {
  const speaker = (): OutputChoice => {
    if (!audio?.speakerOutput) return { role: 'speaker', sinkId: '' };
    const found = findOutput(outputs, audio.speakerOutput);
    return found
      ? { role: 'speaker', sinkId: found.deviceId }
      : { role: 'speaker', sinkId: '', problem: `no audio output named like "${audio.speakerOutput}"` };
  };
  if (!offHook || !audio?.handsetOutput) return speaker();
  const handset = findOutput(outputs, audio.handsetOutput);
  if (handset) return { role: 'handset', sinkId: handset.deviceId };
  // Heard from the speaker is better than not heard at all.
  return { ...speaker(), problem: `no audio output named like "${audio.handsetOutput}"` };
}
