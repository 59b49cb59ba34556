// Wrong-code throttling (C-2): a growing delay on one totem, on the monotonic clock, surviving a
// restart of the process (same boot) and a reboot; typos caught by the check digit do not count.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBookingCode } from '@sportello/protocol';
import { setBookingStatus } from '../../../server/src/node/agenda/change-log.ts';
import { codeTag } from '../../../server/src/node/agenda/kiosk-agenda.ts';
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
import { untilState } from './testing/core-state.ts';

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
    // A wrong code must not even share a 16-bit tag with a real one (that would be a lookup match).
    const { site_key: siteKey } = await t.server.database.db
      .selectFrom('sites')
      .select('site_key')
      .executeTakeFirstOrThrow();
    const known = new Set(t.seed.bookings.map((b) => codeTag(siteKey, b.code)));
    const wrong = () => {
      let c = makeBookingCode(() => Math.floor(Math.random() * 10));
      while (known.has(codeTag(siteKey, c))) c = makeBookingCode(() => Math.floor(Math.random() * 10));
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
    // A code that is too early did not reset the count: the next wrong code is penalised at once.
    assert.deepEqual((await again.handle({ method: 'submitCode', code: wrong() })).screen, {
      screen: 'rejected',
      reason: 'unknown',
    });
    assert.deepEqual((await again.handle({ method: 'submitCode', code: good })).screen, {
      screen: 'rejected',
      reason: 'throttled',
      retryInSeconds: 60,
    });
  });

  test('C-2 only an accepted check-in resets the throttle: too early, used and cancelled codes do not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-attempts-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const db = t.server.database.db;
    const { site_key: siteKey } = await db.selectFrom('sites').select('site_key').executeTakeFirstOrThrow();
    const tags = new Set(t.seed.bookings.map((b) => codeTag(siteKey, b.code)));
    const wrong = () => {
      let c = makeBookingCode(() => Math.floor(Math.random() * 10));
      while (tags.has(codeTag(siteKey, c))) c = makeBookingCode(() => Math.floor(Math.random() * 10));
      return c;
    };
    let mono = 10_000;
    const cache = new AgendaCache(dir);
    const link = new ServerLink(t.url, totemCredential(t.seed));
    const core = new KioskCore({
      cache,
      link,
      lookupFloorMs: 0,
      endedScreenMs: 10,
      monotonicNow: () => mono,
      bootId: 'boot',
      attempts: { freeAttempts: 2, baseDelayMs: 30_000 },
    });
    cleanups.push(() => {
      core.close();
      link.close();
      cache.close();
    });
    const byLabel = (label: string) => t.seed.bookings.find((b) => b.label === label)!;
    const submit = async (code: string) => (await core.handle({ method: 'submitCode', code })).screen;
    const cancelled = byLabel('later-today');
    const used = byLabel('soon');
    // Known to the totem first, then cancelled: the feed brings the tombstone with its tag.
    await core.refreshAgenda();
    await setBookingStatus(db, cancelled.bookingId, ['booked'], 'cancelled', new Date());
    await setBookingStatus(db, used.bookingId, ['booked'], 'completed', new Date());
    await core.refreshAgenda();
    const unknown = { screen: 'rejected', reason: 'unknown' };
    // Two free tries, with a too-early and a cancelled code between the wrong ones: neither resets.
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(byLabel('tomorrow').code), { screen: 'rejected', reason: 'too-early' });
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(cancelled.code), { screen: 'rejected', reason: 'cancelled' });
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(used.code), {
      screen: 'rejected',
      reason: 'throttled',
      retryInSeconds: 30,
    });
    mono += 30_000;
    // A used code does not reset it either: the next wrong code doubles the delay.
    assert.deepEqual(await submit(used.code), { screen: 'rejected', reason: 'used' });
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(used.code), {
      screen: 'rejected',
      reason: 'throttled',
      retryInSeconds: 60,
    });
    mono += 60_000;
    // The accepted check-in (the server checked the full code, the call is asked for) resets it.
    await untilState(core, (s) => s.online);
    assert.notEqual((await submit(byLabel('now').code)).screen, 'rejected');
    await core.handle({ method: 'hangUp' });
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(wrong()), unknown);
    assert.deepEqual(await submit(used.code), {
      screen: 'rejected',
      reason: 'throttled',
      retryInSeconds: 30,
    });
  });
});
