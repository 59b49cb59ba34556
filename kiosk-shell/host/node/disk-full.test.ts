// K-3 with a real file system that fills up: the kiosk's data directory on a 2 MiB tmpfs (mounting
// needs root; elsewhere the test is skipped and says why), the kiosk agent against a real server,
// the test playing the page over the kiosk API. A check-in that finds no space takes the kiosk out
// of service with the reason "disk-full", the heartbeat says so, both SQLite files pass
// integrity_check, and once space is freed the kiosk takes check-ins again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import type { HostServerMessage, KioskRequest, KioskState } from '@sportello/protocol';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { startKioskAgent, type KioskAgent } from './agent.ts';
import { HOST_PROTOCOL } from './host.ts';

const PAGES = fileURLToPath(new URL('../../../app/dist', import.meta.url));

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

/** The page's side of the kiosk API: requests, and every state pushed. */
class Page {
  private nextId = 1;
  states: KioskState[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as HostServerMessage;
      if (m.type === 'state') this.states.push(m.state);
    });
  }
  static async open(agent: KioskAgent): Promise<Page> {
    const { origin, secret } = agent.host;
    const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/api`, [HOST_PROTOCOL, secret], { origin });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new Page(ws);
  }
  /** Resolves when the page has been shown a state that matches. */
  until(pred: (s: KioskState) => boolean): Promise<KioskState> {
    const seen = this.states.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const on = (d: unknown) => {
        const m = JSON.parse(String(d)) as HostServerMessage;
        if (m.type !== 'state' || !pred(m.state)) return;
        this.ws.off('message', on);
        resolve(m.state);
      };
      this.ws.on('message', on);
    });
  }
  request(request: KioskRequest): void {
    this.ws.send(JSON.stringify({ id: this.nextId++, request }));
  }
  close(): void {
    this.ws.close();
  }
}

function until(agent: KioskAgent, pred: (s: KioskState) => boolean): Promise<KioskState> {
  if (pred(agent.core.getState())) return Promise.resolve(agent.core.getState());
  return new Promise((resolve) => {
    const on = (s: KioskState) => {
      if (!pred(s)) return;
      agent.core.off('state', on);
      resolve(s);
    };
    agent.core.on('state', on);
  });
}

/** Writes zeros until the file system says ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

function integrity(file: string): unknown {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.pragma('integrity_check', { simple: true });
  } finally {
    db.close();
  }
}

describe('K-3 disk full', { timeout: 120_000 }, () => {
  test('K-3 disk full → out-of-service screen (disk-full), reported in the heartbeat, databases intact; space freed → in service again', async (ctx) => {
    const mnt = mkdtempSync(join(tmpdir(), 'sportello-k3-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt], {
      encoding: 'utf8',
    });
    if (mounted.status !== 0) {
      rmSync(mnt, { recursive: true, force: true });
      ctx.skip(
        `K-3 needs a small file system of its own: mounting a tmpfs was not allowed (${mounted.stderr.trim() || mounted.error?.message})`,
      );
      return;
    }
    let agent: KioskAgent | undefined;
    let page: Page | undefined;
    try {
      agent = await startKioskAgent({
        dataDir: mnt,
        pagesDir: PAGES,
        serverUrl: t.url,
        credential: totemCredential(t.seed),
        // No scheduled agenda pull during the test: the check-in is the write that finds the disk full.
        core: { lookupFloorMs: 0, agendaRefreshMs: 3_600_000 },
        // A look at the free space only when the test asks: the failing write is what is tested.
        disk: { minFreeBytes: 64 * 1024, checkEveryMs: 3_600_000 },
        crashes: false,
      });
      await agent.core.refreshAgenda();
      await until(agent, (s) => s.sync?.lastSyncAt !== null && s.sync?.clockCorrected === true);
      page = await Page.open(agent);

      // The outbox's journal is emptied, so the next check-in must take new space on the disk.
      const outbox = new Database(join(mnt, 'outbox.db'));
      outbox.pragma('wal_checkpoint(TRUNCATE)');
      outbox.close();
      fill(join(mnt, 'filler'));

      const code = t.seed.bookings.find((b) => b.label === 'now')!.code;
      page.request({ method: 'submitCode', code });
      const out = await until(agent, (s) => s.screen.screen === 'out-of-service');
      assert.deepEqual(out.screen, { screen: 'out-of-service', reason: 'disk-full' });
      // The page is shown it too.
      assert.deepEqual((await page.until((s) => s.screen.screen === 'out-of-service')).screen, out.screen);
      const beat = await agent.fleet!.heartbeats.build();
      assert.equal(beat.state, 'out-of-service');
      assert.equal(beat.reason, 'disk-full');
      assert.equal(beat.health, 'failing');
      assert.ok((beat.diskFreeBytes ?? Infinity) < 64 * 1024, `${beat.diskFreeBytes} bytes free reported`);
      assert.ok(await agent.fleet!.heartbeats.beat(), 'the server took the heartbeat');
      assert.equal(agent.core.getState().sync?.outboxPending, 0, 'no half check-in was recorded');
      for (const db of ['agenda.db', 'outbox.db']) assert.equal(integrity(join(mnt, db)), 'ok', db);

      // Still full: a look changes nothing. Space freed: the kiosk is back, and takes the check-in.
      await agent.disk!.check();
      assert.equal(agent.core.getState().screen.screen, 'out-of-service');
      rmSync(join(mnt, 'filler'));
      await agent.disk!.check();
      assert.equal(agent.core.getState().screen.screen, 'idle');
      page.request({ method: 'submitCode', code });
      const after = await until(
        agent,
        (s) => s.screen.screen === 'waiting' || s.screen.screen === 'checked-in-offline',
      );
      assert.ok(after.screen.screen === 'waiting' || after.screen.screen === 'checked-in-offline');
      for (const db of ['agenda.db', 'outbox.db']) assert.equal(integrity(join(mnt, db)), 'ok', db);
    } finally {
      page?.close();
      await agent?.close();
      spawnSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
