// The parts of self-healing on their own: the crash count (K-1), the disk-full guard's decisions
// (K-3) and the health check (K-2). The whole behaviour with real processes, a real full file
// system and a real page: kiosk-shell/host/node/{crash-loop,disk-full,watchdog}.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CRASH_RECORD_FILE, CrashRecord } from './crash-record.ts';
import { DISK_FULL, DiskGuard, isDiskFull } from './disk-guard.ts';
import { checkHealth } from './health.ts';

const MIN = 60_000;

test('K-1 crashes are counted across starts, a clean stop is none, old ones leave the window', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-crashes-'));
  let now = 1_000_000;
  const begin = () => CrashRecord.begin({ dataDir: dir, windowMs: 10 * MIN, burst: 3, now: () => now });
  begin().end(true);
  let r = begin();
  assert.equal(r.crashes, 0, 'after a clean stop');
  // Killed: the record still says running.
  r = begin();
  assert.deepEqual([r.crashes, r.crashLoop, r.backoffMs(100)], [1, false, 0]);
  now += MIN;
  r.end(false); // a failure code counts too
  r = begin();
  assert.deepEqual([r.crashes, r.crashLoop, r.backoffMs(100)], [2, false, 100]);
  now += MIN;
  r = begin();
  assert.deepEqual([r.crashes, r.crashLoop], [3, true]);
  assert.match(r.reason, /^crash-loop: 3 crashes within 10 min$/);
  // The oldest of the three was at 1 000 000: the loop ends 10 minutes after it.
  assert.equal(r.loopEndsInMs, 8 * MIN);
  r.end(true);
  now += 8.5 * MIN;
  assert.equal(begin().crashes, 2, 'the first crash has left the window');
  assert.equal(CrashRecord.begin({ dataDir: dir, now: () => now }).backoffMs(2_000, 3_000), 3_000, 'capped');
});

test('K-1 a torn crash record counts as one crash, and a start still happens', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-crashes-'));
  writeFileSync(join(dir, CRASH_RECORD_FILE), '{"running": tr');
  assert.equal(CrashRecord.begin({ dataDir: dir }).crashes, 1);
});

test('K-3 disk-full errors are told from others, by code, message or cause', () => {
  assert.ok(isDiskFull(Object.assign(new Error('x'), { code: 'SQLITE_FULL' })));
  assert.ok(isDiskFull(Object.assign(new Error('x'), { code: 'ENOSPC' })));
  assert.ok(isDiskFull(new Error('outer', { cause: Object.assign(new Error('inner'), { code: 'ENOSPC' }) })));
  assert.ok(isDiskFull(undefined, 'agenda sync failed (internal): database or disk is full'));
  assert.ok(!isDiskFull(Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }), 'agenda sync failed'));
});

test('K-3 the guard goes out of service on a failed write, and back only when there is room', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-disk-'));
  const calls: string[] = [];
  let minFree = Number.MAX_SAFE_INTEGER;
  const core = Object.assign(new EventEmitter<{ state: [] }>(), {
    screen: 'idle',
    getState() {
      return { screen: { screen: this.screen } };
    },
    outOfService: (reason: string, passing: boolean) => calls.push(`out ${reason} ${passing}`),
    resume: (reason: string) => calls.push(`resume ${reason}`),
  });
  const guard = new DiskGuard({
    dataDir: dir,
    core,
    get minFreeBytes() {
      return minFree;
    },
  });
  guard.noteLog(
    'kiosk request failed',
    Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }),
  );
  assert.deepEqual(calls, [`out ${DISK_FULL} true`]);
  guard.noteLog('again', Object.assign(new Error('x'), { code: 'ENOSPC' }));
  assert.equal(calls.length, 1, 'told once');
  minFree = 0;
  // The margin is read once: a new guard with none left sees room at once.
  const roomy = new DiskGuard({ dataDir: dir, core, minFreeBytes: 0 });
  roomy.noteLog('x', Object.assign(new Error('x'), { code: 'ENOSPC' }));
  await roomy.check();
  assert.deepEqual(calls.slice(1), [`out ${DISK_FULL} true`, `resume ${DISK_FULL}`]);
  assert.equal(roomy.isFull, false);
  guard.close();
  roomy.close();
});

test('K-3 a call in progress is not cut by a full disk: out of service when it ends', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-disk-'));
  const calls: string[] = [];
  const core = Object.assign(new EventEmitter<{ state: [] }>(), {
    screen: 'in-call',
    getState() {
      return { screen: { screen: this.screen } };
    },
    outOfService: (reason: string) => calls.push(`out ${reason}`),
    resume: (reason: string) => calls.push(`resume ${reason}`),
  });
  const guard = new DiskGuard({ dataDir: dir, core });
  guard.noteLog('x', Object.assign(new Error('x'), { code: 'SQLITE_FULL' }));
  assert.deepEqual(calls, [], 'the call goes on');
  core.screen = 'ended';
  core.emit('state');
  assert.deepEqual(calls, [`out ${DISK_FULL}`]);
  core.emit('state');
  assert.equal(calls.length, 1);
  guard.close();
});

test('K-2 health: true only when the page draws, the databases answer and the device answers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-health-'));
  const agenda = new Database(join(dir, 'a.db'));
  agenda.exec('CREATE TABLE entries (x)');
  const outbox = new Database(join(dir, 'o.db'));
  outbox.exec('CREATE TABLE outbox (x)');
  const databases = () => ({ agenda, outbox });
  const ok = await checkHealth({
    pageFrame: () => Promise.resolve(true),
    databases,
    device: () => ({ state: 'ok', msSinceLastPoll: 500 }),
  });
  assert.deepEqual(ok, { ok: true, failures: [] });
  const frozen = await checkHealth({ pageFrame: () => new Promise(() => {}), databases, timeoutMs: 20 });
  assert.equal(frozen.ok, false);
  assert.match(frozen.failures[0]!, /^page not rendering/);
  const stuck = await checkHealth({ databases, device: () => ({ state: 'ok', msSinceLastPoll: 31_000 }) });
  assert.deepEqual(stuck.failures, ['device not polled for 31000 ms']);
  // Unplugged is the device manager's to reopen, not a reason to restart the kiosk.
  const unplugged = await checkHealth({
    databases,
    device: () => ({ state: 'missing', msSinceLastPoll: undefined }),
  });
  assert.equal(unplugged.ok, true);
  outbox.close();
  const noDb = await checkHealth({ databases });
  assert.match(noDb.failures[0]!, /^database not answering/);
  const noDevice = await checkHealth({
    databases: () => ({ agenda, outbox: agenda }),
    device: () => {
      throw new Error('gone');
    },
  });
  assert.deepEqual(noDevice.failures, [
    'database not answering: no such table: outbox',
    'device manager not answering: gone',
  ]);
  agenda.close();
});
