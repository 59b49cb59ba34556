import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KioskState } from '@sportello/protocol';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { TestOperator } from '../../../server/src/node/testing/operator-client.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';

let t: TestServer;
let giulia: TestOperator;
let marco: TestOperator;
before(async () => {
  t = await startTestServer();
  giulia = await TestOperator.signIn(t.url, 'giulia', 'giulia-test-password');
  marco = await TestOperator.signIn(t.url, 'marco', 'marco-test-password');
});
after(async () => {
  giulia.close();
  marco.close();
  await t.close();
});

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function newKiosk(): Promise<{ core: KioskCore; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-kiosk-'));
  const cache = new AgendaCache(dir);
  const link = new ServerLink(t.url, totemCredential(t.seed));
  const core = new KioskCore({ cache, link, endedScreenMs: 50 });
  cleanups.push(() => {
    core.close();
    link.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await core.refreshAgenda();
  return { core, dir };
}

function until(core: KioskCore, pred: (s: KioskState) => boolean): Promise<KioskState> {
  if (pred(core.getState())) return Promise.resolve(core.getState());
  return new Promise((resolve) => {
    const on = (s: KioskState) => {
      if (pred(s)) {
        core.off('state', on);
        resolve(s);
      }
    };
    core.on('state', on);
  });
}

const code = (label: string) => t.seed.bookings.find((b) => b.label === label)!.code;

describe('kiosk core against a real server', () => {
  test('C-5 wrong check digit, unknown, too early, too late: each its own reason', async () => {
    const { core } = await newKiosk();
    const good = code('now');
    const typo = good.slice(0, 3) + String((Number(good[3]) + 1) % 10) + good.slice(4);
    assert.deepEqual((await core.handle({ method: 'submitCode', code: typo })).screen, {
      screen: 'rejected',
      reason: 'check-digit',
    });
    assert.deepEqual((await core.handle({ method: 'submitCode', code: '1234' })).screen, {
      screen: 'rejected',
      reason: 'incomplete',
    });
    assert.deepEqual((await core.handle({ method: 'submitCode', code: '000000000' })).screen, {
      screen: 'rejected',
      reason: 'unknown',
    });
    assert.deepEqual((await core.handle({ method: 'submitCode', code: code('tomorrow') })).screen, {
      screen: 'rejected',
      reason: 'too-early',
    });
    assert.deepEqual((await core.handle({ method: 'submitCode', code: code('later-today') })).screen, {
      screen: 'rejected',
      reason: 'too-early',
    });
    assert.deepEqual((await core.handle({ method: 'submitCode', code: code('earlier-today') })).screen, {
      screen: 'rejected',
      reason: 'too-late',
    });
  });

  test('C-6 keypad floods and keys on screens that take none stay bounded', async () => {
    const { core } = await newKiosk();
    await core.handle({ method: 'openCodeEntry' });
    for (let i = 0; i < 200; i++) await core.handle({ method: 'pressKey', key: '7' });
    const s = core.getState().screen;
    assert.equal(s.screen, 'code-entry');
    assert.equal(s.screen === 'code-entry' && s.digits.length, 12);
    await core.handle({ method: 'pressKey', key: 'clear' });
    assert.deepEqual(core.getState().screen, { screen: 'code-entry', digits: '' });
    assert.equal(
      (await core.handle({ method: 'submitCode', code: '*#'.repeat(20) })).screen.screen,
      'rejected',
    );
  });

  test('booked call: the operator who holds the booking rings with the reason, decline goes to the other', async () => {
    const { core } = await newKiosk();
    await giulia.setPresence('available');
    await marco.setPresence('available');
    await core.handle({ method: 'submitCode', code: code('now') });
    await until(core, (s) => s.screen.screen === 'waiting');
    const ring = await giulia.nextRing();
    assert.equal(ring.kind, 'booked');
    assert.equal(ring.reason, "Rinnovo della carta d'identità scaduta");
    await giulia.decline(ring.callId);
    const ring2 = await marco.nextRing();
    assert.equal(ring2.callId, ring.callId);
    await marco.accept(ring2.callId);
    const inCall = await until(core, (s) => s.screen.screen === 'in-call');
    assert.equal(inCall.screen.screen === 'in-call' && inCall.screen.operatorName, 'Marco Rossi');
    await core.handle({ method: 'hangUp' });
    assert.equal((await marco.nextEnd()).reason, 'hangup-kiosk');
    await until(core, (s) => s.screen.screen === 'idle');
    const record = await t.server.database.db
      .selectFrom('calls')
      .selectAll()
      .where('id', '=', ring.callId)
      .executeTakeFirstOrThrow();
    assert.equal(record.operator_id, 'op-marco');
    assert.equal(record.end_reason, 'hangup-kiosk');
    assert.ok(record.duration_seconds !== null && record.duration_seconds >= 0);
    // The code is now used, on the totem and on the server.
    await core.refreshAgenda();
    assert.deepEqual((await core.handle({ method: 'submitCode', code: code('now') })).screen, {
      screen: 'rejected',
      reason: 'used',
    });
    await giulia.setPresence('paused');
    await marco.setPresence('paused');
  });

  test('walk-in call: first free operator, operator hangs up, kiosk returns to idle', async () => {
    const { core } = await newKiosk();
    await giulia.setPresence('available');
    await core.handle({ method: 'startWalkIn' });
    const ring = await giulia.nextRing();
    assert.equal(ring.kind, 'walk-in');
    assert.equal(ring.officeName, 'Ufficio Relazioni con il Pubblico');
    await giulia.accept(ring.callId);
    await until(core, (s) => s.screen.screen === 'in-call');
    await giulia.hangUp(ring.callId);
    const ended = await until(core, (s) => s.screen.screen === 'ended');
    assert.deepEqual(ended.screen, { screen: 'ended', reason: 'hangup-operator' });
    await until(core, (s) => s.screen.screen === 'idle');
    await giulia.setPresence('paused');
  });

  test('C-4 the kiosk database holds no code in clear and not the site key', async () => {
    const { dir } = await newKiosk();
    const db = readFileSync(join(dir, 'agenda.db'));
    const wal = readdirSync(dir).filter((f) => f.startsWith('agenda.db'));
    const blob = Buffer.concat([db, ...wal.map((f) => readFileSync(join(dir, f)))]).toString('latin1');
    for (const b of t.seed.bookings) assert.ok(!blob.includes(b.code), 'no code in clear');
    const key = readFileSync(join(dir, 'site.key'), 'utf8');
    assert.ok(!blob.includes(key), 'the site key is not in the database');
    assert.equal(statSync(join(dir, 'site.key')).mode & 0o777, 0o600);
  });
});
