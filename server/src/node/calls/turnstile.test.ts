// Call requests take turns: one at a time, in arrival order, with I/O let through between two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Turnstile } from './turnstile.ts';

test('requests run one at a time in arrival order, and a failure does not stop the next', async () => {
  const turns = new Turnstile();
  const log: string[] = [];
  let running = 0;
  const job = (name: string, fail = false) =>
    turns.run(async () => {
      running += 1;
      assert.equal(running, 1, 'never two at once');
      log.push(`start ${name}`);
      await Promise.resolve();
      log.push(`end ${name}`);
      running -= 1;
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([job('a'), job('b', true), job('c')]);
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
});

test('between two slices the event loop polls: an I/O callback queued meanwhile runs in between', async () => {
  const turns = new Turnstile(2000, 0); // a slice of 0 ms: the loop turns after every request
  const order: string[] = [];
  const first = turns.run(async () => {
    // An immediate queued during the first turn stands for I/O waiting to be handled.
    setImmediate(() => order.push('io'));
    order.push('first');
  });
  const second = turns.run(async () => void order.push('second'));
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first', 'io', 'second']);
});

test('a turn stuck past its bound lets the next one through', async () => {
  const turns = new Turnstile(20);
  let release!: () => void;
  const stuck = turns.run(() => new Promise<void>((resolve) => (release = resolve)));
  const next = await turns.run(async () => 'through');
  assert.equal(next, 'through');
  release();
  await stuck;
});
