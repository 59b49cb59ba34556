// Fast call setup: the camera and microphone are opened while a call waits and rings, so that on
// accept only the room's work (device, transports, produce/consume) remains. Released as soon as
// the page leaves the waiting screen without a call; never held at idle.
import { openCameraAndMicrophone } from './local-media.ts';

export class CameraPrewarm {
  private pending: Promise<MediaStream> | undefined;

  /** `audio`: the microphone's constraints at the time of opening (default: the default one). */
  constructor(
    private readonly audio: () => Promise<MediaTrackConstraints | undefined> = async () => undefined,
  ) {}

  private open(): Promise<MediaStream> {
    return this.audio().then((a) => openCameraAndMicrophone(a));
  }

  /** Starts opening camera and microphone (once). */
  warm(): void {
    if (this.pending) return;
    this.pending = this.open();
    // A refusal is told when the call starts (take() rejects then), not here.
    this.pending.catch(() => {});
  }

  /** The warmed stream (or one opened now); the caller owns it from here. */
  take(): Promise<MediaStream> {
    const p = this.pending ?? this.open();
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
