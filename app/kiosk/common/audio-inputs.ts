// Which microphone a call records from: the handset's while it is lifted, else the default one
// (the totem's own, hands-free). The handset's input is found from the output the audio guidance
// plays on (audio-outputs.ts): the input the browser groups with it (same groupId: one USB audio
// device), else one whose label holds the same configured part, else one named by
// `audio.handsetInput`, which comes first when set. Pure, so that the choice is tested without a
// browser; the page feeds it enumerateDevices() (call-microphone.ts).
import type { KioskAudio } from '@sportello/protocol';

export interface MediaDeviceEntry {
  kind: string;
  deviceId: string;
  groupId: string;
  label: string;
}

export interface InputChoice {
  role: 'handset' | 'default';
  /** The input's deviceId for getUserMedia; '' is the system's default microphone. */
  deviceId: string;
  /** How the handset's input was found. */
  matchedBy?: 'configured' | 'group' | 'label';
  /** Why the handset is lifted and the default microphone is used all the same. */
  problem?: string;
}

const DEFAULT: InputChoice = { role: 'default', deviceId: '' };

/** The first device whose label contains `wanted`, ignoring case (as the outputs are named). */
function named(devices: readonly MediaDeviceEntry[], wanted: string): MediaDeviceEntry | undefined {
  const w = wanted.toLowerCase();
  return devices.find((d) => d.label.toLowerCase().includes(w));
}

export function chooseInput(
  devices: readonly MediaDeviceEntry[],
  audio: KioskAudio | undefined,
  offHook: boolean,
): InputChoice {
  if (!offHook || !(audio?.handsetOutput || audio?.handsetInput)) return DEFAULT;
  // 'default' and 'communications' are aliases of another entry: never "the handset's" by group.
  const inputs = devices.filter(
    (d) => d.kind === 'audioinput' && d.deviceId !== 'default' && d.deviceId !== 'communications',
  );
  const handset = (deviceId: string, matchedBy: InputChoice['matchedBy']): InputChoice => ({
    role: 'handset',
    deviceId,
    matchedBy,
  });
  if (audio.handsetInput) {
    const input = named(inputs, audio.handsetInput);
    if (input) return handset(input.deviceId, 'configured');
  }
  if (audio.handsetOutput) {
    const outputs = devices.filter((d) => d.kind === 'audiooutput');
    const output = named(outputs, audio.handsetOutput);
    const grouped = output?.groupId ? inputs.find((d) => d.groupId === output.groupId) : undefined;
    if (grouped) return handset(grouped.deviceId, 'group');
    const input = named(inputs, audio.handsetOutput);
    if (input) return handset(input.deviceId, 'label');
  }
  const wanted = [audio.handsetInput, audio.handsetOutput].filter(Boolean).map((w) => `"${w}"`);
  return { ...DEFAULT, problem: `no audio input of the handset (named like ${wanted.join(' or ')})` };
}

/** The audio constraints of getUserMedia the page uses (a subset of the DOM's type). */
export interface AudioConstraints {
  echoCancellation: boolean;
  noiseSuppression: boolean;
  deviceId?: { exact: string } | { ideal: string };
}

/**
 * The getUserMedia audio constraints for a choice: the call's processing, on that input. `ideal`
 * when camera and microphone open together, so that a handset unplugged meanwhile costs the
 * handset's microphone (the default one is taken) and not the whole call's media.
 */
export function inputConstraints(choice: InputChoice, how: 'exact' | 'ideal' = 'exact'): AudioConstraints {
  const processing = { echoCancellation: true, noiseSuppression: true };
  if (!choice.deviceId) return processing;
  return {
    ...processing,
    deviceId: how === 'exact' ? { exact: choice.deviceId } : { ideal: choice.deviceId },
  };
}
