import type { KioskRequest, KioskState } from '@sportello/protocol';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkKioskPayload, createKioskIpcHandler } from './kiosk-ipc.ts';
import { KIOSK_PAGE_URL } from './security-policy.ts';

const idle: KioskState = { language: 'it', screen: { screen: 'idle' }, online: true };

function fakeCore(fail = false) {
  const seen: KioskRequest[] = [];
  return {
    seen,
    async handle(req: KioskRequest): Promise<KioskState> {
      seen.push(req);
      if (fail) throw new Error('boom');
      return idle;
    },
  };
}

test('E-5 valid requests are accepted', () => {
  for (const payload of [
    { method: 'getState' },
    { method: 'pressKey', key: '7' },
    { method: 'submitCode', code: '1234-5678' },
    { method: 'setLanguage', language: 'en' },
    JSON.parse('{"method":"hangUp"}') as unknown,
  ]) {
    const check = checkKioskPayload(payload);
    assert.equal(check.ok, true, JSON.stringify(payload));
    if (check.ok) assert.deepEqual(check.request, payload);
  }
});

test('E-5 an unknown method or a wrong schema is rejected', () => {
  for (const payload of [
    { method: 'openDevTools' },
    { method: 'invoke', channel: 'anything' },
    { method: 'pressKey', key: 'F12' },
    { method: 'pressKey' },
    { method: 'setLanguage', language: 'es' },
    { method: 'getState', extra: true },
    { method: 42 },
    {},
  ]) {
    assert.equal(checkKioskPayload(payload).ok, false, JSON.stringify(payload));
  }
});

test('E-5 oversized strings are rejected', () => {
  assert.equal(checkKioskPayload({ method: 'submitCode', code: '1'.repeat(65) }).ok, false);
  assert.equal(checkKioskPayload({ method: 'submitCode', code: 'x'.repeat(10 * 1024 * 1024) }).ok, false);
});

test('E-5 __proto__ and other prototype keys are rejected', () => {
  const own = JSON.parse('{"method":"getState","__proto__":{"polluted":true}}') as unknown;
  const check = checkKioskPayload(own);
  assert.equal(check.ok, false);
  assert.match(check.ok ? '' : check.reason, /__proto__/);
  assert.equal(checkKioskPayload({ method: 'getState', constructor: 'x' }).ok, false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('E-5 non-objects, arrays, class instances and nested values are rejected', () => {
  for (const payload of [
    undefined,
    null,
    'getState',
    42,
    ['getState'],
    new Date(),
    new Map([['method', 'getState']]),
    Object.assign(Object.create({ inherited: 1 }) as object, { method: 'getState' }),
    { method: 'submitCode', code: { toString: () => '1234' } },
    { method: 'getState', a: 1, b: 2, c: 3, d: 4 },
    { method: 'getState', [Symbol('s')]: 1 },
  ]) {
    assert.equal(checkKioskPayload(payload).ok, false, String(payload));
  }
});

test('E-5 the handler answers a bad payload with an error Result, logs it and never throws', async () => {
  const core = fakeCore();
  const logged: string[] = [];
  const handle = createKioskIpcHandler({ core, log: (msg) => logged.push(msg) });
  const result = await handle(KIOSK_PAGE_URL, { method: 'rm -rf' });
  assert.equal(result.ok, false);
  assert.equal(result.ok ? '' : result.error.code, 'invalid-request');
  assert.equal(core.seen.length, 0);
  assert.deepEqual(logged, ['refused a malformed kiosk IPC request']);
});

test('E-5 the handler refuses senders outside the app origin', async () => {
  const core = fakeCore();
  const handle = createKioskIpcHandler({ core, log: () => {} });
  for (const sender of ['https://example.org/', 'file:///tmp/x.html', undefined]) {
    const result = await handle(sender, { method: 'getState' });
    assert.equal(result.ok ? '' : result.error.code, 'forbidden', String(sender));
  }
  assert.equal(core.seen.length, 0);
});

test('E-5 a valid request reaches the core and its state comes back', async () => {
  const core = fakeCore();
  const handle = createKioskIpcHandler({ core, log: () => {} });
  assert.deepEqual(await handle(KIOSK_PAGE_URL, { method: 'pressKey', key: '3' }), { ok: true, value: idle });
  assert.deepEqual(core.seen, [{ method: 'pressKey', key: '3' }]);
});

test('E-5 a failing core becomes an internal error Result', async () => {
  const logged: string[] = [];
  const handle = createKioskIpcHandler({ core: fakeCore(true), log: (msg) => logged.push(msg) });
  const result = await handle(KIOSK_PAGE_URL, { method: 'getState' });
  assert.equal(result.ok ? '' : result.error.code, 'internal');
  assert.deepEqual(logged, ['kiosk request failed']);
});
