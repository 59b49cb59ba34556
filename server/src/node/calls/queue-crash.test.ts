// the server killed with kill -9 while one citizen talks, one rings and one waits, then
// started again on the same data dir. Recovery must leave: the talk recorded as interrupted and its
// booking bookable again, the ringing and the waiting citizens back in the queue in their order for
// totems that reconnect, and every kiosk told the truth on reconnect (no stale screen).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoSeed } from '../db/seed-demo.ts';
import { openDatabase } from '../db/open.ts';
import { TestKiosk } from '../testing/kiosk-client.ts';
import { TestOperator } from '../testing/operator-client.ts';

const child = fileURLToPath(new URL('../testing/queue-crash-child.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'sportello-queue-crash-'));
const running: ChildProcess[] = [];
after(() => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function start(seed: boolean): Promise<{ proc: ChildProcess; url: string; seed?: DemoSeed }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, SPORTELLO_DATA_DIR: dataDir, SPORTELLO_SEED: seed ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running.push(proc);
    let buf = '';
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ proc, ...(JSON.parse(buf.slice(0, nl)) as { url: string; seed?: DemoSeed }) });
    });
    proc.on('exit', (code, signal) => reject(new Error(`server child ended early (${code ?? signal})`)));
  });
}

const cred = (n: number) => `totem-centro-${n}:totem-secret-${n}`;

test(
  'Q-2 kill -9 with citizens waiting, ringing and talking: recovered, nobody lost, no booking used',
  { timeout: 120_000 },
  async () => {
    const first = await start(true);
    const seed = first.seed!;
    const booked = seed.bookings.find((b) => b.label === 'now')!;
    const giulia = await TestOperator.signIn(first.url, 'giulia', 'giulia-test-password');
    const marco = await TestOperator.signIn(first.url, 'marco', 'marco-test-password');
    // Talking: totem 1, giulia's booking, answered by giulia.
    await giulia.setPresence('available');
    const k1 = await TestKiosk.connect(first.url, cred(1));
    const talk = await k1.request({
      kind: 'booked',
      bookingId: booked.bookingId,
      checkInKey: randomUUID(),
      codeHash: booked.codeHash,
    });
    assert.ok(talk.ok);
    await giulia.ringFor(talk.callId);
    await giulia.accept(talk.callId);
    await k1.nextAccepted();
    // Ringing: totem 2's walk-in rings on marco.
    await marco.setPresence('available');
    const k2 = await TestKiosk.connect(first.url, cred(2));
    const ringing = await k2.request({ kind: 'walk-in' });
    assert.ok(ringing.ok);
    await marco.ringFor(ringing.callId);
    // Waiting: totem 3's walk-in, nobody free.
    const k3 = await TestKiosk.connect(first.url, cred(3));
    const waiting = await k3.request({ kind: 'walk-in' });
    assert.ok(waiting.ok);
    await k3.statusWhere((s) => s.callId === waiting.callId);
    for (const c of [giulia, marco, k1, k2, k3]) c.close();

    first.proc.kill('SIGKILL');
    await new Promise((resolve) => first.proc.once('exit', resolve));
    const second = await start(false);

    // The interrupted call is recorded as such; its booking is bookable again.
    const opened = openDatabase(join(dataDir, 'sportello.db'));
    try {
      const rows = await opened.db.selectFrom('calls').selectAll().execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      assert.equal(byId.get(talk.callId)?.state, 'ended');
      assert.equal(byId.get(talk.callId)?.outcome, 'failed');
      assert.equal(byId.get(talk.callId)?.detail, 'interrupted');
      for (const id of [ringing.callId, waiting.callId]) {
        assert.equal(byId.get(id)?.state, 'queued');
        assert.notEqual(byId.get(id)?.held_since, null);
      }
      const b = await opened.db
        .selectFrom('bookings')
        .select('status')
        .where('id', '=', booked.bookingId)
        .executeTakeFirstOrThrow();
      assert.equal(b.status, 'booked');
    } finally {
      await opened.close();
    }

    // Each kiosk is told the truth when it comes back: none for the talk, its place for the others.
    const back1 = await TestKiosk.connect(second.url, cred(1));
    assert.deepEqual(await back1.sessionWhere(() => true), { call: null });
    const back2 = await TestKiosk.connect(second.url, cred(2));
    const s2 = await back2.sessionWhere(() => true);
    assert.equal(s2.call?.phase, 'queued');
    assert.equal(s2.call?.callId, ringing.callId);
    const back3 = await TestKiosk.connect(second.url, cred(3));
    const s3 = await back3.sessionWhere(() => true);
    assert.equal(s3.call?.callId, waiting.callId);
    assert.equal(s3.call?.phase === 'queued' ? s3.call.status.position : 0, 2, 'the order is kept');
    // The first in the queue rings first once an operator is free.
    const op = await TestOperator.signIn(second.url, 'marco', 'marco-test-password');
    await op.setPresence('available');
    const ring = await op.nextRing();
    assert.equal(ring.callId, ringing.callId);
    // And the citizen whose call was cut off can call again with the same booking.
    const retry = await back1.request({
      kind: 'booked',
      bookingId: booked.bookingId,
      checkInKey: randomUUID(),
      codeHash: booked.codeHash,
    });
    assert.ok(retry.ok, retry.ok ? '' : retry.error);
    for (const c of [back1, back2, back3, op]) c.close();
    second.proc.kill('SIGKILL');
  },
);
