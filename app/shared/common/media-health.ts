// What a page tells its person about the call's media, from what it measures and what the server
// told it. "Reconnecting" means the network: media that stalled while the other side sends, or a
// transport whose ICE broke. A side that paused both its microphone and camera (the server tells the
// other side, media:consumer-paused) sends no media on purpose: its silence is no stall.
export type MediaHealth = 'connecting' | 'flowing' | 'reconnecting';

export interface HealthFacts {
  /** Media from the other side has flowed at least once in this call. */
  flowed: boolean;
  /** The other side's media has not grown for the stall limit. */
  mediaStalled: boolean;
  /** A transport is `disconnected` or `failed` (ICE lost its path). */
  pathBroken: boolean;
  /** Every stream of the other side is paused by its person, as the server said. */
  pausedByPerson: boolean;
}

export function judgeHealth(f: HealthFacts): MediaHealth {
  if (!f.flowed) return 'connecting';
  if (f.pathBroken) return 'reconnecting';
  if (f.mediaStalled && !f.pausedByPerson) return 'reconnecting';
  return 'flowing';
}
