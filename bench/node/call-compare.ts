// Call setup, ours against the bare mediasoup loopback, in alternating rounds on one browser: a
// shared machine that gets busier halfway through slows both sides alike, so the ratio holds.
import type { Row } from './stats.ts';
import { summarize } from './stats.ts';
import { openBareLoopback } from './bare-mediasoup.ts';
import { RING_SEEN_MS, openCallSetup } from './call-setup.ts';
import { startStack } from '../../e2e/support/stack.ts';

export interface CompareOptions {
  /** Measured rounds of each; 20 so that p95 is not simply the worst round. Default 20. */
  rounds?: number;
  /** Unmeasured rounds of each first (codec start-up, first connection). Default 1. */
  warmUp?: number;
}

/** Samples in run order, rounded, for the notes under the table (n is small enough to show them). */
const list = (samples: number[]) => samples.map((v) => Math.round(v)).join(' ');

export async function runCallCompareBench(options: CompareOptions = {}): Promise<Row[]> {
  const rounds = options.rounds ?? 20;
  const warmUp = options.warmUp ?? 1;
  const stack = await startStack();
  try {
    const ours = await openCallSetup(stack);
    const bare = await openBareLoopback(stack.browser);
    const oursMs: number[] = [];
    const coldMs: number[] = [];
    const bareMs: number[] = [];
    const consumeMs: number[] = [];
    try {
      for (let n = 0; n < warmUp + rounds; n++) {
        const o = await ours.once(true);
        const c = await ours.once(false);
        const b = await bare.once();
        if (n < warmUp) continue;
        oursMs.push(o);
        coldMs.push(c);
        bareMs.push(b.setup);
        consumeMs.push(b.consumeToFrame);
      }
    } finally {
      await bare.close();
      await ours.close();
    }
    const o = summarize(oursMs);
    const b = summarize(bareMs);
    const ratio = o.p95 / b.p95;
    return [
      {
        name: 'call setup (accept → frame both sides)',
        summary: o,
        target: 'p95 ≤ 250 ms',
        pass: o.p95 <= 250,
        note:
          `walk-in calls, server + kiosk agent + both pages, both sides joined while it rang (fast setup); ` +
          `accepted ${RING_SEEN_MS} ms after the ring was shown; ${rounds} after ${warmUp} warm-up; ms: ${list(oursMs)}`,
      },
      {
        name: '  console setting off (accept → frame)',
        summary: summarize(coldMs),
        note: `"Prepare camera between calls" off: the console opens camera, device, transports on accept (the kiosk still joined while waiting); ms: ${list(coldMs)}`,
      },
      {
        name: '  bare mediasoup (start → frame both)',
        summary: b,
        note: `same browser, worker, codecs, transport options; gUM+device+transports+produce+consume; ms: ${list(bareMs)}`,
      },
      { name: '  bare: consume → frame (worse page)', summary: summarize(consumeMs) },
      {
        name: 'call setup ratio ours/bare (p95)',
        value: ratio,
        unit: 'x',
        target: 'ratio ≤ 0.7',
        pass: ratio <= 0.7,
      },
    ];
  } finally {
    await stack.close();
  }
}
