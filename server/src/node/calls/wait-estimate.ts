// The estimated wait shown on the kiosk. Method (README, "The queue: rules and settings"): the
// office's mean handle time H — the mean length of its last `window` served calls, from answer to
// end, or `defaultHandleMs` before there are any — and the number k of its operators online (free,
// ringing or in a call; paused ones are not counted), f of them free. The item at position p
// waits 0 when p − 1 < f, else about (p − 1 − f) × H / k + H / (2k): the calls ahead shared out,
// plus on average half a call until the next operator frees up. With no operator online there is
// no estimate (null).
// Its error on a simulated day is measured in wait-estimate.test.ts.

export interface HandleTimes {
  /** Recent handle times of one office, newest last, ms. */
  recent: number[];
}

export class HandleTimeWindow {
  private readonly byOffice = new Map<string, number[]>();
  constructor(
    private readonly window = 20,
    private readonly defaultHandleMs = 5 * 60_000,
  ) {}

  /** Records one served call's handle time (answer to end). */
  add(officeId: string, ms: number): void {
    const list = this.byOffice.get(officeId) ?? [];
    list.push(ms);
    if (list.length > this.window) list.splice(0, list.length - this.window);
    this.byOffice.set(officeId, list);
  }

  mean(officeId: string): number {
    const list = this.byOffice.get(officeId);
    if (!list || list.length === 0) return this.defaultHandleMs;
    return list.reduce((a, b) => a + b, 0) / list.length;
  }
}

/**
 * Estimated ms until the item at `position` is answered; null when no operator is online.
 * `freeOperators` are online, available and not taken.
 */
export function estimateWaitMs(
  position: number,
  onlineOperators: number,
  freeOperators: number,
  meanHandleMs: number,
): number | null {
  if (onlineOperators <= 0) return null;
  const ahead = position - 1;
  if (ahead < freeOperators) return 0;
  const k = onlineOperators;
  return Math.round(((ahead - freeOperators) * meanHandleMs) / k + meanHandleMs / (2 * k));
}
