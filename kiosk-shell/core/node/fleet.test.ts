// The totem side of provisioning against a real server: an identity enrolled with the provisioning
// CLI mints and renews its tokens (P-4), reports heartbeats, runs remote actions once, and on
// revocation during a call ends the call, goes out of service and wipes its keys and cache (P-3).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FLEET_ROUTES,
  routePath,
  TOTEM_FILES,
  TOTEM_ROUTES,
  type KioskState,
  type RemoteAction,
} from '@sportello/protocol';
import {
  startTestServer,
  TEST_PASSWORDS,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { TestOperator } from '../../../server/src/node/testing/operator-client.ts';
import { createEnrollment, requestJson, signInAccount } from '../../../server/src/node/testing/test-totem.ts';
import { runCli } from '../../../provisioning/src/node/program.ts';
import { AgendaCache } from './agenda-cache.ts';
import type { Timers } from './backoff.ts';
import { TotemFleet } from './fleet-link.ts';
import { TotemIdentity } from './identity.ts';
import { KioskCore } from './kiosk-core.ts';
import { LogRing } from './log-ring.ts';
import { ServerLink } from './server-link.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
let admin: string;
let giulia: TestOperator;
before(async () => {
  t = await startTestServer();
  admin = await signInAccount(t.url, 'admin', TEST_PASSWORDS.admin);
  giulia = await TestOperator.signIn(t.url, 'giulia', TEST_PASSWORDS.giulia);
});
after(async () => {
  giulia.close();
  await t.close();
});
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Enrolls a totem with the CLI (in process) into a new temp dir; returns the dir. */
async function enrolled(totemName: string, dir = mkdtempSync(join(tmpdir(), 'sportello-totem-'))) {
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const { token } = await createEnrollment(t.url, admin, { siteId: 'centro', totemName });
  const err: string[] = [];
  const code = await runCli(['enroll', '--server', t.url, '--token', token, '--data-dir', dir, '--json'], {
    out: () => {},
    err: (l) => err.push(l),
    signal: new AbortController().signal,
  });
  assert.equal(code, 0, err.join('\n'));
  return dir;
}

/** A scheduler that runs nothing until the test fires it. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let n = 0;
  const timers: Timers = {
    setTimeout: (fn, ms) => (pending.set(++n, { fn, ms }), n),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    /** The delays of what is scheduled now. */
    delays: () => [...pending.values()].map((p) => p.ms),
    /** Runs everything scheduled now. */
    fire: () => {
      const due = [...pending.values()];
      pending.clear();
      for (const p of due) p.fn();
    },
  };
}

function once<T extends unknown[]>(
  emitter: { once(e: string, l: (...a: T) => void): unknown },
  event: string,
) {
  return new Promise<T>((resolve) => emitter.once(event, (...a: T) => resolve(a)));
}

/** The kiosk parts an agent makes, around an enrolled identity. */
function kiosk(dir: string, identity: TotemIdentity, o: { timers?: Timers } = {}) {
  const cache = new AgendaCache(dir);
  const link = new ServerLink(identity.serverUrl, identity.credential, 2_000);
  const logs = new LogRing();
  const core = new KioskCore({ cache, link, endedScreenMs: 50, log: (m, d) => logs.add(m, d) });
  const fleet = new TotemFleet({
    core,
    link,
    cache,
    identity,
    logs,
    versions: { kiosk: '0.1.0' },
    ...(o.timers ? { timers: o.timers } : {}),
  });
  cleanups.push(() => {
    fleet.close();
    core.close();
    link.close();
    identity.close();
    cache.close();
  });
  return { cache, link, core, fleet, logs };
}

const detail = async (id: string) =>
  (
    await requestJson<{ totem: { heartbeat: Record<string, unknown> | null }; actions: RemoteAction[] }>(
      t.url + routePath(FLEET_ROUTES.readTotem, { id }),
      { authorization: `Bearer ${admin}` },
    )
  ).body;

