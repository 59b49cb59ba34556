// Slots, exceptions and conflicts at the edges of a day and on the day clocks change (Europe/Rome):
// the server's clock is set by the test, never the machine's.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_ROUTES as R,
  PUBLIC_ROUTES,
  routePath,
  routeQuery,
  type HttpRoute,
  type Slot,
} from '@sportello/protocol';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { requestJson, signInAccount } from '../testing/test-totem.ts';
import { callRoute } from '../testing/route-call.ts';

let clock = Date.parse('2026-11-24T22:55:00Z'); // Tuesday 24 November, 23:55 in Rome
const now = () => new Date(clock);
let t: TestServer;
let admin: string;

const call = <T = Record<string, unknown>>(
  route: HttpRoute,
  input: { params?: Record<string, unknown>; body?: unknown },
) => callRoute<T>(t.url, route, input, admin);

before(async () => {
  t = await startTestServer({ rateLimitPerMinute: 100_000, timeZone: 'Europe/Rome' }, now);
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
  await call(R.createOffice, { body: { id: 'notte', name: 'Servizio notturno', walkIn: false } });
  await call(R.createService, {
    body: {
      id: 'notturno',
      officeId: 'notte',
      name: 'Notturno',
      slotMinutes: 30,
      atTotem: true,
      fromHome: false,
    },
  });
  await call(R.createOperator, {
    body: {
      username: 'nadia',
      displayName: 'Nadia',
      password: 'nadia-test-password',
      role: 'operator',
      offices: ['notte'],
      languages: ['it'],
    },
  });
  const saved = await call(R.saveSchedule, {
    params: { id: 'notturno' },
    body: {
      entries: [
        { operatorId: 'op-nadia', weekday: 2, start: '23:00', end: '23:59' },
        { operatorId: 'op-nadia', weekday: 3, start: '00:00', end: '01:00' },
        { operatorId: 'op-nadia', weekday: 0, start: '01:00', end: '04:00' },
      ],
    },
  });
  assert.equal(saved.status, 200);
});
after(() => t.close());

async function times(date: string): Promise<string[]> {
  const res = await requestJson<Slot[]>(
    t.url + routePath(PUBLIC_ROUTES.slots, { serviceId: 'notturno' }) + routeQuery({ date }),
  );
  assert.equal(res.status, 200);
  return res.body.map((s) =>
    new Date(s.start).toLocaleTimeString('it-IT', {
      timeZone: 'Europe/Rome',
      hour: '2-digit',
      minute: '2-digit',
    }),
  );
}

test('at 23:55 the next local day is whole; at 00:05 its first slot has gone', async () => {
  assert.deepEqual(await times('2026-11-24'), [], 'the rest of Tuesday is past (23:00, 23:30 gone)');
  assert.deepEqual(await times('2026-11-25'), ['00:00', '00:30']);
  clock = Date.parse('2026-11-24T23:05:00Z'); // Wednesday 00:05 in Rome
  assert.deepEqual(await times('2026-11-25'), ['00:30']);
  clock = Date.parse('2026-11-24T22:55:00Z');
});

test('an operator booked for one service is not offered for another at the same time', async () => {
  clock = Date.parse('2026-11-17T21:00:00Z'); // a week earlier, Tuesday 22:00
  await call(R.createService, {
    body: {
      id: 'notturno-bis',
      officeId: 'notte',
      name: 'Notturno bis',
      slotMinutes: 20,
      atTotem: true,
      fromHome: false,
    },
  });
  const saved = await call(R.saveSchedule, {
    params: { id: 'notturno-bis' },
    body: { entries: [{ operatorId: 'op-nadia', weekday: 2, start: '23:00', end: '23:59' }] },
  });
  assert.equal(saved.status, 200);
  assert.deepEqual(await times('2026-11-17'), ['23:00']);
  const other = await requestJson<Slot[]>(
    t.url +
      routePath(PUBLIC_ROUTES.slots, { serviceId: 'notturno-bis' }) +
      routeQuery({ date: '2026-11-17' }),
  );
  const booked = await requestJson(t.url + PUBLIC_ROUTES.book.path, {
    body: {
      serviceId: 'notturno-bis',
      slotStart: other.body[1]!.start,
      reason: 'Notte',
      name: 'Mario Rossi',
    },
  });
  assert.equal(booked.status, 201, '23:20–23:40 with Nadia');
  assert.deepEqual(await times('2026-11-17'), [], '23:00–23:30 would overlap it');
  clock = Date.parse('2026-11-24T22:55:00Z');
});

test('on the spring-forward day the missing hour has no slots; a holiday and changed hours still apply', async () => {
  clock = Date.parse('2027-03-20T12:00:00Z');
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
  // Sunday 28 March 2027: 02:00 becomes 03:00 in Rome.
  assert.deepEqual(await times('2027-03-28'), ['01:00', '01:30', '03:00', '03:30']);
  const narrowed = await call<{ id: number }>(R.createException, {
    body: {
      officeId: 'notte',
      date: '2027-03-28',
      closed: false,
      start: '03:00',
      end: '04:00',
      label: 'Cambio ora',
    },
  });
  assert.equal(narrowed.status, 201);
  assert.deepEqual(await times('2027-03-28'), ['03:00', '03:30']);
  assert.equal((await call(R.deleteException, { params: { id: narrowed.body.id } })).status, 200);
  const holiday = await call(R.createException, {
    body: { officeId: null, date: '2027-03-28', closed: true, label: 'Pasqua' },
  });
  assert.equal(holiday.status, 201);
  assert.deepEqual(await times('2027-03-28'), []);
  assert.deepEqual(
    await times('2027-04-04'),
    ['01:00', '01:30', '02:00', '02:30', '03:00', '03:30'],
    'a normal Sunday',
  );
  clock = Date.parse('2026-11-24T22:55:00Z');
});
