// Fast call setup: the camera and microphone are opened while a call waits and rings, so that on
// accept only the room's work (device, transports, produce/consume) remains. Released as soon as
// the page leaves the waiting screen without a call; never held at idle.
import { openCameraAndMicrophone } from './room-client.ts';

export class CameraPrewarm {
  private pending: Promise<MediaStream> | undefined;

  /** Starts opening camera and microphone (once). */
  warm(): void {
    if (this.pending) return;
    this.pending = openCameraAndMicrophone();
    // A refusal is told when the call starts (take() rejects then), not here.
    this.pending.catch(() => {});
  }

  /** The warmed stream (or one opened now); the caller owns it from here. */
  take(): Promise<MediaStream> {
    const p = this.pending ?? openCameraAndMicrophone();
    this.pending = undefined;
    return p;
  }

  /** Holds a stream handed back (a prewarm left unused): kept if none is held by then, else stopped. */
  keep(stream: Promise<MediaStream | undefined> | undefined): void {
    void stream?.then((s) => {
      if (!s) return;
      if (this.pending) s.getTracks().forEach((t) => t.stop());
      else this.pending = Promise.resolve(s);
    });
  }

  /** Stops a warmed stream nobody took. Idempotent. */
  release(): void {
    const p = this.pending;
    this.pending = undefined;
    void p?.then(
      (s) => s.getTracks().forEach((t) => t.stop()),
      () => {},
    );
  }
}
