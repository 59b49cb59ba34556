// Caps on what one peer of a call may hold on the SFU. A page needs one send and one receive
// transport (plus one more while it replaces a broken one) and one producer per kind (plus a
// screen share); anything beyond is a bug or an attack that would spend the worker's ports and CPU.

/** Transports one peer may hold at once. */
export const MAX_TRANSPORTS_PER_PEER = 4;
/** Producers one peer may hold at once. */
export const MAX_PRODUCERS_PER_PEER = 4;

/** A media request refused for a reason the client caused; told to it as it is (signaling.ts). */
export class MediaRequestError extends Error {
  override name = 'MediaRequestError';
}

/** Requests in flight per peer: ten concurrent requests must not all pass a check made before await. */
const pending = new WeakMap<object, { transports: number; producers: number }>();

/**
 * Reserves room for one more of `what` for a peer holding `held`, or throws when that would pass
 * the cap. Call the returned release once the request is done (the new item is then in `held`).
 */
export function reserveUnderCap(peer: object, what: 'transports' | 'producers', held: number): () => void {
  const cap = what === 'transports' ? MAX_TRANSPORTS_PER_PEER : MAX_PRODUCERS_PER_PEER;
  let counts = pending.get(peer);
  if (!counts) pending.set(peer, (counts = { transports: 0, producers: 0 }));
  if (held + counts[what] >= cap)
    throw new MediaRequestError(`too many ${what} for one peer (at most ${cap})`);
  counts[what] += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    counts[what] -= 1;
  };
}
