// Helpers for tests that drive a fake clock while mocks deliver data asynchronously.
import type { FakeClock } from '../common/clock.ts';

/** Lets every queued promise callback run (mock bindings deliver bytes in microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Advances fake time in steps, letting asynchronous I/O run between steps. */
export async function advance(clock: FakeClock, ms: number, step = 25): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(Math.min(step, ms - t));
    await settle();
  }
}

/** Advances fake time until `predicate` holds; returns the fake time it took. Fails after `maxMs`. */
export async function until(
  clock: FakeClock,
  predicate: () => boolean,
  maxMs = 20_000,
  step = 25,
): Promise<number> {
  const start = clock.now();
  await settle();
  while (!predicate()) {
    if (clock.now() - start > maxMs) throw new Error(`condition not met within ${maxMs} ms of fake time`);
    clock.advance(step);
    await settle();
  }
  return clock.now() - start;
}
