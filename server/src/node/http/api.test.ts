import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkCodeShape,
  KIOSK_ROUTES,
  OPENAPI_PATH,
  OPERATOR_ROUTES,
  PUBLIC_ROUTES as P,
  routePath,
  routeQuery,
} from '@sportello/protocol';
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

// A working day (Monday to Saturday) with none of the demo seed's bookings: the seed books from two
// hours ago to tomorrow at this time, and one of those can take an operator's first slot, whatever
// the hour the suite runs at. Two days on is past them in the office's time zone as well.
function freeWeekday(): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + 1);
  do d.setUTCDate(d.getUTCDate() + 1);
  while (d.getUTCDay() === 0);
  return d.toISOString().slice(0, 10);
}

describe('public agenda API', () => {
  test('health answers with the number of media workers', async () => {
    const r = await api(P.health.path);
    assert.equal(r.status, 200);
    assert.equal(r.body.status, 'ok');
    assert.equal(r.body.mediaWorkers, 1);
  });

  test('offices, services and free slots', async () => {
    const offices = await api(P.offices.path);
    assert.deepEqual(
      offices.body.map((o: { id: string }) => o.id),
      ['anagrafe', 'urp'],
    );
    const services = await api(routePath(P.services, { officeId: 'anagrafe' }));
    assert.equal(services.body.length, 2);
    const slots = await api(
      routePath(P.slots, { serviceId: 'anagrafe-cie' }) + routeQuery({ date: freeWeekday() }),
    );
    assert.equal(slots.status, 200);
    assert.ok(slots.body.length > 0, 'a weekday has free slots');
  });

  test('two weeks of free slots in one request', async () => {
    const from = freeWeekday();
    const r = await api(
      routePath(P.slotDays, { serviceId: 'anagrafe-cie' }) + routeQuery({ from, days: 14 }),
    );
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 14);
    assert.equal(r.body[0].date, from);
    const single = await api(routePath(P.slots, { serviceId: 'anagrafe-cie' }) + routeQuery({ date: from }));
    assert.deepEqual(r.body[0].slots, single.body);
    const bad = await api(
      routePath(P.slotDays, { serviceId: 'anagrafe-cie' }) + routeQuery({ from, days: 400 }),
    );
    assert.equal(bad.status, 400);
  });

  test('a booking gets a code with a valid check digit, can be read and cancelled by its token', async () => {
    const slots = await api(
      routePath(P.slots, { serviceId: 'urp-info' }) + routeQuery({ date: freeWeekday() }),
    );
    const created = await api(P.book.path, {
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
    const read = await manage(P.readBooking.path);
    assert.equal(read.body.status, 'booked');
    assert.equal(read.body.serviceName, 'Informazioni e segnalazioni');
    // The same slot with the same operator is no longer free for a second booking of that operator.
    const again = await api(
      routePath(P.slots, { serviceId: 'urp-info' }) + routeQuery({ date: freeWeekday() }),
    );
    assert.equal(again.body.length, slots.body.length, 'the other operator still has that time');
    const cancelled = await manage(P.cancelBooking.path);
    assert.equal(cancelled.body.status, 'cancelled');
    const twice = await manage(P.cancelBooking.path);
    assert.equal(twice.status, 409);
    assert.match(twice.body.message, /already been used or cancelled/);
  });

  test('bad requests get a 4xx with a message naming the field, never a 500', async () => {
    const r = await api(P.book.path, {
      method: 'POST',
      body: JSON.stringify({ serviceId: 'urp-info', slotStart: 'tomorrow', reason: '', name: 'X' }),
    });
    assert.equal(r.status, 400);
    assert.match(r.body.message, /slotStart/);
    const notJson = await api(P.book.path, { method: 'POST', body: '{not json' });
    assert.equal(notJson.status, 400);
    const badDate = await api(
      routePath(P.slots, { serviceId: 'urp-info' }) + routeQuery({ date: '22-11-2026' }),
    );
    assert.equal(badDate.status, 400);
    assert.match(badDate.body.message, /YYYY-MM-DD/);
    const unknown = await api(routePath(P.services, { officeId: 'nowhere' }));
    assert.equal(unknown.status, 404);
    const taken = await api(P.book.path, {
      method: 'POST',
      body: JSON.stringify({
        serviceId: 'urp-info',
        slotStart: '2020-01-06T09:00:00.000Z',
        reason: 'x',
        name: 'X',
      }),
    });
    assert.equal(taken.status, 409);
    const badToken = await api(P.readBooking.path, {
      method: 'POST',
      body: JSON.stringify({ token: 'x'.repeat(30) }),
    });
    assert.equal(badToken.status, 404);
  });

  test('the OpenAPI document lists the endpoints', async () => {
    const r = await api(OPENAPI_PATH);
    assert.equal(r.status, 200);
    assert.ok(r.body.paths[P.book.path]);
    assert.ok(r.body.paths[P.slots.path.replace(':serviceId', '{serviceId}')]);
  });
});

describe('operator sign-in and kiosk agenda', () => {
  test('operators sign in with their password only', async () => {
    const bad = await api(OPERATOR_ROUTES.signIn.path, {
      method: 'POST',
      body: JSON.stringify({ username: 'giulia', password: 'wrong' }),
    });
    assert.equal(bad.status, 401);
    const good = await api(OPERATOR_ROUTES.signIn.path, {
      method: 'POST',
      body: JSON.stringify({ username: 'giulia', password: 'giulia-test-password' }),
    });
    assert.equal(good.status, 200);
    assert.equal(good.body.operator.displayName, 'Giulia Bianchi');
    const calls = await api(OPERATOR_ROUTES.listCalls.path, {
      headers: { authorization: `Bearer ${good.body.token}` },
    });
    assert.equal(calls.status, 200);
    assert.deepEqual(calls.body, []);
  });

  test('C-4 the kiosk agenda carries keyed hashes, never codes, names or contacts', async () => {
    const refused = await api(KIOSK_ROUTES.agenda.path, {
      headers: { authorization: 'Totem totem-centro-1:nope' },
    });
    assert.equal(refused.status, 401);
    const r = await api(KIOSK_ROUTES.agenda.path, {
      headers: { authorization: `Totem ${totemCredential(t.seed)}` },
    });
    assert.equal(r.status, 200);
    const text = JSON.stringify(r.body.entries);
    for (const b of t.seed.bookings) assert.ok(!text.includes(b.code), 'no code in clear');
    assert.ok(!text.includes('Cittadino'), 'no names');
    assert.ok(r.body.entries.length >= 4);
  });
});
