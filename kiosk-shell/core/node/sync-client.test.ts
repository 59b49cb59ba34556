// The sync loop against a scripted faulty server (S-5) and against the real server (S-4, S-7).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KioskState } from '@sportello/protocol';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { book } from '../../../server/src/node/agenda/feed-follower.ts';
import { AgendaCache } from './agenda-cache.ts';
import { ServerClock } from './clock.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';
import { SyncClient } from './sync-client.ts';
import { SyncHttp } from './sync-http.ts';
import { FakeTimers, startFaultServer, type FaultMode, type FaultServer } from './testing/fault-server.ts';
import { codeFor, FIXTURE_SLOT } from './testing/fixtures.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-sync-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const window = { earlyMinutes: 15, lateMinutes: 10 };
/** The verdict's reason, 'ok' when the code is valid now. */
const reasonOf = (v: ReturnType<AgendaCache['validate']>) => (v.ok ? 'ok' : v.reason);

describe('faults of the server (S-5)', () => {
  let fault: FaultServer;
  before(async () => {
    fault = await startFaultServer(() => FIXTURE_SLOT);
  });
  after(() => fault.close());

  /**
   * The request deadline, read at each request: generous for every answer a busy machine may be
   * slow to give, and short only while the server hangs, where no answer can beat it.
   */
  const deadlineMs = () => (fault.mode === 'hang' ? 300 : 10_000);

  function client(timers = new FakeTimers()) {
    const cache = new AgendaCache(tempDir());
    const clock = new ServerClock({ bootId: 'test' });
    const http = new SyncHttp({
      serverUrl: fault.url,
      credential: 't:s',
      clock,
      get timeoutMs() {
        return deadlineMs();
      },
      maxPageBytes: 1 << 20,
      maxSnapshotBytes: 1 << 20,
    });
    const sync = new SyncClient({
      cache,
      http,
      timers,
      random: () => 0.5,
      backoff: { baseMs: 1_000, maxMs: 60_000 },
    });
    cleanups.push(() => {
      sync.close();
      cache.close();
    });
    return { cache, sync, timers };
  }

  test('S-5 refused, timed out, 500, truncated, huge, bad schema, cursor backwards: cache untouched, codes still validate, reason reported', async () => {
    fault.mode = 'ok';
    const { cache, sync } = client();
    await sync.syncNow();
    assert.equal(sync.status.reason, null);
    assert.equal(cache.cursor, 10);
    const rows = () => cache.sqlite.prepare('SELECT * FROM entries').all();
    const before = rows();
    const cases: [FaultMode, string][] = [
      ['reset', 'unreachable'],
      ['hang', 'timeout'],
      ['http-500', 'http-500'],
      ['truncated', 'bad-json'],
      ['huge', 'too-large'],
      ['bad-schema', 'bad-schema'],
      ['backwards', 'bad-page'],
    ];
    for (const [mode, reason] of cases) {
      fault.mode = mode;
      await sync.syncNow();
      assert.equal(sync.status.reason, reason, mode);
      assert.deepEqual(rows(), before, `${mode}: the cache is untouched`);
      assert.equal(cache.cursor, 10, `${mode}: the cursor is untouched`);
      assert.equal(
        cache.validate(codeFor('a'), Date.parse(FIXTURE_SLOT), window).ok,
        true,
        `${mode}: still valid`,
      );
    }
    // A server that is not there at all.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const nowhere = new SyncHttp({ serverUrl: `http://127.0.0.1:${port}`, credential: 't:s' });
    await assert.rejects(nowhere.changes('centro', 0, 10), { kind: 'unreachable' });
    fault.mode = 'ok';
    await sync.syncNow();
    assert.equal(sync.status.reason, null, 'recovered');
  });

  test('S-5 retries back off with jitter: few requests over ten virtual minutes, pushes do not hurry them', async () => {
    fault.mode = 'http-500';
    const timers = new FakeTimers();
    const { sync } = client(timers);
    const start = fault.total();
    await sync.syncNow();
    const gaps: number[] = [];
    let last = timers.now;
    while ((timers.next() ?? Infinity) <= 600_000) {
      // A flood of "agenda changed" pushes during the backoff adds no request.
      for (let i = 0; i < 100; i++) sync.push();
      await sync.idle();
      timers.fireNext();
      await sync.idle();
      gaps.push(timers.now - last);
      last = timers.now;
    }
    const requests = fault.total() - start;
    assert.ok(requests <= 20, `${requests} requests in 10 minutes`);
    assert.ok(
      gaps.every((g) => g >= 500),
      `no retry sooner than half the first delay: ${gaps.join(', ')}`,
    );
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]!, `growing: ${gaps.join(', ')}`);
    assert.equal(sync.status.reason, 'http-500');
    fault.mode = 'ok';
  });

  test('S-4 410 from the feed: a snapshot is taken and the feed continues from its cursor', async () => {
    fault.mode = 'ok';
    const { cache, sync } = client();
    await sync.syncNow();
    fault.mode = 'gone';
    await sync.syncNow();
    assert.equal(sync.status.snapshots, 3);
    // The snapshot's cursor is refused again at once: two snapshots in one run at most, then report and retry later.
    assert.equal(sync.status.reason, 'bad-page');
    assert.equal(cache.validate(codeFor('a'), Date.parse(FIXTURE_SLOT), window).ok, true);
    fault.mode = 'ok';
  });
});

