// The kiosk core follows the server's truth (session:state on every connection), against a real
// server: a call that ended while the kiosk was away ends its waiting screen, and a kiosk that
// restarts while its citizen waits finds the call again. No console is signed in, so calls stay
// queued; the network is cut with a loopback proxy.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';
import { startTcpProxy, type TcpProxy } from './testing/proxies.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
before(async () => {
  // A long reconnect grace: the server keeps a waiting call while its totem is away.
  t = await startTestServer({ calls: { reconnectGraceSeconds: 120 } });
});
after(() => t.close());

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function kiosk(serverUrl: string, dir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-'))) {
  const cache = new AgendaCache(dir);
  // The default deadline: the server's first answer runs argon2, slow on a busy machine.
  const link = new ServerLink(serverUrl, totemCredential(t.seed));
  const core = new KioskCore({ cache, link, endedScreenMs: 50 });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    core.close();
    link.close();
    cache.close();
  };
  cleanups.push(() => {
    close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { core, close, dir };
}

async function liveCall(): Promise<string> {
  const row = await t.server.database.db
    .selectFrom('calls')
    .select('id')
    .where('totem_id', '=', t.seed.totem.id)
    .where('ended_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe("the kiosk follows the server's truth on every connection", () => {
  test('Q-2 the call ended while the kiosk was offline: back online, the waiting screen ends, then idle', async () => {
    const proxy: TcpProxy = await startTcpProxy(t.url);
    cleanups.push(() => proxy.close());
    const { core } = kiosk(proxy.url);
    await untilState(core, (s) => s.online);
    await core.handle({ method: 'startWalkIn' });
    await untilState(core, (s) => s.screen.screen === 'waiting' && s.screen.queue !== undefined);
    proxy.cut();
    await untilState(core, (s) => !s.online);
    // Meanwhile the call ends on the server (as if abandoned there): the kiosk cannot be told.
    await t.server.router.hangupByKiosk(t.seed.totem.id, await liveCall());
    assert.equal(core.getState().screen.screen, 'waiting', 'offline, the kiosk cannot know yet');
    proxy.restore();
    const told = await untilState(core, (s) => s.screen.screen !== 'waiting');
    assert.deepEqual(told.screen, { screen: 'ended', reason: 'connection-lost' });
    await untilState(core, (s) => s.screen.screen === 'idle');
  });

  test('Q-2 a kiosk restarted while its citizen waits takes up the waiting call; hanging up then ends it', async () => {
    const first = kiosk(t.url);
    await untilState(first.core, (s) => s.online);
    await first.core.handle({ method: 'startWalkIn' });
    await untilState(first.core, (s) => s.screen.screen === 'waiting');
    const callId = await liveCall();
    // The kiosk process ends without hanging up (a crash, a restart): the server keeps the call.
    first.close();
    const second = kiosk(t.url);
    const waiting = await untilState(second.core, (s) => s.screen.screen === 'waiting');
    assert.equal(waiting.screen.screen === 'waiting' && waiting.screen.queue?.position, 1);
    await second.core.handle({ method: 'hangUp' });
    const row = await t.server.database.db
      .selectFrom('calls')
      .select(['outcome', 'ended_at'])
      .where('id', '=', callId)
      .executeTakeFirstOrThrow();
    assert.equal(row.outcome, 'abandoned');
    assert.notEqual(row.ended_at, null);
  });
});

describe('a kiosk that gives up on its call request', () => {
  test('Q-8 the request goes through but its answer is lost: the kiosk gives up, cancels, and the server ends the call it made', async () => {
    const proxy: TcpProxy = await startTcpProxy(t.url);
    cleanups.push(() => proxy.close());
    // The answer is held back, so no machine beats this deadline: the kiosk always gives up.
    const link = new ServerLink(proxy.url, totemCredential(t.seed), 2_000);
    const greeted = new Promise((resolve) => {
      link.once('session', resolve);
    });
    cleanups.push(() => link.close());
    await greeted; // connected, and the server has sent this totem's truth
    // The server hears the request and answers, but the answer never reaches the kiosk.
    proxy.stall();
    const made = new Promise<string>((resolve) => {
      const poll = async (): Promise<void> => {
        const row = await t.server.database.db
          .selectFrom('calls')
          .select('id')
          .where('totem_id', '=', t.seed.totem.id)
          .where('ended_at', 'is', null)
          .executeTakeFirst();
        if (row) return resolve(row.id);
        await new Promise((r) => setImmediate(r));
        return poll();
      };
      void poll();
    });
    const answer = await link.requestCall({ kind: 'walk-in' });
    assert.deepEqual(answer, { ok: false, reason: 'unavailable', error: 'the server did not answer' });
    const callId = await made;
    // The cancel travels kiosk → server even while the answers are held back.
    const bound = Date.now() + 30_000; // generous: the cancel takes milliseconds
    let ended: { outcome: string | null; ended_at: string | null };
    do {
      ended = await t.server.database.db
        .selectFrom('calls')
        .select(['outcome', 'ended_at'])
        .where('id', '=', callId)
        .executeTakeFirstOrThrow();
      if (!ended.ended_at) await new Promise((r) => setImmediate(r));
    } while (!ended.ended_at && Date.now() < bound);
    assert.equal(
      ended.outcome,
      'abandoned',
      'nobody is left to own the call: it is not offered to an operator',
    );
    proxy.unstall();
  });
});
