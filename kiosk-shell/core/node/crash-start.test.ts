// K-1: the start after crashes that the Chromium agent and Electron main share (crash-start.ts):
// the growing delay, a stop during it, and the crash loop's retry. Timers and the clock are the
// test's; the crash record is the real file in a temporary data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Timers } from './backoff.ts';
import { CRASH_RECORD_FILE, CrashRecord } from './crash-record.ts';
import { retryAfterCrashLoop, startAfterCrashes } from './crash-start.ts';

const MIN = 60_000;

/** Timers that fire only when the test says; each scheduled delay is recorded. */
function manualTimers(): Timers & { delays: number[]; fire(): void; pending(): number } {
  const due = new Map<number, () => void>();
  let next = 0;
  const delays: number[] = [];
  return {
    delays,
    setTimeout(fn, ms) {
      delays.push(ms);
      due.set(++next, fn);
      return next;
    },
    clearTimeout(h) {
      due.delete(h as number);
    },
    fire() {
      const fns = [...due.values()];
      due.clear();
      for (const fn of fns) fn();
    },
    pending: () => due.size,
  };
}

/** A data directory whose record says the last `n` runs crashed (each start found "running"). */
function afterCrashes(n: number, now: () => number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-crash-start-'));
  CrashRecord.begin({ dataDir: dir, now }); // a run that never ends cleanly
  for (let i = 1; i < n; i++) CrashRecord.begin({ dataDir: dir, now });
  return dir;
}

const never = new Promise<void>(() => {});

test('K-1 a first start and a start after one crash do not wait', async () => {
  const now = () => 10 * MIN;
  for (const crashes of [0, 1]) {
    const dir = crashes ? afterCrashes(crashes, now) : mkdtempSync(join(tmpdir(), 'sportello-crash-start-'));
    const timers = manualTimers();
    const start = await startAfterCrashes({
      dataDir: dir,
      stop: never,
      timers,
      log: () => {},
      crashes: { now },
    });
    assert.deepEqual([start.record.crashes, start.backoffMs, start.stopped], [crashes, 0, false]);
    assert.deepEqual(timers.delays, []);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('K-1 after three crashes the start waits 4 s (2 s doubling), and only then goes on', async () => {
  const now = () => 10 * MIN;
  const dir = afterCrashes(3, now);
  const timers = manualTimers();
  const lines: string[] = [];
  let started = false;
  const starting = startAfterCrashes({
    dataDir: dir,
    stop: never,
    timers,
    log: (m) => lines.push(m),
    crashes: { now },
  }).then((s) => ((started = true), s));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(timers.delays, [4_000]);
  assert.equal(started, false, 'nothing starts during the delay');
  timers.fire();
  const start = await starting;
  assert.deepEqual([start.record.crashes, start.backoffMs, start.stopped], [3, 4_000, false]);
  assert.match(lines.join('\n'), /starting after 3 recent crash\(es\), in 4000 ms/);
  rmSync(dir, { recursive: true, force: true });
});

test('K-1 a stop during the delay ends the run cleanly: the next start does not count a crash', async () => {
  const now = () => 10 * MIN;
  const dir = afterCrashes(2, now);
  const timers = manualTimers();
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  const starting = startAfterCrashes({
    dataDir: dir,
    stop: stopped,
    timers,
    log: () => {},
    crashes: { now },
  });
  await new Promise((r) => setImmediate(r));
  stop();
  const start = await starting;
  assert.equal(start.stopped, true);
  assert.equal(timers.pending(), 0, 'the delay timer is cleared');
  const record = JSON.parse(readFileSync(join(dir, CRASH_RECORD_FILE), 'utf8')) as { running: boolean };
  assert.equal(record.running, false);
  assert.equal(CrashRecord.begin({ dataDir: dir, now }).crashes, 2, 'the stop is not a crash');
  rmSync(dir, { recursive: true, force: true });
});

test('K-1 a crash loop starts at once, and asks for a normal start when the window has passed', async () => {
  let t = 10 * MIN;
  const now = () => t;
  const dir = mkdtempSync(join(tmpdir(), 'sportello-crash-start-'));
  for (let i = 0; i < 5; i++) {
    CrashRecord.begin({ dataDir: dir, now });
    t += MIN;
  }
  const timers = manualTimers();
  const start = await startAfterCrashes({
    dataDir: dir,
    stop: never,
    timers,
    log: () => {},
    crashes: { now },
  });
  assert.equal(start.record.crashLoop, true);
  assert.equal(start.backoffMs, 0, 'out of service at once, not a dark screen');
  let retried = 0;
  const cancel = retryAfterCrashLoop(
    start.record,
    () => retried++,
    () => {},
    timers,
  );
  assert.deepEqual(timers.delays, [start.record.loopEndsInMs]);
  assert.ok(start.record.loopEndsInMs > 0);
  timers.fire();
  assert.equal(retried, 1);
  cancel();
  // Outside a loop nothing is scheduled.
  const normal = manualTimers();
  const fresh = mkdtempSync(join(tmpdir(), 'sportello-crash-start-'));
  const s2 = await startAfterCrashes({ dataDir: fresh, stop: never, timers: normal, log: () => {} });
  retryAfterCrashLoop(
    s2.record,
    () => retried++,
    () => {},
    normal,
  );
  assert.equal(normal.pending(), 0);
  rmSync(dir, { recursive: true, force: true });
  rmSync(fresh, { recursive: true, force: true });
});
