// Schedules, exceptions and holidays against a real server: the slots they offer, the conflicts a
// change would cause (refused until confirmed, never dropped, never double-booked), and an account
// deactivated while its console is connected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { io } from 'socket.io-client';
import {
  ADMIN_ROUTES as R,
  FLEET_ROUTES,
  NAMESPACES,
  OPERATOR_ROUTES,
  PUBLIC_ROUTES,
  routePath,
  routeQuery,
  type AuditEntry,
  type HttpRoute,
  type ScheduleConflict,
  type Slot,
} from '@sportello/protocol';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { requestJson, signInAccount } from '../testing/test-totem.ts';
import { TestOperator } from '../testing/operator-client.ts';
import { callRoute } from '../testing/route-call.ts';

// Monday 23 November 2026, 10:00 in Rome (UTC+1).
const clock = Date.parse('2026-11-23T09:00:00Z');
const now = () => new Date(clock);
let t: TestServer;
let admin: string;
const PASSWORD = 'laura-test-password';
const weekdays = (start: string, end: string) =>
  [1, 2, 3, 4, 5].map((weekday) => ({ operatorId: 'op-laura', weekday, start, end }));

const call = <T = Record<string, unknown>>(
  route: HttpRoute,
  input: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown } = {},
) => callRoute<T>(t.url, route, input, admin);

before(async () => {
  t = await startTestServer({ rateLimitPerMinute: 100_000, timeZone: 'Europe/Rome' }, now);
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
  assert.equal(
    (await call(R.createOffice, { body: { id: 'tributi', name: 'Tributi', walkIn: false } })).status,
    201,
  );
  const service = {
    id: 'tari',
    officeId: 'tributi',
    name: 'TARI',
    slotMinutes: 30,
    atTotem: true,
    fromHome: false,
  };
  assert.equal((await call(R.createService, { body: service })).status, 201);
  const laura = {
    username: 'laura',
    displayName: 'Laura Verdi',
    password: PASSWORD,
    role: 'operator',
    offices: ['tributi'],
    languages: ['it'],
  };
  assert.equal((await call(R.createOperator, { body: laura })).status, 201);
  const saved = await call(R.saveSchedule, {
    params: { id: 'tari' },
    body: { entries: weekdays('09:00', '12:00') },
  });
  assert.equal(saved.status, 200);
});
after(() => t.close());

