// The call state on a USB headset's LEDs, and its Phone Mute in the call: the core's device wiring
// with a mock HID headset (a published descriptor) and a real server for the walk-in call.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock, MockHidBinding } from '@sportello/devices/common';
import type { KioskScreen, KioskState } from '@sportello/protocol';
import {
  CIRCUITPYTHON_HEADSET,
  headsetReport,
} from '../../../devices/src/common/fixtures/hid-descriptors.ts';
import { until as untilFake } from '../../../devices/src/node/testing.ts';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { AgendaCache } from './agenda-cache.ts';
import { startKioskDevices } from './devices.ts';
import { indicatorsFor } from './handset-input.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

test('indicatorsFor: off-hook when lifted or in a call, ring while waiting, mute only in a call', () => {
  const screens: KioskScreen['screen'][] = ['idle', 'code-entry', 'checking', 'waiting', 'in-call', 'ended'];
  for (const screen of screens) {
    for (const offHook of [false, true]) {
      for (const muted of [false, true]) {
        const state = {
          language: 'it',
          online: true,
          screen: { screen } as KioskScreen,
          devices: { handset: { state: 'ok', offHook, muted } },
        } as KioskState;
        const inCall = screen === 'waiting' || screen === 'in-call';
        assert.deepEqual(indicatorsFor(state), {
          'off-hook': inCall || offHook,
          ring: screen === 'waiting',
          mute: inCall && muted,
        });
      }
    }
  }
});

test('a USB headset: lift acknowledged on the Off-Hook LED, Ring while waiting, Phone Mute mutes the call and lights Mute', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-indicators-'));
  const cache = new AgendaCache(dir);
  const link = new ServerLink(t.url, totemCredential(t.seed));
  const core = new KioskCore({ cache, link, liftAction: 'walk-in', endedScreenMs: 10 });
  const clock = new FakeClock();
  const binding = new MockHidBinding();
  const hid = binding.addDevice('/dev/hidraw7', {
    vendorId: 0x239a,
    productId: 0x8029,
    descriptor: CIRCUITPYTHON_HEADSET,
  });
  const devices = startKioskDevices({
    core,
    config: { kind: 'hid', path: '/dev/hidraw7' },
    manager: { clock, hid: binding },
  });
  cleanups.push(async () => {
    await devices.close();
    core.close();
    link.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await untilState(core, (s) => s.online);
  // Mute (bit 0), Off-Hook (bit 1), Ring (bit 2) in output report 2.
  const leds = () => hid.lastWrite?.[1];
  await untilFake(clock, () => devices.manager.status.state === 'ok' && leds() === 0);
  hid.pushReport(headsetReport(true));
  await untilFake(clock, () => core.getState().screen.screen === 'waiting');
  await untilFake(clock, () => leds() === 0b110);
  // Mute on the idle screen would mean nothing; in the call it toggles, and the LED follows.
  hid.pushReport(headsetReport(true, true));
  await untilFake(clock, () => core.getState().devices?.handset.muted === true);
  await untilFake(clock, () => leds() === 0b111);
  hid.pushReport(headsetReport(true, false));
  await untilFake(clock, () => core.getState().devices?.handset.muted === false && leds() === 0b110);
  hid.pushReport(headsetReport(true, true));
  await untilFake(clock, () => leds() === 0b111);
  // Hanging up ends the call: every LED off, and the next citizen starts unmuted.
  hid.pushReport(headsetReport(false, true));
  await untilFake(clock, () => core.getState().screen.screen !== 'waiting');
  await untilFake(clock, () => leds() === 0);
  assert.notEqual(core.getState().devices?.handset.muted, true);
});
