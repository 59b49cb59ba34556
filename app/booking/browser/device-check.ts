// The check before a video appointment from home: camera and microphone opened with a preview and
// a level meter, and a short tone on the speaker. Nothing is installed and nothing is recorded;
// the stream opened here is the one the call sends, so a working check means a working call.
export interface DeviceResults {
  camera: 'ok' | 'failed' | 'unknown';
  microphone: 'ok' | 'failed' | 'unknown';
  /** The tone was played (the person says whether they heard it; the page cannot). */
  speaker: 'played' | 'unknown';
}

export class DeviceCheck {
  stream: MediaStream | undefined;
  readonly results: DeviceResults = { camera: 'unknown', microphone: 'unknown', speaker: 'unknown' };
  private audio: AudioContext | undefined;
  private meterTimer: ReturnType<typeof setInterval> | undefined;

  /** Opens camera and microphone; `onLevel` gets the microphone's level (0–1) a few times a second. */
  async open(preview: HTMLVideoElement, onLevel: (level: number) => void): Promise<DeviceResults> {
    this.stop();
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true },
        video: { width: { ideal: 640 }, height: { ideal: 480 } },
      });
    } catch {
      // Perhaps only the camera is missing or refused: a call with sound alone still helps.
      try {
        this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      } catch {
        this.stream = undefined;
      }
    }
    const video = this.stream?.getVideoTracks()[0];
    const mic = this.stream?.getAudioTracks()[0];
    this.results.camera = video ? 'ok' : 'failed';
    this.results.microphone = mic ? 'ok' : 'failed';
    preview.srcObject = this.stream ?? null;
    if (mic && this.stream) this.meter(this.stream, onLevel);
    return this.results;
  }

  /** A short, quiet tone on the speaker. */
  async playTone(): Promise<void> {
    this.audio ??= new AudioContext();
    await this.audio.resume();
    const osc = this.audio.createOscillator();
    const gain = this.audio.createGain();
    osc.frequency.value = 440;
    gain.gain.value = 0.1;
    osc.connect(gain).connect(this.audio.destination);
    osc.start();
    osc.stop(this.audio.currentTime + 0.8);
    this.results.speaker = 'played';
  }

  private meter(stream: MediaStream, onLevel: (level: number) => void): void {
    this.audio ??= new AudioContext();
    const analyser = this.audio.createAnalyser();
    analyser.fftSize = 512;
    this.audio.createMediaStreamSource(stream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    this.meterTimer = setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      let peak = 0;
      for (const v of samples) peak = Math.max(peak, Math.abs(v - 128) / 128);
      onLevel(peak);
    }, 200);
  }

  /** Stops the meter; the stream stays open for the call unless `release`. */
  stop(release = false): void {
    if (this.meterTimer) clearInterval(this.meterTimer);
    this.meterTimer = undefined;
    if (release) {
      for (const track of this.stream?.getTracks() ?? []) track.stop();
      this.stream = undefined;
      void this.audio?.close().catch(() => {});
      this.audio = undefined;
    }
  }
}