describe('against the real server', () => {
  let t: TestServer;
  let clock = Date.now();
  before(async () => {
    t = await startTestServer(
      { rateLimitPerMinute: 10_000, sync: { tombstoneRetentionHours: 72 } },
      () => new Date(clock),
    );
  });
  after(() => t.close());

  test('S-4 a cursor older than the retention: 410, snapshot into the shadow table, swapped, feed continues', async () => {
    const cache = new AgendaCache(tempDir());
    const http = new SyncHttp({ serverUrl: t.url, credential: totemCredential(t.seed) });
    const sync = new SyncClient({ cache, http });
    cleanups.push(() => {
      sync.close();
      cache.close();
    });
    await sync.syncNow();
    assert.equal(sync.status.reason, null);
    assert.equal(sync.status.snapshots, 1);
    const old = t.seed.bookings.find((b) => b.label === 'tomorrow')!;
    const oldRow = () =>
      cache.sqlite.prepare('SELECT 1 FROM entries WHERE booking_id = ?').get(old.bookingId);
    assert.notEqual(reasonOf(cache.validate(old.code, clock, window)), 'unknown');
    assert.ok(oldRow());
    // A write this totem does not pull before it goes quiet for longer than the retention.
    await book(t, {}, clock);
    clock += 73 * 3_600_000;
    // One write after the jump, so that everything before it is old enough to be pruned.
    const fresh = await book(t, {}, clock);
    let shadowRows = -1;
    cache.testHooks.shadowLoaded = () => {
      shadowRows = (cache.sqlite.prepare('SELECT count(*) AS n FROM entries_shadow').get() as { n: number })
        .n;
    };
    await sync.syncNow();
    assert.equal(sync.status.reason, null);
    assert.equal(sync.status.snapshots, 2, 'the 410 was answered with a snapshot');
    assert.ok(shadowRows >= 1, 'loaded into the shadow table first');
    assert.equal(
      reasonOf(cache.validate(fresh.code, clock, window)),
      'too-early',
      'the new booking is known',
    );
    // Gone by its id: its code may share a tag with a new booking's (1 in 65,536), and would then
    // answer for that one.
    assert.equal(oldRow(), undefined, 'bookings long past are gone');
    // The feed continues from the snapshot's cursor.
    const next = await book(t, {}, clock);
    await sync.syncNow();
    assert.equal(sync.status.snapshots, 2);
    assert.equal(reasonOf(cache.validate(next.code, clock, window)), 'too-early');
  });
});

describe('clock (S-7)', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  function kiosk(dir: string, now: () => number, bootId: string, serverUrl = t.url) {
    const cache = new AgendaCache(dir);
    // The default deadlines: a busy machine answers the first request (the totem's argon2 check)
    // in well over 300 ms. The unreachable server refuses at once, so no short deadline is needed.
    const link = new ServerLink(serverUrl, totemCredential(t.seed));
    const core = new KioskCore({ cache, link, now, bootId, lookupFloorMs: 0 });
    cleanups.push(() => {
      core.close();
      link.close();
      cache.close();
    });
    return core;
  }
  const code = (label: string) => t.seed.bookings.find((b) => b.label === label)!.code;
  const screen = (s: KioskState) => s.screen;

  test('S-7 a totem clock at 1970 or hours off: no window decision until the server set it; offset reported', async () => {
    const dir = tempDir();
    // A cache filled earlier, then a reboot (another boot id) with the server out of reach.
    const first = kiosk(dir, Date.now, 'boot-1');
    await first.refreshAgenda();
    first.close();
    const offline = kiosk(dir, () => 0, 'boot-2', 'http://127.0.0.1:9');
    const s = await offline.handle({ method: 'submitCode', code: code('later-today') });
    assert.deepEqual(screen(s), { screen: 'rejected', reason: 'unavailable' });
    assert.equal(offline.getState().sync?.clockCorrected, false);
    assert.equal(offline.getState().sync?.clockOffsetMs, null);
    offline.close();
    // At 1970, and five hours behind: once the server answered, the windows are the server's.
    for (const now of [() => 0, () => Date.now() - 5 * 3_600_000]) {
      const k = kiosk(dir, now, `boot-${Math.random()}`);
      await k.refreshAgenda();
      const offset = k.getState().sync!.clockOffsetMs!;
      assert.ok(Math.abs(offset - (Date.now() - now())) < 5_000, `offset ${offset}`);
      assert.equal(k.getState().sync?.clockCorrected, true);
      assert.deepEqual(screen(await k.handle({ method: 'submitCode', code: code('later-today') })), {
        screen: 'rejected',
        reason: 'too-early',
      });
      assert.deepEqual(screen(await k.handle({ method: 'submitCode', code: code('earlier-today') })), {
        screen: 'rejected',
        reason: 'too-late',
      });
      k.close();
    }
  });
});
