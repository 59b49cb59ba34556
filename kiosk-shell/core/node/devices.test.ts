// The core's device wiring: a board on the mock serial binding, the device manager on a fake clock,
// and the kiosk core listening. No server is needed for what is checked here (code entry on lift,
// device status), so the core's link points at a closed loopback port.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attachBoardToMockPort,
  FakeClock,
  MockHidBinding,
  MockSerialBinding,
  type BoardEmulator,
  type MockSerialPort,
} from '@sportello/devices/common';
import { AgendaCache } from './agenda-cache.ts';
import { startKioskDevices, type KioskDevices } from './devices.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';

interface Rig {
  core: KioskCore;
  devices: KioskDevices;
  clock: FakeClock;
  binding: MockSerialBinding;
  port: MockSerialPort;
  board: BoardEmulator;
  logs: string[];
}

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function closedLoopbackUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

async function rig(): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-devices-'));
  const cache = new AgendaCache(dir);
  const link = new ServerLink(await closedLoopbackUrl(), 'totem:secret');
  const logs: string[] = [];
  const core = new KioskCore({ cache, link, liftAction: 'code-entry', log: (msg) => logs.push(msg) });
  const clock = new FakeClock();
  const binding = new MockSerialBinding();
  const port = binding.createPort('/dev/ttyMOCK0', { vendorId: 0x1209, productId: 0x5e11 });
  const { board, detach } = attachBoardToMockPort(port);
  const devices = startKioskDevices({
    core,
    config: { kind: 'serial', path: port.path },
    manager: { clock, serial: binding, hid: new MockHidBinding() },
  });
  cleanups.push(async () => {
    await devices.close();
    detach();
    binding.reset();
    core.close();
    link.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { core, devices, clock, binding, port, board, logs };
}

/** Moves fake time in small steps, letting the mock port deliver bytes between steps. */
async function advanceUntil(clock: FakeClock, predicate: () => boolean, maxMs = 10_000): Promise<void> {
  for (let waited = 0; ; waited += 10) {
    await new Promise((resolve) => setImmediate(resolve));
    if (predicate()) return;
    if (waited > maxMs) throw new Error(`condition not met within ${maxMs} ms of fake time`);
    clock.advance(10);
  }
}

const handset = (core: KioskCore) => core.getState().devices?.handset;

describe('kiosk core with a device manager', { timeout: 30_000 }, () => {
  test('the board says hello: the kiosk state shows the handset ok', async () => {
    const r = await rig();
    assert.equal(handset(r.core)?.state, 'starting');
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'ok');
    assert.ok(r.logs.some((l) => l.startsWith('handset device ok')));
  });

  test('a lift on the board opens code entry after the debounce; keys type; a hang-up is seen', async () => {
    const r = await rig();
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'ok');
    r.board.lift();
    await advanceUntil(r.clock, () => r.core.getState().screen.screen === 'code-entry');
    r.board.type('12*3');
    await advanceUntil(r.clock, () => {
      const s = r.core.getState().screen;
      return s.screen === 'code-entry' && s.digits === '13';
    });
    r.board.hangup();
    await advanceUntil(r.clock, () => handset(r.core)?.offHook === false);
  });

  test('H-1 unplugged: the kiosk state says the handset is missing and the log says why; replugged: ok', async () => {
    const r = await rig();
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'ok');
    r.port.unplug();
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'missing');
    assert.equal(handset(r.core)?.reason, 'unplugged');
    assert.ok(r.logs.some((l) => l.startsWith('handset device missing (unplugged)')));
    r.port.replug();
    r.board.hello();
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'ok');
  });

  test('H-7 a silent board is reported as an error with its reason', async () => {
    const r = await rig();
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'ok');
    r.board.silent = true;
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'error');
    assert.equal(handset(r.core)?.reason, 'silent');
  });

  test('closing releases the port and every timer, twice without harm', async () => {
    const r = await rig();
    await advanceUntil(r.clock, () => handset(r.core)?.state === 'ok');
    await r.devices.close();
    await r.devices.close();
    assert.equal(r.binding.openHandles, 0);
    assert.equal(r.clock.pendingTimers, 0);
  });
});
