// K-4: every screen that runs a timer goes back to idle on its own, with the typed digits, the
// phone number, the call and the citizen's language gone, against a real server. The list of timed
// screens comes from the machine's table, so a new screen with a timer needs a case here. Screens
// without a timer: idle itself, checking (a verdict always follows), waiting and in-call (a call is
// under way: the hook or the operator ends it), out-of-service (nothing to wipe).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KioskState } from '@sportello/protocol';
import type { KeypadKey } from '@sportello/devices/common';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore } from './kiosk-core.ts';
import { SCREENS, type MachineState, type ScreenName } from './kiosk-machine.ts';
import { ServerLink } from './server-link.ts';
import { startTcpProxy } from './testing/proxies.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Every timer a second: the test waits for the screens, never for a time, and every step it takes
 * on a screen is synchronous after the screen's state, so a slow machine cannot lose the race.
 */
const SHORT = { idleTimeoutMs: 1_000, endedScreenMs: 1_000, confirmScreenMs: 1_000, offHookPromptMs: 1_000 };

interface Kiosk {
  core: KioskCore;
  states: KioskState[];
  cut(): void;
}

async function newKiosk(timers: Partial<typeof SHORT> = {}): Promise<Kiosk> {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-k4-'));
  const proxy = await startTcpProxy(t.url);
  const cache = new AgendaCache(dir);
  // The default deadline: the server's first answer includes an argon2 check, slow on a busy machine.
  const link = new ServerLink(proxy.url, totemCredential(t.seed));
  const core = new KioskCore({
    cache,
    link,
    lookupFloorMs: 0,
    backoff: { baseMs: 20, maxMs: 200 },
    ...SHORT,
    ...timers,
  });
  const states: KioskState[] = [];
  core.on('state', (s) => states.push(s));
  cleanups.push(async () => {
    core.close();
    link.close();
    cache.close();
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await core.refreshAgenda();
  await untilState(core, (s) => s.online);
  core.deviceStatus({ state: 'ok', reason: 'ok', message: 'the device answers', path: '/dev/ttyTEST' });
  // The citizen chose German: it goes with them.
  await core.handle({ method: 'setLanguage', language: 'de' });
  return {
    core,
    states,
    cut: () => {
      proxy.cut();
    },
  };
}

const press = (core: KioskCore, keys: string) => {
  for (const key of keys) core.handset({ type: 'key', key: key as KeypadKey, source: 'serial', at: 0 });
};
const code = (label: string) => t.seed.bookings.find((b) => b.label === label)!.code;

/** From idle to the screen, leaving citizen data on it; returns what must not survive. */
const REACH: Partial<Record<ScreenName, (k: Kiosk) => Promise<string[]>>> = {
  'code-entry': async ({ core }) => {
    press(core, '482');
    return ['482'];
  },
  rejected: async ({ core }) => {
    press(core, '4821#');
    return ['4821'];
  },
  ended: async ({ core }) => {
    await core.handle({ method: 'startWalkIn' });
    await core.handle({ method: 'hangUp' });
    return [];
  },
  'handset-off-hook': async ({ core }) => {
    core.handset({ type: 'offhook', source: 'serial', at: 0 });
    await untilState(core, (s) => s.screen.screen === 'waiting');
    await core.handle({ method: 'hangUp' });
    // The ended screen's timer, with the handset still lifted, asks for it to be put down.
    await untilState(core, (s) => s.screen.screen === 'handset-off-hook');
    return [];
  },
  'checked-in-offline': async (k) => {
    k.cut();
    await untilState(k.core, (s) => !s.online);
    await k.core.handle({ method: 'submitCode', code: code('now') });
    return [code('now')];
  },
  'callback-entry': async (k) => {
    k.cut();
    await untilState(k.core, (s) => !s.online);
    await k.core.handle({ method: 'submitCode', code: code('now') });
    press(k.core, '#3331234');
    return ['3331234'];
  },
  'callback-done': async (k) => {
    k.cut();
    await untilState(k.core, (s) => !s.online);
    await k.core.handle({ method: 'submitCode', code: code('now') });
    press(k.core, '#040123456#');
    return ['040123456'];
  },
};

const TIMED = (Object.keys(SCREENS) as ScreenName[]).filter((n) => SCREENS[n].timeout !== null);

describe('K-4 idle timeout on every screen', { timeout: 120_000 }, () => {
  test('every screen with a timer has a case here', () => {
    assert.deepEqual(
      TIMED.filter((n) => !REACH[n]),
      [],
    );
  });

  for (const screen of TIMED) {
    test(`K-4 ${screen}: back to idle on its own, typed digits and citizen data wiped, language reset`, async () => {
      const k = await newKiosk();
      const secrets = await REACH[screen]!(k);
      assert.ok(
        k.states.some((s) => s.screen.screen === screen),
        `reached ${screen} (saw ${[...new Set(k.states.map((s) => s.screen.screen))].join(', ')})`,
      );
      const at = k.states.findIndex((s) => s.screen.screen === screen);
      assert.ok(k.states[at]!.timer, 'the screen comes with its timer, for the page to warn');
      const idle = await untilState(k.core, (s) => s.screen.screen === 'idle' && (s.citizenSeq ?? 0) > 0);
      assert.equal(idle.language, 'it', 'the language goes back to the default');
      assert.equal(idle.timer, undefined, 'idle runs no timer');
      const text = JSON.stringify(idle);
      for (const secret of secrets) assert.ok(!text.includes(secret), `${secret} is gone from the state`);
      const { ctx } = (k.core as unknown as { machine: MachineState }).machine;
      for (const field of [
        'callId',
        'bookingId',
        'offlineBookingId',
        'queued',
        'early',
        'earlyStatus',
      ] as const)
        assert.equal(ctx[field], undefined, `${field} is forgotten`);
    });
  }

  test('K-4 a phone number typed from the queue: its timer returns to the queue, the number gone', async () => {
    const k = await newKiosk();
    await k.core.handle({ method: 'startWalkIn' });
    await k.core.handle({ method: 'requestCallback' });
    press(k.core, '3339');
    assert.equal(k.core.getState().screen.screen, 'callback-entry');
    const back = await untilState(k.core, (s) => s.screen.screen === 'waiting');
    assert.ok(!JSON.stringify(back).includes('3339'));
    await k.core.handle({ method: 'hangUp' });
  });

  test('more time: the screen stays with its digits and its timer starts again; idle has none to extend', async () => {
    // Timers long enough never to run out during this test.
    const k = await newKiosk({ idleTimeoutMs: 600_000, endedScreenMs: 600_000 });
    assert.equal((await k.core.handle({ method: 'extendTime' })).timer, undefined);
    press(k.core, '12');
    const first = k.core.getState().timer!;
    assert.equal(first.extendable, true);
    const after = await k.core.handle({ method: 'extendTime' });
    assert.deepEqual(after.screen, { screen: 'code-entry', digits: '12' });
    assert.ok(after.timer!.seq > first.seq, 'a new timer');
    // A message that only confirms is not extended.
    await k.core.handle({ method: 'startWalkIn' });
    const ended = await k.core.handle({ method: 'hangUp' });
    assert.equal(ended.timer?.extendable, false);
    assert.equal((await k.core.handle({ method: 'extendTime' })).timer?.seq, ended.timer?.seq);
  });
});
