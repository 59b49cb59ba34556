// The camera and microphone a call sends, apart from the call's code (room-client.ts and
// mediasoup-client), so that the kiosk page can open them while a call waits without loading it.

/**
 * Camera and microphone, or a clear error saying which is missing. `audio`: the microphone's
 * constraints (the kiosk's handset input, audio-inputs.ts); default the default microphone.
 */
export async function openCameraAndMicrophone(
  audio: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true },
): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio,
    video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } },
  });
}
