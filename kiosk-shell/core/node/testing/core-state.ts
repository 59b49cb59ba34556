// Waiting on the kiosk core's own state events in tests: no polling, no deadline of its own (the
// test's timeout is the bound).
import type { KioskState } from '@sportello/protocol';
import type { KioskCore } from '../kiosk-core.ts';

/** The first state (the current one included) that satisfies `pred`. */
export function untilState(core: KioskCore, pred: (s: KioskState) => boolean): Promise<KioskState> {
  if (pred(core.getState())) return Promise.resolve(core.getState());
  return new Promise((resolve) => {
    const on = (s: KioskState) => {
      if (!pred(s)) return;
      core.off('state', on);
      resolve(s);
    };
    core.on('state', on);
  });
}