describe('totem identity, heartbeats, remote actions and revocation', () => {
  test('enroll writes the private key and the site configuration with mode 0600', async () => {
    const dir = await enrolled('Totem Permessi');
    for (const f of [TOTEM_FILES.privateKey, TOTEM_FILES.configuration, TOTEM_FILES.identity])
      assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
  });

  test('P-4 the token is renewed ahead of expiry; with the endpoint down it retries, warns, and recovers', async () => {
    const dir = await enrolled('Totem Rinnovo');
    const clock = manualTimers();
    let down = false;
    const faulty: typeof fetch = (input, init) =>
      down && String(input).endsWith(TOTEM_ROUTES.token.path)
        ? Promise.reject(new TypeError('fetch failed (injected)'))
        : fetch(input, init);
    const identity = TotemIdentity.load(dir, { timers: clock.timers, fetch: faulty, warnAfterFailures: 3 });
    const first = await identity.credential();
    // Renewal is planned from renewAfter on: two thirds of the 15-minute lifetime, well before expiry.
    const [renewIn] = clock.delays();
    assert.ok(renewIn! > 9 * 60_000 && renewIn! <= 10 * 60_000, `renewal in ${renewIn} ms`);
    const renewed = once<[{ token: string }]>(identity, 'token');
    clock.fire();
    assert.notEqual((await renewed)[0].token, first);
    const held = identity.credential.current!();

    down = true;
    const warned = once<[string | null]>(identity, 'warning');
    const retries: number[] = [];
    for (let i = 0; i < 3; i++) {
      const failed = new Promise<void>((resolve) => setImmediate(resolve));
      clock.fire();
      await failed;
      await new Promise((resolve) => setImmediate(resolve));
      retries.push(...clock.delays());
    }
    const [warning] = await warned;
    assert.match(warning!, /credential renewal failing/);
    // Retries back off (1 s, 2 s, 4 s ceilings with jitter) and the valid token is kept meanwhile.
    assert.equal(retries.length, 3);
    assert.ok(retries[2]! > retries[0]!, `backoff grows: ${retries.join(', ')}`);
    assert.equal(identity.credential.current!(), held);
    const { core, fleet } = kiosk(dir, identity, { timers: clock.timers });
    const beat = await fleet.heartbeats.build();
    assert.equal(beat.health, 'degraded');
    assert.match(beat.lastError!.message, /credential renewal failing/);
    assert.equal(core.getState().screen.screen, 'idle');

    down = false;
    const cleared = once<[string | null]>(identity, 'warning');
    clock.fire();
    assert.equal((await cleared)[0], null);
    assert.equal(identity.warning, null);
  });

  test('heartbeats arrive, each remote action runs once and its result is posted', async () => {
    const dir = await enrolled('Totem Battito');
    const identity = TotemIdentity.load(dir);
    const { fleet, link } = kiosk(dir, identity);
    const online = once(link, 'online');
    await fleet.heartbeats.beat();
    await online;
    const hb = (await detail(identity.totemId)).totem.heartbeat!;
    assert.equal(hb.state, 'idle');
    assert.equal(typeof hb.diskFreeBytes, 'number');
    assert.deepEqual(hb.versions, { kiosk: '0.1.0' });

    const runs: string[] = [];
    fleet.actions.on('done', (n, r, posted) => runs.push(`${n.kind}:${r.ok}:${posted}`));
    const restart = once(fleet.actions, 'restart');
    for (const kind of ['request-logs', 'resync-agenda', 'restart-kiosk'] as const) {
      const done = once(fleet.actions, 'done');
      const res = await requestJson<RemoteAction>(
        t.url + routePath(FLEET_ROUTES.requestAction, { id: identity.totemId }),
        {
          body: { kind },
          authorization: `Bearer ${admin}`,
        },
      );
      assert.equal(res.status, 202);
      await done;
    }
    await restart;
    // Delivered again through the heartbeat answer: nothing runs twice.
    await fleet.heartbeats.beat();
    assert.deepEqual(runs, ['request-logs:true:true', 'resync-agenda:true:true', 'restart-kiosk:true:true']);
    const actions = (await detail(identity.totemId)).actions;
    assert.ok(
      actions.every((a) => a.status === 'done'),
      JSON.stringify(actions),
    );
  });

  test('a screenshot is refused during a call, taken at idle, and refused without a capture', async () => {
    const posted: unknown[] = [];
    const link = { serverUrl: 'http://totem.invalid', bearer: async () => 'x' };
    const http = {
      fetch: (async (_u: unknown, init?: RequestInit) => {
        posted.push(JSON.parse(String(init!.body)));
        return new Response('{}');
      }) as typeof fetch,
    };
    let screen: KioskState['screen'] = {
      screen: 'in-call',
      operatorName: 'G',
      media: { callId: 'c', serverUrl: 'u', token: 't' },
    };
    const core = {
      getState: () => ({ language: 'it', online: true, screen }) as KioskState,
      refreshAgenda: async () => {},
    };
    const { RemoteActionRunner } = await import('./remote-actions.ts');
    const runner = new RemoteActionRunner({
      core,
      link,
      logs: new LogRing(),
      http,
      captureScreen: async () => Buffer.from('png'),
    });
    await runner.run({ id: 'a1', kind: 'screenshot' });
    screen = { screen: 'idle' };
    await runner.run({ id: 'a2', kind: 'screenshot' });
    await runner.run({ id: 'a2', kind: 'screenshot' });
    const bare = new RemoteActionRunner({ core, link, logs: new LogRing(), http });
    await bare.run({ id: 'a3', kind: 'screenshot' });
    assert.deepEqual(posted, [
      { ok: false, detail: 'refused: a call is in progress' },
      {
        ok: true,
        detail: 'screenshot of the idle screen',
        data: Buffer.from('png').toString('base64'),
        contentType: 'image/png',
      },
      { ok: false, detail: 'no screen capture on this totem' },
    ]);
  });

  test('P-3 revoked during a call: the call ends, out of service, cache and keys wiped; re-enrollment works', async () => {
    const dir = await enrolled('Totem Revoca');
    const identity = TotemIdentity.load(dir);
    await identity.start();
    const { core, fleet, cache } = kiosk(dir, identity);
    await core.refreshAgenda();
    assert.ok(cache.hasAgenda);
    await giulia.setPresence('available');
    await core.handle({ method: 'startWalkIn' });
    const ring = await giulia.nextRing();
    await giulia.accept(ring.callId);
    await untilState(core, (s) => s.screen.screen === 'in-call');

    const revoked = once<[string]>(fleet, 'revoked');
    const ended = giulia.nextEnd();
    const res = await requestJson(t.url + routePath(FLEET_ROUTES.revokeTotem, { id: identity.totemId }), {
      body: { reason: 'stolen' },
      authorization: `Bearer ${admin}`,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await revoked, ['stolen']);
    assert.equal((await ended).callId, ring.callId);
    assert.deepEqual(core.getState().screen, { screen: 'out-of-service', reason: 'stolen' });
    const left = readdirSync(dir);
    for (const f of [...Object.values(TOTEM_FILES), 'agenda.db', 'site.key'])
      assert.ok(!left.includes(f), `${f} wiped`);
    await giulia.setPresence('paused');

    // Enrolled again under the same name: same totem id, a new key that works.
    await enrolled('Totem Revoca', dir);
    const again = TotemIdentity.load(dir);
    cleanups.push(() => again.close());
    assert.equal(again.totemId, identity.totemId);
    assert.match(await again.credential(), /^st1\./);
    assert.ok(existsSync(join(dir, TOTEM_FILES.privateKey)));
  });
});
