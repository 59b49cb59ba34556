// The camera and microphone a call sends, apart from the call's code (room-client.ts and
// mediasoup-client), so that the kiosk page can open them while a call waits without loading it.

/** Camera and microphone, or a clear error saying which is missing. */
export async function openCameraAndMicrophone(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true },
    video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 24 } },
  });
}
