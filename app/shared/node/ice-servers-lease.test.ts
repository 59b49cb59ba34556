// W-6: the pages' TURN credentials are asked for again before they expire, on a clock the test
// moves; a server that does not answer is asked again, and a closed lease asks nothing more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IceServersGrant } from '@sportello/protocol';
import { IceServersLease, type LeaseTimers } from '../common/ice-servers-lease.ts';

/** A fake clock: timers run only when the test moves time on. */
function fakeTimers() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  const timers: LeaseTimers = {
    set: (fn, ms) => {
      pending.set(next, { at: now + ms, fn });
      return next++;
    },
    clear: (h) => pending.delete(h as number),
  };
  return {
    timers,
    pendingCount: () => pending.size,
    /** Moves the clock on and runs what fell due, then lets their promises settle. */
    async advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending]) {
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
        }
      }
      for (let i = 0; i < 10; i++) await Promise.resolve();
    },
  };
}

function grant(n: number, ttlSeconds: number | null = 600): IceServersGrant {
  return {
    iceServers:
      ttlSeconds === null
        ? []
        : [{ urls: ['turns:t:443?transport=tcp'], username: `u${n}`, credential: `c${n}` }],
    expiresAt: null,
    ttlSeconds,
  };
}

test('W-6 TURN credentials are refreshed after two thirds of their life and handed to the transports', async () => {
  const clock = fakeTimers();
  let asked = 0;
  const lease = new IceServersLease(async () => grant(++asked), clock.timers);
  const handed: string[] = [];
  lease.onRefresh = (servers) => handed.push(servers[0]!.username!);
  assert.equal((await lease.load())[0]!.username, 'u1');
  await clock.advance(399_000);
  assert.equal(asked, 1, 'not before two thirds of 600 s');
  await clock.advance(1_000);
  assert.equal(asked, 2);
  assert.deepEqual(handed, ['u2']);
  assert.equal(lease.servers[0]!.username, 'u2');
  await clock.advance(400_000);
  assert.deepEqual(handed, ['u2', 'u3'], 'and again, for as long as the call lasts');
  lease.close();
  await clock.advance(10_000_000);
  assert.equal(asked, 3, 'a closed lease asks nothing more');
  assert.equal(clock.pendingCount(), 0);
});

test('W-6 a refresh the server does not answer is tried again; no TURN configured schedules nothing', async () => {
  const clock = fakeTimers();
  let asked = 0;
  const lease = new IceServersLease(async () => {
    asked++;
    if (asked === 2) throw new Error('operation has timed out');
    return grant(asked);
  }, clock.timers);
  await lease.load();
  await clock.advance(400_000);
  assert.equal(asked, 2);
  assert.equal(lease.servers[0]!.username, 'u1', 'the old credentials stay until new ones come');
  await clock.advance(10_000);
  assert.equal(asked, 3);
  assert.equal(lease.servers[0]!.username, 'u3');
  lease.close();

  const none = fakeTimers();
  const off = new IceServersLease(async () => grant(0, null), none.timers);
  assert.deepEqual(await off.load(), []);
  assert.equal(none.pendingCount(), 0);
});
