// What the hook switch and the physical keypad do to the kiosk, against a real server. Events are
// handed to the core as the device manager would hand them (already debounced); devices.test.ts
// covers the manager's wiring.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS } from '@sportello/protocol';
import type { HandsetEvent, KeypadKey } from '@sportello/devices/common';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { TestOperator } from '../../../server/src/node/testing/operator-client.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore, type KioskCoreOptions } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
let giulia: TestOperator;
before(async () => {
  t = await startTestServer();
  giulia = await TestOperator.signIn(t.url, 'giulia', 'giulia-test-password');
});
after(async () => {
  giulia.close();
  await t.close();
});

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Options = Partial<Omit<KioskCoreOptions, 'cache' | 'link'>>;

async function newKiosk(options: Options = {}): Promise<KioskCore> {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-'));
  const cache = new AgendaCache(dir);
  const link = new ServerLink(t.url, totemCredential(t.seed));
  // The keypad's '*' waits this long for a '#' (keys pressed together in a test never wait;
  // a lone '*' is awaited as its state event).
  const core = new KioskCore({ cache, link, endedScreenMs: 50, keypadSequenceMs: 500, ...options });
  cleanups.push(() => {
    core.close();
    link.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await core.refreshAgenda();
  // A working handset, as the device manager reports it once the board has said hello.
  core.deviceStatus({ state: 'ok', reason: 'ok', message: 'the device answers', path: '/dev/ttyTEST' });
  return core;
}

async function available(): Promise<void> {
  await giulia.setPresence('available');
  cleanups.push(() => giulia.setPresence('paused'));
}

const at = 0;
const lift = (core: KioskCore) => core.handset({ type: 'offhook', source: 'serial', at });
const putDown = (core: KioskCore) => core.handset({ type: 'onhook', source: 'serial', at });
const press = (core: KioskCore, keys: KeypadKey[]) => {
  for (const key of keys) core.handset({ type: 'key', key, source: 'serial', at } satisfies HandsetEvent);
};

/** The screen now and every screen the core shows from now on, for asserting the path it took. */
function screens(core: KioskCore): string[] {
  const seen: string[] = [core.getState().screen.screen];
  core.on('state', (s) => {
    if (seen.at(-1) !== s.screen.screen) seen.push(s.screen.screen);
  });
  return seen;
}

async function openCalls(): Promise<number> {
  const rows = await t.server.database.db
    .selectFrom('calls')
    .select('id')
    .where('ended_at', 'is', null)
    .execute();
  return rows.length;
}

async function callCount(): Promise<number> {
  return (await t.server.database.db.selectFrom('calls').select('id').execute()).length;
}

// Every step waits on an event; the timeout turns a missing event into a failure instead of a hang.
describe('handset and physical keypad on the kiosk', { timeout: 60_000 }, () => {
  test('lifting on the idle screen starts a walk-in call; putting it down while waiting hangs up', async () => {
    const core = await newKiosk();
    await available();
    lift(core);
    assert.deepEqual(core.getState().screen, { screen: 'waiting', kind: 'walk-in' });
    assert.equal(core.getState().devices?.handset.offHook, true);
    const ring = await giulia.nextRing();
    assert.equal(ring.kind, 'walk-in');
    const cancelled = once(giulia.socket as never, EVENTS.callRingCancelled);
    putDown(core);
    assert.deepEqual(core.getState().screen, { screen: 'ended', reason: 'hangup-kiosk' });
    await cancelled;
    assert.equal(await openCalls(), 0);
    // The handset is down, so the kiosk goes straight back to idle without a prompt.
    await untilState(core, (s) => s.screen.screen === 'idle');
  });

  test('putting the handset down during a call hangs up on both sides', async () => {
    const core = await newKiosk();
    await available();
    lift(core);
    const ring = await giulia.nextRing();
    await giulia.accept(ring.callId);
    await untilState(core, (s) => s.screen.screen === 'in-call');
    putDown(core);
    assert.equal((await giulia.nextEnd()).reason, 'hangup-kiosk');
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.equal(await openCalls(), 0);
  });

  test('with liftAction code-entry, lifting opens code entry; lifting during code entry keeps the code', async () => {
    const core = await newKiosk({ liftAction: 'code-entry' });
    const before = await callCount();
    lift(core);
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '' });
    putDown(core);
    press(core, ['1', '2', '3']);
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '123' });
    lift(core);
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '123' });
    assert.equal(await callCount(), before, 'no call was requested');
  });

  test('lifting during code entry keeps the code with the default liftAction too', async () => {
    const core = await newKiosk();
    press(core, ['4', '2']);
    lift(core);
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '42' });
  });

  test('physical keys make the on-screen keypad requests: digits type, * deletes, # confirms', async () => {
    const core = await newKiosk();
    press(core, ['5', '5', '*']);
    // A last '*' waits a moment for the '#' of the reading-mode sequence, then deletes.
    await untilState(core, (s) => s.screen.screen === 'code-entry' && s.screen.digits === '5');
    press(core, ['Backspace', '1', '2', '3', '4']);
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '1234' });
    press(core, ['#']);
    assert.deepEqual(await untilState(core, (s) => s.screen.screen === 'rejected'), {
      ...core.getState(),
      screen: { screen: 'rejected', reason: 'incomplete' },
    });
    // '*' on idle has nowhere further back to go ('#' there talks to a person: kiosk-keypad e2e, U-1).
    await core.handle({ method: 'backToIdle' });
    press(core, ['*', 'Backspace']);
    assert.deepEqual(core.getState().screen, { screen: 'idle' });
    assert.equal(core.getState().keypad?.key, 'back', 'the * went to the page (the languages)');
  });

  test('U-1 * then # is the reading-mode step on any screen: the page gets it, the screen and digits stay', async () => {
    const core = await newKiosk();
    const steps = () => (core.getState().keypad?.key === 'reading-mode' ? core.getState().keypad!.seq : -1);
    press(core, ['*', '#']);
    assert.deepEqual(core.getState().screen, { screen: 'idle' }, "'#' did not start a call");
    const first = steps();
    assert.ok(first > 0);
    press(core, ['4', '2', '*', '#']);
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '42' }, 'no digit deleted');
    assert.ok(steps() > first, 'a second step');
    const timer = core.getState().timer!.seq;
    press(core, ['*', 'Enter']);
    assert.ok(
      core.getState().timer!.seq > timer,
      'the step shows the citizen is there: the timer starts again',
    );
    // Slower than the wait, '*' and '#' are what they always were: delete, then confirm.
    press(core, ['*']);
    await untilState(core, (s) => s.screen.screen === 'code-entry' && s.screen.digits === '4');
    press(core, ['#']);
    await untilState(core, (s) => s.screen.screen === 'rejected');
  });

  test('H-6 keys during a call are ignored', async () => {
    const core = await newKiosk({ offHookPromptMs: 40 });
    await available();
    lift(core);
    const ring = await giulia.nextRing();
    await giulia.accept(ring.callId);
    const inCall = await untilState(core, (s) => s.screen.screen === 'in-call');
    const seen = screens(core);
    press(core, [...('0123456789*#'.split('') as KeypadKey[]), 'Enter', 'Backspace']);
    assert.deepEqual(core.getState().screen, inCall.screen);
    await giulia.hangUp(ring.callId);
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.ok(!seen.includes('code-entry'), `screens after the keys: ${seen.join(', ')}`);
  });

  test('H-5 handset lifted and nothing happens: prompt to put it down, then idle, no call opened', async () => {
    const core = await newKiosk({ liftAction: 'code-entry', idleTimeoutMs: 40, offHookPromptMs: 40 });
    const before = await callCount();
    const seen = screens(core);
    lift(core);
    await untilState(core, (s) => s.screen.screen === 'handset-off-hook');
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.deepEqual(seen, ['idle', 'code-entry', 'handset-off-hook', 'idle']);
    assert.equal(core.getState().devices?.handset.offHook, true, 'still off the hook, and no loop');
    assert.equal(await callCount(), before);
  });

  test('H-5 handset left off-hook after the operator hangs up: prompt, then idle, no call open', async () => {
    const core = await newKiosk({ offHookPromptMs: 40 });
    await available();
    const seen = screens(core);
    lift(core);
    const ring = await giulia.nextRing();
    await giulia.accept(ring.callId);
    await untilState(core, (s) => s.screen.screen === 'in-call');
    await giulia.hangUp(ring.callId);
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.deepEqual(seen, ['idle', 'waiting', 'in-call', 'ended', 'handset-off-hook', 'idle']);
    assert.equal(await openCalls(), 0);
  });

  test('H-5 putting the handset down on the prompt goes to idle at once', async () => {
    const core = await newKiosk({ liftAction: 'code-entry', idleTimeoutMs: 40 });
    lift(core);
    await untilState(core, (s) => s.screen.screen === 'handset-off-hook');
    putDown(core);
    assert.deepEqual(core.getState().screen, { screen: 'idle' });
    assert.equal(core.getState().devices?.handset.offHook, false);
  });

  test('H-5 a hang-up while the call request is on its way leaves no call open', async () => {
    const core = await newKiosk();
    await available();
    const cancelled = once(giulia.socket as never, EVENTS.callRingCancelled);
    lift(core);
    putDown(core); // Before the server has even answered the request.
    assert.deepEqual(core.getState().screen, { screen: 'ended', reason: 'hangup-kiosk' });
    await giulia.nextRing();
    await cancelled;
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.equal(await openCalls(), 0);
  });

  test('H-1 a missing device is in the kiosk state and in the log; no prompt without a working handset', async () => {
    const logs: string[] = [];
    const core = await newKiosk({
      liftAction: 'code-entry',
      idleTimeoutMs: 40,
      log: (msg) => logs.push(msg),
    });
    lift(core);
    core.deviceStatus({ state: 'missing', reason: 'unplugged', message: '/dev/ttyTEST was unplugged' });
    assert.deepEqual(core.getState().devices, {
      handset: { state: 'missing', reason: 'unplugged', offHook: true },
    });
    assert.ok(logs.some((l) => l.includes('handset device missing (unplugged)')));
    // The hook state is unknown while the device is away: the kiosk does not nag about it.
    const seen = screens(core);
    await untilState(core, (s) => s.screen.screen === 'idle');
    assert.deepEqual(seen, ['code-entry', 'idle']);
  });

  test('without a configured device the kiosk says so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-'));
    const cache = new AgendaCache(dir);
    const link = new ServerLink(t.url, totemCredential(t.seed));
    const core = new KioskCore({ cache, link });
    cleanups.push(() => {
      core.close();
      link.close();
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    });
    assert.deepEqual(core.getState().devices, { handset: { state: 'none', offHook: false } });
  });
});
