// W-9: a media socket refused its (single-use, spent) token asks the page's signaling for a new one
// and connects with it; it asks again, waiting longer, while none differs from the spent one; other
// refusals, a socket that retries on its own, and a closed room ask nothing. On a clock the test moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenRenewal, TOKEN_REFUSED, type RenewalTimers } from '../common/token-renewal.ts';

function fakeTimers() {
  let next = 1;
  const pending = new Map<number, { ms: number; fn: () => void }>();
  const timers: RenewalTimers = {
    set: (fn, ms) => {
      pending.set(next, { ms, fn });
      return next++;
    },
    clear: (h) => pending.delete(h as number),
  };
  return {
    timers,
    waits: () => [...pending.values()].map((p) => p.ms),
    /** Runs the timers due now, then lets their promises settle. */
    async fire() {
      for (const [id, t] of [...pending]) {
        pending.delete(id);
        t.fn();
      }
      await settle();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function subject(answers: (string | undefined | Error)[]) {
  let token = 'spent';
  let closed = false;
  const connects: string[] = [];
  let asked = 0;
  return {
    connects,
    asked: () => asked,
    close: () => (closed = true),
    s: {
      token: () => token,
      reconnectWith: (t: string) => {
        token = t;
        connects.push(t);
      },
      renew: async () => {
        const a = answers[asked++];
        if (a instanceof Error) throw a;
        return a;
      },
      closed: () => closed,
    },
  };
}

test('W-9 a refused token is renewed once from the page and the socket connects with the new one', async () => {
  const clock = fakeTimers();
  const x = subject(['fresh']);
  const r = new TokenRenewal(x.s, clock.timers);
  r.refused(TOKEN_REFUSED, false);
  await settle();
  assert.deepEqual(x.connects, ['fresh']);
  assert.deepEqual(clock.waits(), [], 'nothing more is asked');
  // Refused again (spent meanwhile: a second drop before its resync): renewed again.
  const y = subject(['fresh', 'fresher']);
  const r2 = new TokenRenewal(y.s, clock.timers);
  r2.refused(TOKEN_REFUSED, false);
  await settle();
  r2.refused(TOKEN_REFUSED, false);
  await settle();
  assert.deepEqual(y.connects, ['fresh', 'fresher']);
});

test('W-9 no new token yet (the same spent one, none, or an error): asked again, waiting longer, up to the bound', async () => {
  const clock = fakeTimers();
  const x = subject([
    'spent',
    undefined,
    new Error('console offline'),
    undefined,
    undefined,
    undefined,
    'fresh',
  ]);
  const r = new TokenRenewal(x.s, clock.timers, 250, 1000);
  r.refused(TOKEN_REFUSED, false);
  await settle();
  const waits: number[] = [];
  while (x.connects.length === 0) {
    assert.equal(clock.waits().length, 1, 'one retry at a time');
    waits.push(clock.waits()[0]!);
    await clock.fire();
  }
  assert.deepEqual(waits, [250, 500, 1000, 1000, 1000, 1000]);
  assert.deepEqual(x.connects, ['fresh']);
  assert.equal(x.asked(), 7);
});

test('W-9 other refusals, a socket that retries by itself, and a closed room ask for nothing', async () => {
  const clock = fakeTimers();
  const x = subject(['fresh', 'fresh']);
  const r = new TokenRenewal(x.s, clock.timers);
  r.refused('too many handshakes', false);
  r.refused(TOKEN_REFUSED, true);
  await settle();
  assert.equal(x.asked(), 0);
  const y = subject([undefined, 'fresh']);
  const r2 = new TokenRenewal(y.s, clock.timers);
  r2.refused(TOKEN_REFUSED, false);
  await settle();
  y.close();
  r2.close();
  assert.deepEqual(clock.waits(), [], 'close() drops the pending retry');
  r2.refused(TOKEN_REFUSED, false);
  await settle();
  assert.equal(y.asked(), 1);
  assert.deepEqual(y.connects, []);
});
