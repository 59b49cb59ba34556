// K-1 with real processes: the kiosk agent (bundled once with esbuild, so each start is a plain Node
// start) runs under a supervisor that restarts it as systemd's unit says (Restart=always,
// RestartSec). The test plays the page over the kiosk API and a fleet server that records
// heartbeats. Every wait is on an event (a start's "page served" line, a state, a heartbeat).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { TOTEM_ROUTES, type Heartbeat, type KioskState } from '@sportello/protocol';
import { HOST_PROTOCOL } from './host.ts';
import { bundleAgentChild, NODE_MODULES, PAGES_DIR } from './testing/agent-bundle.ts';
import { Supervisor, unitSetting, type Started } from './testing/supervisor.ts';

const UNIT = fileURLToPath(
  new URL('../../packaging/systemd/sportello-kiosk-chromium.service', import.meta.url),
);

let work: string;
let bundle: string;
let fleet: Server;
let fleetUrl: string;
const heartbeats = new EventEmitter<{ beat: [Heartbeat] }>();

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sportello-k1-'));
  bundle = await bundleAgentChild(work);
  // The fleet's side of heartbeats: records each, answers with no action. Everything else is "down".
  fleet = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === TOTEM_ROUTES.heartbeat.method && req.url === TOTEM_ROUTES.heartbeat.path) {
        heartbeats.emit('beat', JSON.parse(body) as Heartbeat);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"heartbeatSeconds":30,"actions":[]}');
        return;
      }
      res.writeHead(503).end();
    });
  });
  await new Promise<void>((resolve) => fleet.listen(0, '127.0.0.1', resolve));
  fleetUrl = `http://127.0.0.1:${(fleet.address() as AddressInfo).port}`;
});
after(async () => {
  fleet.closeAllConnections();
  await new Promise((resolve) => fleet.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** Plays the page: connects to the kiosk API as the served page would and returns the first state. */
async function pageState(s: Started): Promise<KioskState> {
  const { origin, bareUrl, secret } = s.ready as { origin: string; bareUrl: string; secret: string };
  const served = await fetch(bareUrl);
  assert.equal(served.status, 200, 'the kiosk page is served');
  await served.text();
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api`, [HOST_PROTOCOL, secret], { origin });
  try {
    return await new Promise<KioskState>((resolve, reject) => {
      ws.once('message', (d) => resolve((JSON.parse(String(d)) as { state: KioskState }).state));
      ws.once('error', reject);
    });
  } finally {
    ws.close();
  }
}

function killed(sup: Supervisor, s: Started): Promise<void> {
  const gone = new Promise<void>((resolve) =>
    sup.on('exit', function onExit(e) {
      if (e.pid !== s.child.pid) return;
      sup.off('exit', onExit);
      assert.equal(e.signal, 'SIGKILL');
      resolve();
    }),
  );
  s.child.kill('SIGKILL');
  return gone;
}

describe('K-1 the kiosk agent under a supervisor', { timeout: 120_000 }, () => {
  test('K-1 kill -9 → restarted to the idle screen; repeated crashes → growing start delays, then out of service with the reason, in the next heartbeat', async () => {
    const dataDir = mkdtempSync(join(work, 'data-'));
    const restartSec = Number(unitSetting(UNIT, 'RestartSec'));
    assert.ok(
      restartSec > 0 && restartSec <= 10,
      `the unit restarts after ${restartSec} s (K-1 asks for idle within 10 s)`,
    );
    const sup = new Supervisor({
      command: process.execPath,
      args: [bundle],
      // systemd's seconds become milliseconds here: the order of events is what is tested.
      restartMs: restartSec,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_PATH: NODE_MODULES,
        SPORTELLO_SERVER_URL: fleetUrl,
        SPORTELLO_TOTEM_CREDENTIAL: 'totem-k1:secret-k1-secret-k1',
        SPORTELLO_KIOSK_DATA_DIR: dataDir,
        SPORTELLO_KIOSK_PAGES_DIR: PAGES_DIR,
        SPORTELLO_TEST_CRASHES: JSON.stringify({ burst: 4, windowMs: 3_600_000, backoffBaseMs: 20 }),
      },
    });
    try {
      let ready = sup.nextReady();
      sup.start();
      let s = await ready;
      assert.deepEqual([s.ready.crashes, s.ready.crashLoop], [0, false]);
      assert.equal((await pageState(s)).screen.screen, 'idle');

      // One kill: back at once (no delay after a single crash), on the idle screen.
      ready = sup.nextReady();
      await killed(sup, s);
      s = await ready;
      assert.deepEqual([s.ready.crashes, s.ready.backoffMs, s.ready.crashLoop], [1, 0, false]);
      assert.equal((await pageState(s)).screen.screen, 'idle', 'back to the idle screen after kill -9');

      // Again and again: each start waits longer, then the loop is declared.
      const delays: unknown[] = [];
      for (;;) {
        ready = sup.nextReady();
        await killed(sup, s);
        s = await ready;
        if (s.ready.crashLoop) break;
        delays.push(s.ready.backoffMs);
        assert.equal((await pageState(s)).screen.screen, 'idle');
      }
      assert.deepEqual(delays, [20, 40], 'the start delay doubles with each crash');
      assert.equal(s.ready.crashes, 4);
      const outOfService = heartbeatWith((h) => h.state === 'out-of-service');
      const state = await pageState(s);
      assert.equal(state.screen.screen, 'out-of-service');
      assert.match((state.screen as { reason: string }).reason, /^crash-loop: 4 crashes/);
      // The incident in the next heartbeat: the state, its reason and a failing health.
      const beat = await outOfService;
      assert.match(beat.reason ?? '', /^crash-loop: 4 crashes/);
      assert.equal(beat.health, 'failing');
      assert.ok(beat.lastError, 'the heartbeat carries a last error');
    } finally {
      await sup.stop();
    }
  });
});

function heartbeatWith(pred: (h: Heartbeat) => boolean): Promise<Heartbeat> {
  return new Promise((resolve) => {
    const on = (h: Heartbeat) => {
      if (!pred(h)) return;
      heartbeats.off('beat', on);
      resolve(h);
    };
    heartbeats.on('beat', on);
  });
}
