// What the media namespace tells a page so that it can come back after its socket dropped: a fresh
// token for the next connection (tokens are short-lived and may be single-use), and the consumers
// the server holds for it now, so the page drops the ones that ended while it was away.
export const MEDIA_RECOVERY_EVENTS = { resync: 'media:resync', keyFrame: 'media:key-frame' } as const;

export interface MediaResync {
  /** Admits the next connection of this side to the same room. */
  token: string;
  /** Every consumer the server holds for this side; each was (re)sent as media:consumer first. */
  consumerIds: string[];
}

export interface MediaRecoveryServerEvents {
  [MEDIA_RECOVERY_EVENTS.resync]: (p: MediaResync) => void;
}

export interface MediaRecoveryClientEvents {
  /** The page's incoming video resumed after a gap: key frames now, not when its decoder asks. */
  [MEDIA_RECOVERY_EVENTS.keyFrame]: (req: Record<string, never>, ack: (res: { ok: boolean }) => void) => void;
}
