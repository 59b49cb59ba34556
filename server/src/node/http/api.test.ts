import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCodeShape } from '@sportello/protocol';
import { startTestServer, totemCredential, type TestServer } from '../testing/test-server.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.close());

async function api(path: string, init: RequestInit = {}) {
  const res = await fetch(t.url + path, {
    ...init,
    headers: {
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string>),
    },
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

function nextWeekday(): string {
  const d = new Date();
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0);
  return d.toISOString().slice(0, 10);
}

describe('public agenda API', () => {
  test('health answers with the number of media workers', async () => {
    const r = await api('/api/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.equal(r.body.mediaWorkers, 1);
  });

  test('offices, services and free slots', async () => {
    const offices = await api('/api/offices');
    assert.deepEqual(
      offices.body.map((o: { id: string }) => o.id),
      ['anagrafe', 'urp'],
    );
    const services = await api('/api/offices/anagrafe/services');
    assert.equal(services.body.length, 2);
    const slots = await api(`/api/services/anagrafe-cie/slots?date=${nextWeekday()}`);
    assert.equal(slots.status, 200);
    assert.ok(slots.body.length > 0, 'a weekday has free slots');
  });

  test('two weeks of free slots in one request', async () => {
    const from = nextWeekday();
    const r = await api(`/api/services/anagrafe-cie/slot-days?from=${from}&days=14`);
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 14);
    assert.equal(r.body[0].date, from);
    const single = await api(`/api/services/anagrafe-cie/slots?date=${from}`);
    assert.deepEqual(r.body[0].slots, single.body);
    const bad = await api(`/api/services/anagrafe-cie/slot-days?from=${from}&days=400`);
    assert.equal(bad.status, 400);
  });

  test('a booking gets a code with a valid check digit, can be read and cancelled by its token', async () => {
    const slots = await api(`/api/services/urp-info/slots?date=${nextWeekday()}`);
    const created = await api('/api/bookings', {
      method: 'POST',
      body: JSON.stringify({
        serviceId: 'urp-info',
        slotStart: slots.body[0].start,
        reason: 'Informazioni sulla TARI',
        name: 'Anna Verdi',
        email: 'anna@example.org',
      }),
    });
    assert.equal(created.status, 201);
    assert.equal(checkCodeShape(created.body.code), 'ok');
    const manage = (path: string) =>
      api(path, { method: 'POST', body: JSON.stringify({ token: created.body.manageToken }) });
    const read = await manage('/api/bookings/manage');
    assert.equal(read.body.status, 'booked');
    assert.equal(read.body.serviceName, 'Informazioni e segnalazioni');
    // The same slot with the same operator is no longer free for a second booking of that operator.
    const again = await api(`/api/services/urp-info/slots?date=${nextWeekday()}`);
    assert.equal(again.body.length, slots.body.length, 'the other operator still has that time');
    const cancelled = await manage('/api/bookings/manage/cancel');
    assert.equal(cancelled.body.status, 'cancelled');
    const twice = await manage('/api/bookings/manage/cancel');
    assert.equal(twice.status, 409);
    assert.match(twice.body.message, /already been used or cancelled/);
  });

  test('bad requests get a 4xx with a message naming the field, never a 500', async () => {
    const r = await api('/api/bookings', {
      method: 'POST',
      body: JSON.stringify({ serviceId: 'urp-info', slotStart: 'tomorrow', reason: '', name: 'X' }),
    });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /slotStart/);
    const notJson = await api('/api/bookings', { method: 'POST', body: '{not json' });
    assert.equal(notJson.status, 400);
    const badDate = await api('/api/services/urp-info/slots?date=22-11-2026');
    assert.equal(badDate.status, 400);
    assert.match(badDate.body.message, /YYYY-MM-DD/);
    const unknown = await api('/api/offices/nowhere/services');
    assert.equal(unknown.status, 404);
    const taken = await api('/api/bookings', {
      method: 'POST',
      body: JSON.stringify({
        serviceId: 'urp-info',
        slotStart: '2020-01-06T09:00:00.000Z',
        reason: 'x',
        name: 'X',
      }),
    });
    assert.equal(taken.status, 409);
    const badToken = await api('/api/bookings/manage', {
      method: 'POST',
      body: JSON.stringify({ token: 'x'.repeat(30) }),
    });
    assert.equal(badToken.status, 404);
  });

  test('the OpenAPI document lists the endpoints', async () => {
    const r = await api('/api/openapi.json');
    assert.equal(r.status, 200);
    assert.ok(r.body.paths['/api/bookings']);
    assert.ok(r.body.paths['/api/services/{serviceId}/slots']);
  });
});

describe('operator sign-in and kiosk agenda', () => {
  test('operators sign in with their password only', async () => {
    const bad = await api('/api/operator/session', {
      method: 'POST',
      body: JSON.stringify({ username: 'giulia', password: 'wrong' }),
    });
    assert.equal(bad.status, 401);
    const good = await api('/api/operator/session', {
      method: 'POST',
      body: JSON.stringify({ username: 'giulia', password: 'giulia-test-password' }),
    });
    assert.equal(good.status, 200);
    assert.equal(good.body.operator.displayName, 'Giulia Bianchi');
    const calls = await api('/api/operator/calls', {
      headers: { authorization: `Bearer ${good.body.token}` },
    });
    assert.equal(calls.status, 200);
    assert.deepEqual(calls.body, []);
  });

  test('C-4 the kiosk agenda carries keyed hashes, never codes, names or contacts', async () => {
    const refused = await api('/api/kiosk/agenda', {
      headers: { authorization: 'Totem totem-centro-1:nope' },
    });
    assert.equal(refused.status, 401);
    const r = await api('/api/kiosk/agenda', {
      headers: { authorization: `Totem ${totemCredential(t.seed)}` },
    });
    assert.equal(r.status, 200);
    const text = JSON.stringify(r.body.entries);
    for (const b of t.seed.bookings) assert.ok(!text.includes(b.code), 'no code in clear');
    assert.ok(!text.includes('Cittadino'), 'no names');
    assert.ok(r.body.entries.length >= 4);
  });
});
