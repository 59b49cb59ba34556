// Telling an outage from a thin link (W-1 against W-5), pure. The video degradation policy judges
// how thin the page's uplink is from its samples; a blackout is not a thin link, it is the media
// recovery's to heal (media-recovery.ts), and video paused for it would stay paused for the policy's
// hold (seconds to a minute) after the path is back.

/**
 * Nothing heard on the send transport for this long is an outage, not a thin link. The SFU answers
 * a working path many times a second (transport-wide feedback, receiver reports, ICE consent).
 */
export const OUTAGE_MS = 2_000;

/**
 * Whether a sample may judge the link. A sample with no feedback since the previous one is stale
 * (the loss figure is old, the estimate decays without feedback), and the first one after an
 * outage reports the outage's loss: neither says how thin the link is. After an outage the
 * estimate ramps up again as after the call's start.
 */
export class OutageFilter {
  private bytes: number | undefined;
  private heardAtMs: number | undefined;
  private outage = false;

  /** 'judge' the sample, 'skip' it, or 'recovered' (skip it, and restart the estimate's ramp). */
  next(bytes: number | undefined, atMs: number): 'judge' | 'skip' | 'recovered' {
    if (bytes === undefined) return 'judge';
    // Any change is news: a new candidate pair (an ICE restart) starts its count again.
    const grew = this.bytes === undefined || bytes !== this.bytes;
    this.bytes = bytes;
    if (grew) {
      this.heardAtMs = atMs;
      if (!this.outage) return 'judge';
      this.outage = false;
      return 'recovered';
    }
    if (this.heardAtMs !== undefined && atMs - this.heardAtMs >= OUTAGE_MS) this.outage = true;
    return 'skip';
  }
}
