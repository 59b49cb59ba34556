// Least data on the totem (C-4): the cache holds only a 16-bit tag of each code's HMAC, so a stolen
// cache with its key names none of them; a wrong code that happens to share a real code's tag is
// accepted offline and refused by the server, which checks the full code, online and on delivery.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeTagOf, makeBookingCode } from '@sportello/protocol';
import { codeHash } from '../../../server/src/node/agenda/kiosk-agenda.ts';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { AgendaCache } from './agenda-cache.ts';
import { KioskCore, type KioskCoreOptions } from './kiosk-core.ts';
import { ServerLink } from './server-link.ts';
import { startTcpProxy } from './testing/proxies.ts';
import { untilState } from './testing/core-state.ts';

let t: TestServer;
let siteKey: string;
before(async () => {
  t = await startTestServer();
  siteKey = (await t.server.database.db.selectFrom('sites').select('site_key').executeTakeFirstOrThrow())
    .site_key;
});
after(() => t.close());
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function newKiosk(url: string, options: Partial<KioskCoreOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sportello-least-'));
  const cache = new AgendaCache(dir);
  const link = new ServerLink(url, totemCredential(t.seed), 500);
  const core = new KioskCore({ cache, link, lookupFloorMs: 0, ...options });
  cleanups.push(() => {
    core.close();
    link.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await core.refreshAgenda();
  return { core, dir };
}

/** A valid code that is not `code` but shares its 16-bit tag: about one in 65,536 codes does. */
function twinOf(code: string): string {
  const tag = codeTagOf(codeHash(siteKey, code));
  for (let body = 0; ; body++) {
    const digits = String(body).padStart(8, '0');
    let k = 0;
    const candidate = makeBookingCode(() => Number(digits[k++]));
    if (candidate !== code && codeTagOf(codeHash(siteKey, candidate)) === tag) return candidate;
  }
}

const booking = (label: string) => t.seed.bookings.find((b) => b.label === label)!;

describe('least data on the totem', () => {
  test('C-4 the kiosk files hold no code, no full or partial hash beyond the tag, no name and not the key', async () => {
    const { dir } = await newKiosk(t.url);
    const files = readdirSync(dir).filter((f) => f.startsWith('agenda.db') || f.startsWith('outbox.db'));
    const blob = Buffer.concat(files.map((f) => readFileSync(join(dir, f)))).toString('latin1');
    for (const b of t.seed.bookings) {
      const full = codeHash(siteKey, b.code);
      assert.ok(!blob.includes(b.code), 'no code in clear');
      // Eight hex digits past the tag would already cut a thief's candidates 4-billion-fold.
      assert.ok(!blob.includes(full.slice(4, 12)), 'nothing of the hash beyond its 16-bit tag');
    }
    for (const word of ['Cittadino', 'Dimostrativo', 'Rinnovo']) assert.ok(!blob.includes(word));
    assert.ok(!blob.includes(readFileSync(join(dir, 'site.key'), 'utf8').trim()), 'not the key');
  });

  test('C-4 a wrong code sharing a real code tag: refused online by the server, which checks the full code', async () => {
    const { core } = await newKiosk(t.url);
    await untilState(core, (s) => s.online);
    const twin = twinOf(booking('now').code);
    assert.deepEqual((await core.handle({ method: 'submitCode', code: twin })).screen, {
      screen: 'rejected',
      reason: 'unknown',
    });
    const row = await t.server.database.db
      .selectFrom('bookings')
      .select('status')
      .where('id', '=', booking('now').bookingId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'booked', 'the real booking is untouched');
  });

  test('C-4 offline, a tag match is accepted; on delivery the server refuses it and the outbox empties', async () => {
    const proxy = await startTcpProxy(t.url);
    cleanups.push(() => proxy.close());
    const { core, dir } = await newKiosk(proxy.url, {
      backoff: { baseMs: 20, maxMs: 200 },
      // A generous deadline: a busy machine's answer through the proxy can take well over 500 ms.
      syncTimeoutMs: 5_000,
    });
    await untilState(core, (s) => s.online);
    proxy.cut();
    await untilState(core, (s) => !s.online);
    const real = booking('soon');
    const twin = twinOf(real.code);
    assert.deepEqual((await core.handle({ method: 'submitCode', code: twin })).screen, {
      screen: 'checked-in-offline',
    });
    const outboxBytes = () =>
      Buffer.concat(
        readdirSync(dir)
          .filter((f) => f.startsWith('outbox.db'))
          .map((f) => readFileSync(join(dir, f))),
      ).toString('latin1');
    // Until delivered, the outbox holds the full HMAC of the typed code, for the server's check.
    assert.ok(outboxBytes().includes(codeHash(siteKey, twin)));
    proxy.restore();
    await untilState(core, (s) => s.sync?.outboxPending === 0);
    assert.ok(!outboxBytes().includes(codeHash(siteKey, twin).slice(4, 20)), 'gone once delivered');
    const rows = await t.server.database.db
      .selectFrom('check_ins')
      .select('result')
      .where('booking_id', '=', real.bookingId)
      .execute();
    assert.equal(rows.length, 1);
    assert.deepEqual(
      [JSON.parse(rows[0]!.result).outcome, JSON.parse(rows[0]!.result).reason],
      ['refused', 'unknown'],
    );
    // Refused as unknown: the real citizen's code still works.
    await core.handle({ method: 'backToIdle' });
    const real2 = await core.handle({ method: 'submitCode', code: real.code });
    assert.notEqual(real2.screen.screen, 'rejected');
  });
});