/** Local start times ('HH:MM' in Rome) of the free slots of a date. */
async function freeTimes(date: string): Promise<string[]> {
  const res = await requestJson<Slot[]>(
    t.url + routePath(PUBLIC_ROUTES.slots, { serviceId: 'tari' }) + routeQuery({ date }),
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

async function book(slotStart: string): Promise<string> {
  const res = await requestJson<{ bookingId: string }>(t.url + PUBLIC_ROUTES.book.path, {
    body: { serviceId: 'tari', slotStart, reason: 'Rateizzazione', name: 'Mario Rossi' },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.bookingId;
}

async function statusOf(bookingId: string): Promise<string> {
  const row = await t.server.database.db
    .selectFrom('bookings')
    .select('status')
    .where('id', '=', bookingId)
    .executeTakeFirstOrThrow();
  return row.status;
}

test('holidays close a day for every office; changed hours narrow it; removing them opens it again', async () => {
  const all = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'];
  assert.deepEqual(await freeTimes('2026-12-01'), all);
  const holiday = await call<{ id: number }>(R.createException, {
    body: { officeId: null, date: '2026-12-01', closed: true, label: 'Festa patronale' },
  });
  assert.equal(holiday.status, 201);
  assert.deepEqual(await freeTimes('2026-12-01'), [], 'no slot on a holiday');
  assert.deepEqual(await freeTimes('2026-12-02'), all, 'the next day is untouched');
  const hours = await call(R.createException, {
    body: {
      officeId: 'tributi',
      date: '2026-12-02',
      closed: false,
      start: '10:00',
      end: '11:00',
      label: 'Assemblea',
    },
  });
  assert.equal(hours.status, 201);
  assert.deepEqual(await freeTimes('2026-12-02'), ['10:00', '10:30']);
  const other = await call(R.createException, {
    body: { officeId: 'urp', date: '2026-12-03', closed: true, label: 'Trasloco URP' },
  });
  assert.equal(other.status, 201);
  assert.deepEqual(await freeTimes('2026-12-03'), all, "another office's closure does not apply");
  assert.equal((await call(R.deleteException, { params: { id: holiday.body.id } })).status, 200);
  assert.deepEqual(await freeTimes('2026-12-01'), all);
  const listed = await call<{ date: string }[]>(R.listExceptions, { query: { from: '2026-12-02' } });
  assert.deepEqual(
    listed.body.map((e) => e.date),
    ['2026-12-02', '2026-12-03'],
  );
});

test('a schedule change that leaves a booking out is refused with the conflict until confirmed; the booking is kept', async () => {
  // Wednesday 25 November, 10:00 in Rome.
  const first = await book('2026-11-25T09:00:00.000Z');
  const narrower = [
    ...weekdays('09:00', '12:00').filter((e) => e.weekday !== 3),
    { operatorId: 'op-laura', weekday: 3, start: '11:00', end: '12:00' },
  ];
  const refused = await call<{ code: string; conflicts: ScheduleConflict[] }>(R.saveSchedule, {
    params: { id: 'tari' },
    body: { entries: narrower },
  });
  assert.equal(refused.status, 409);
  assert.equal(refused.body.code, 'schedule-conflicts');
  assert.deepEqual(
    refused.body.conflicts.map((c) => [c.bookingId, c.why, c.operatorId]),
    [[first, 'outside-schedule', 'op-laura']],
  );
  const unchanged = await call<{ entries: unknown[] }>(R.readSchedule, { params: { id: 'tari' } });
  assert.equal(unchanged.body.entries.length, 5, 'nothing saved');

  // A booking made meanwhile is not covered by the confirmation: refused again, both listed.
  const second = await book('2026-11-25T09:30:00.000Z');
  const again = await call<{ conflicts: ScheduleConflict[] }>(R.saveSchedule, {
    params: { id: 'tari' },
    body: { entries: narrower, acceptConflicts: [first] },
  });
  assert.equal(again.status, 409);
  assert.deepEqual(again.body.conflicts.map((c) => c.bookingId).sort(), [first, second].sort());

  const saved = await call<{ kept: ScheduleConflict[] }>(R.saveSchedule, {
    params: { id: 'tari' },
    body: { entries: narrower, acceptConflicts: [first, second] },
  });
  assert.equal(saved.status, 200);
  assert.equal(saved.body.kept.length, 2);
  assert.equal(await statusOf(first), 'booked', 'kept, not dropped');
  assert.equal(await statusOf(second), 'booked');
  assert.deepEqual(await freeTimes('2026-11-25'), ['11:00', '11:30']);
  const audit = await call<AuditEntry[]>(FLEET_ROUTES.listAudit, { query: { limit: 50 } });
  const entry = audit.body.find((e) => e.action === 'schedule-save' && e.target === 'tari');
  assert.match(entry?.detail ?? '', /kept 2 conflicting booking/);
});

test('a holiday on a booked day lists the booking as "closed" before it is saved', async () => {
  const booked = await book('2026-11-27T10:00:00.000Z'); // Friday 11:00 in Rome
  const body = { officeId: 'tributi', date: '2026-11-27', closed: true, label: 'Sciopero' };
  const refused = await call<{ conflicts: ScheduleConflict[] }>(R.createException, { body });
  assert.equal(refused.status, 409);
  assert.deepEqual(
    refused.body.conflicts.map((c) => [c.bookingId, c.why]),
    [[booked, 'closed']],
  );
  assert.deepEqual(await freeTimes('2026-11-27'), ['09:00', '09:30', '10:00', '10:30', '11:30'], 'not saved');
  const saved = await call<{ kept: ScheduleConflict[] }>(R.createException, {
    body: { ...body, acceptConflicts: [booked] },
  });
  assert.equal(saved.status, 201);
  assert.equal(await statusOf(booked), 'booked');
  assert.deepEqual(await freeTimes('2026-11-27'), []);
});

test('a shifted slot grid never offers a slot overlapping a booking', async () => {
  await book('2026-11-26T08:00:00.000Z'); // Thursday 09:00–09:30 in Rome
  const shifted = [
    ...weekdays('09:00', '12:00').filter((e) => e.weekday !== 4 && e.weekday !== 3),
    { operatorId: 'op-laura', weekday: 3, start: '11:00', end: '12:00' },
    { operatorId: 'op-laura', weekday: 4, start: '08:45', end: '10:45' },
  ];
  const saved = await call(R.saveSchedule, {
    params: { id: 'tari' },
    body: { entries: shifted, acceptConflicts: [] },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  // 08:45 and 09:15 would overlap 09:00–09:30.
  assert.deepEqual(await freeTimes('2026-11-26'), ['09:45', '10:15']);
});

test('a deactivated operator is disconnected at once and cannot come back', async () => {
  const token = await signInAccount(t.url, 'laura', PASSWORD);
  const console = await TestOperator.signIn(t.url, 'laura', PASSWORD);
  const closed = once(console.socket as never, 'disconnect') as Promise<[string]>;
  const deactivate = {
    displayName: 'Laura Verdi',
    role: 'operator',
    offices: ['tributi'],
    languages: ['it'],
    active: false,
  };
  // She holds booked appointments: refused with them listed, nothing changed.
  const refused = await call<{ conflicts: ScheduleConflict[] }>(R.updateOperator, {
    params: { id: 'op-laura' },
    body: deactivate,
  });
  assert.equal(refused.status, 409);
  assert.ok(refused.body.conflicts.length >= 4);
  assert.ok(
    refused.body.conflicts.every((c) => c.why === 'operator-deactivated' && c.operatorId === 'op-laura'),
  );
  assert.equal(console.socket.connected, true, 'still connected');
  assert.equal((await callRoute(t.url, OPERATOR_ROUTES.listCalls, {}, token)).status, 200);
  const res = await call<{ active: boolean }>(R.updateOperator, {
    params: { id: 'op-laura' },
    body: { ...deactivate, acceptConflicts: refused.body.conflicts.map((c) => c.bookingId) },
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.active, false);
  const [reason] = await closed;
  assert.equal(reason, 'io server disconnect', 'the server closed the console');
  assert.equal(
    (await callRoute(t.url, OPERATOR_ROUTES.listCalls, {}, token)).status,
    401,
    'old session refused',
  );
  const signIn = await callRoute(t.url, OPERATOR_ROUTES.signIn, {
    body: { username: 'laura', password: PASSWORD },
  });
  assert.equal(signIn.status, 401, 'sign-in refused');
  const again = io(t.url + NAMESPACES.operator, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
  });
  const [err] = (await once(again as never, 'connect_error')) as [Error];
  assert.match(err.message, /sign in/);
  again.close();
  console.socket.close();
  assert.deepEqual(await freeTimes('2026-12-14'), [], 'a deactivated operator offers no slot');
  const audit = await call<AuditEntry[]>(FLEET_ROUTES.listAudit, { query: { limit: 50 } });
  assert.ok(
    audit.body.some((e) => e.action === 'account-deactivate' && e.target === 'laura' && e.actor === 'admin'),
  );
});
