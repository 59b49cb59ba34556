// What the media namespace tells a page so that it can come back after its socket dropped: a fresh
// token for the next connection (tokens are short-lived and may be single-use), and the consumers
// the server holds for it now, so the page drops the ones that ended while it was away.
export const MEDIA_RECOVERY_EVENTS = { resync: 'media:resync' } as const;

export interface MediaResync {
  /** Admits the next connection of this side to the same room. */
  token: string;
  /** Every consumer the server holds for this side; each was (re)sent as media:consumer first. */
  consumerIds: string[];
}

export interface MediaRecoveryServerEvents {
  [MEDIA_RECOVERY_EVENTS.resync]: (p: MediaResync) => void;
}
