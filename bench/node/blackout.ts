// Media back after a blackout: a kiosk and a console in a call, each in its own network namespace
// (e2e/support/netns.ts); every packet of the kiosk's namespace is dropped for 5 s, then let
// through. The time runs from the moment packets pass again until both pages decode a new video
// frame (W-1's figure; the test suite only checks a generous bound).
import { netnsAvailable } from '../../e2e/support/netns.ts';
import { framesAbove, framesDecoded, startNetCall } from '../../e2e/support/net-call.ts';
import { summarize, type Row } from './stats.ts';

// Its own names and addresses: the bench may run beside e2e/tests/network-reconnect.test.ts
// ('spn', 10.201.0.0/16), and cleaning stale namespaces of a shared prefix would cut that test's.
const PREFIX = 'spb';
const SUBNET = '10.203.0.0/16';
const BLACKOUT_MS = 5_000;

export async function runBlackoutBench(rounds = 10): Promise<Row[]> {
  const name = `media back after a ${BLACKOUT_MS / 1000} s blackout (both sides)`;
  const skip = await netnsAvailable(PREFIX);
  if (skip) return [{ name, note: `skipped: ${skip}` }];
  const n = await startNetCall({ prefix: PREFIX, subnet: SUBNET });
  const samples: number[] = [];
  try {
    await n.startCall();
    for (let i = 0; i < rounds; i++) {
      await n.kioskNs.block('all');
      try {
        await new Promise((r) => setTimeout(r, BLACKOUT_MS));
      } finally {
        await n.kioskNs.unblock();
      }
      const t0 = performance.now();
      const [k, c] = await Promise.all([framesDecoded(n.kiosk), framesDecoded(n.console)]);
      await Promise.all([framesAbove(n.kiosk, k, 60_000), framesAbove(n.console, c, 60_000)]);
      samples.push(performance.now() - t0);
      // Settled before the next round: the notices are gone on both sides.
      await n.kiosk.locator('#call-reconnecting').waitFor({ state: 'hidden' });
      await n.console.locator('#call-reconnecting').waitFor({ state: 'hidden' });
    }
  } finally {
    await n.close();
  }
  const summary = summarize(samples);
  return [{ name, summary, target: 'p95 ≤ 3000 ms', pass: summary.p95 <= 3000 }];
}
