// The handset's or headset's Phone Mute in the page: the core says `devices.handset.muted`, the page
// stops sending the microphone. The track is disabled (silence even before the call's producers
// exist) and the audio producer paused, which the server passes on so the operator's console shows
// that the citizen is muted. The Mute LED is driven by the core from the same state (devices.ts).
import type { KioskState } from '@sportello/protocol';
import type { RoomClient } from '../../shared/browser/room-client.ts';

export function isMicrophoneMuted(state: KioskState | undefined): boolean {
  return state?.devices?.handset.muted === true;
}

export function applyMicrophoneMute(
  state: KioskState | undefined,
  stream: MediaStream | undefined,
  room: RoomClient | undefined,
): void {
  const muted = isMicrophoneMuted(state);
  for (const track of stream?.getAudioTracks() ?? []) track.enabled = !muted;
  room?.setMicrophoneMuted(muted);
  document.body.dataset.microphone = muted ? 'muted' : 'on';
}
