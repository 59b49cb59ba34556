// The real clock: monotonic time from performance.now() and Node's timers. Timers stay referenced, so
// a running device manager keeps the process alive until its owner closes it.
import type { Clock, TimerHandle } from '../common/clock.ts';

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle: TimerHandle) => clearTimeout(handle as NodeJS.Timeout),
};
