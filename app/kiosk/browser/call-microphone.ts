// The call's microphone in the page: the handset's input while the handset is lifted, else the
// default microphone (audio-inputs.ts chooses). The camera and microphone open on the choice of
// that moment (the pre-warm while the call waits); a handset lifted later, in a call started by
// touch, gets its microphone sent in place of the default one (replaceTrack), as the operator's
// voice moves to its earpiece (audio-guide.ts). Put down in a call, the handset hangs the call up
// (the kiosk machine), so the microphone never has to go back to the totem's mid-call.
import type { KioskAudio, KioskState } from '@sportello/protocol';
import {
  chooseInput,
  inputConstraints,
  type InputChoice,
  type MediaDeviceEntry,
} from '../common/audio-inputs.ts';
import type { RoomClient } from '../../shared/browser/room-client.ts';

export class CallMicrophone {
  private audio: KioskAudio | undefined;
  private offHook = false;
  /** One switch at a time, each deciding on the state of its turn. */
  private switching: Promise<void> = Promise.resolve();
  private reported: string | undefined;

  constructor(
    private readonly log: (msg: string, detail?: unknown) => void = (m, d) => console.warn(m, d ?? ''),
  ) {}

  /** The core's state; true when the handset was just lifted (the caller then calls follow()). */
  setState(state: KioskState): boolean {
    this.audio = state.audio;
    const offHook = state.devices?.handset.offHook === true;
    const lifted = offHook && !this.offHook;
    this.offHook = offHook;
    return lifted;
  }

  /** The microphone's constraints for opening camera and microphone now. */
  async constraints(): Promise<MediaTrackConstraints> {
    return inputConstraints(await this.choose(), 'ideal');
  }

  /**
   * With the handset lifted and a call's stream sent from another microphone: opens the handset's
   * and sends it instead, then `after` (the mute state applies to the new track).
   */
  follow(stream: MediaStream | undefined, room: RoomClient | undefined, after: () => void): void {
    if (!stream || !room || !this.offHook) return;
    this.switching = this.switching.then(async () => {
      const choice = await this.choose();
      const current = stream.getAudioTracks()[0];
      const ended = () => current?.readyState === 'ended';
      if (choice.role !== 'handset' || !current || ended()) return;
      if (current.getSettings().deviceId === choice.deviceId) return;
      let track: MediaStreamTrack | undefined;
      try {
        track = (
          await navigator.mediaDevices.getUserMedia({ audio: inputConstraints(choice) })
        ).getAudioTracks()[0];
        // The call ended meanwhile (its tracks are stopped): nothing to send it on.
        if (!track || ended()) return track?.stop();
        // The stream first: a producer still being made takes the stream's track when it is
        // (room-client.ts); one that exists is given the track now.
        stream.removeTrack(current);
        stream.addTrack(track);
        await room.replaceTrack('audio', track);
        current.stop();
        this.log(`call microphone: the handset's (found by ${choice.matchedBy})`);
        after();
      } catch (err) {
        // The call keeps the microphone it had.
        if (track && stream.getAudioTracks()[0] === track) {
          stream.removeTrack(track);
          stream.addTrack(current);
        }
        track?.stop();
        this.log(
          "call microphone: could not switch to the handset's; the call keeps the default one",
          String(err),
        );
      }
    });
  }

  /** The choice now, logged once per reason when the handset's input cannot be found. */
  private async choose(): Promise<InputChoice> {
    let devices: MediaDeviceEntry[] = [];
    try {
      devices = (await navigator.mediaDevices.enumerateDevices()).map((d) => ({
        kind: d.kind,
        deviceId: d.deviceId,
        groupId: d.groupId,
        label: d.label,
      }));
    } catch (err) {
      this.log('call microphone: cannot list the audio inputs', String(err));
    }
    const choice = chooseInput(devices, this.audio, this.offHook);
    if (choice.problem && choice.problem !== this.reported)
      this.log(`call microphone: ${choice.problem}; the call uses the default microphone`);
    this.reported = choice.problem;
    return choice;
  }
}
