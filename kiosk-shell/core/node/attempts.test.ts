// Wrong-code throttling (C-2): a growing delay on one totem, on the monotonic clock, surviving a
// restart of the process (same boot) and a reboot; typos caught by the check digit do not count.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBookingCode } from '@sportello/protocol';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { AgendaCache } from './agenda-cache.ts';
import { Attempts } from './attempts.ts';
import type { KeyValue } from './clock.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';

function memoryStore(): KeyValue {
  const m = new Map<string, string>();
  return { get: (k) => m.get(k), set: (k, v) => void m.set(k, v) };
}

describe('attempts', () => {
  test('C-2 the delay grows after the free tries, and a restart in the same boot keeps its end', () => {
    let mono = 1_000_000;
    const store = memoryStore();
    const o = {
      mono: () => mono,
      bootId: 'b1',
      store,
      freeAttempts: 3,
      baseDelayMs: 5_000,
      maxDelayMs: 60_000,
    };
    const a = new Attempts(o);
    for (let i = 0; i < 3; i++) a.failed();
    assert.equal(a.remainingMs(), 0, 'three free tries');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      a.failed();
      delays.push(a.remainingMs());
      mono += a.remainingMs();
    }
    assert.deepEqual(delays, [5_000, 10_000, 20_000, 40_000, 60_000, 60_000]);
    a.failed();
    mono += 15_000;
    // The process restarts 15 s into a 60 s penalty: 45 s are left.
    assert.equal(new Attempts(o).remainingMs(), 45_000);
    // A reboot (the monotonic clock starts again, the wall clock is not trusted): the penalty left
    // at the last write (all 60 s, written when it began) is served in full; never shortened.
    mono = 5;
    const rebooted = new Attempts({ ...o, bootId: 'b2' });
    assert.equal(rebooted.remainingMs(), 60_000);
    mono += 60_000;
    assert.equal(rebooted.remainingMs(), 0);
    rebooted.succeeded();
    assert.equal(new Attempts({ ...o, bootId: 'b2' }).count, 0, 'a matching code starts the count again');
  });
});

describe('attempts on the kiosk', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  test('C-2 repeated wrong codes: throttled with a growing delay that survives a restart; typos do not count; a correct code after the delay works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-attempts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    let mono = 50_000;
    const kiosk = () => {
      const cache = new AgendaCache(dir);
      const link = new ServerLink(t.url, totemCredential(t.seed));
      const core = new KioskCore({
        cache,
        link,
        lookupFloorMs: 0,
        monotonicNow: () => mono,
        bootId: 'same-boot',
        attempts: { freeAttempts: 2, baseDelayMs: 30_000 },
      });
      cleanups.push(() => {
        core.close();
        link.close();
        cache.close();
      });
      return core;
    };
    const known = new Set(t.seed.bookings.map((b) => b.code));
    const wrong = () => {
      let c = makeBookingCode(() => Math.floor(Math.random() * 10));
      while (known.has(c)) c = makeBookingCode(() => Math.floor(Math.random() * 10));
      return c;
    };
    const core = kiosk();
    await core.refreshAgenda();
    const good = t.seed.bookings.find((b) => b.label === 'tomorrow')!.code;
    const typo = good.slice(0, 8) + String((Number(good[8]) + 1) % 10);
    for (let i = 0; i < 10; i++) {
      assert.equal((await core.handle({ method: 'submitCode', code: typo })).screen.screen, 'rejected');
    }
    for (let i = 0; i < 2; i++) {
      assert.deepEqual((await core.handle({ method: 'submitCode', code: wrong() })).screen, {
        screen: 'rejected',
        reason: 'unknown',
      });
    }
    assert.deepEqual((await core.handle({ method: 'submitCode', code: wrong() })).screen, {
      screen: 'rejected',
      reason: 'unknown',
    });
    const throttled = (await core.handle({ method: 'submitCode', code: good })).screen;
    assert.deepEqual(throttled, { screen: 'rejected', reason: 'throttled', retryInSeconds: 30 });
    core.close();
    mono += 10_000;
    // Restarted 10 s later: 20 s still to wait, even for the right code.
    const again = kiosk();
    assert.deepEqual((await again.handle({ method: 'submitCode', code: good })).screen, {
      screen: 'rejected',
      reason: 'throttled',
      retryInSeconds: 20,
    });
    mono += 20_000;
    assert.deepEqual((await again.handle({ method: 'submitCode', code: good })).screen, {
      screen: 'rejected',
      reason: 'too-early',
    });
    // The next wrong code after a matching one starts from the free tries again.
    assert.equal((await again.handle({ method: 'submitCode', code: wrong() })).screen.screen, 'rejected');
    assert.equal((await again.handle({ method: 'submitCode', code: good })).screen.screen, 'rejected');
    assert.notEqual((again.getState().screen as { reason?: string }).reason, 'throttled');
  });
});
