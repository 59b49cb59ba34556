// The administration routes against a real server: every form refuses bad input with 400 naming
// the field, supervisors read but cannot change, operators cannot read, and every change is
// written to the audit log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_ROUTES as R,
  FLEET_ROUTES,
  OPENAPI_PATH,
  PUBLIC_ROUTES,
  routePath,
  type ApiError,
  type AuditEntry,
  type HttpRoute,
} from '@sportello/protocol';
import { startTestServer, TEST_PASSWORDS, type TestServer } from '../testing/test-server.ts';
import { requestJson, signInAccount } from '../testing/test-totem.ts';
import { callRoute } from '../testing/route-call.ts';

const clock = Date.parse('2026-11-23T09:00:00Z');
const now = () => new Date(clock);
let t: TestServer;
let admin: string;

before(async () => {
  t = await startTestServer({ rateLimitPerMinute: 100_000 }, now);
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
});
after(() => t.close());

const call = <T = Record<string, unknown>>(
  route: HttpRoute,
  input: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown } = {},
  token: string | undefined = admin,
) => callRoute<T>(t.url, route, input, token);

async function refused(
  route: HttpRoute,
  input: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown },
  field: string,
) {
  const res = await call<ApiError>(route, input);
  assert.equal(
    res.status,
    400,
    `${route.method} ${route.path} ${JSON.stringify(input.body ?? input.query)} → 400`,
  );
  assert.ok(
    res.body.fields?.some((f) => f.field === field),
    `${route.path}: the answer names ${field}: ${JSON.stringify(res.body)}`,
  );
  assert.match(
    res.body.message,
    new RegExp(`${field.replace(/\./g, '\\.')}: `),
    'the sentence names the field',
  );
}

async function auditActions(): Promise<AuditEntry[]> {
  const res = await call<AuditEntry[]>(FLEET_ROUTES.listAudit, { query: { limit: 500 } });
  assert.equal(res.status, 200);
  return res.body;
}

describe('administration forms refuse bad input naming the field', () => {
  test('offices', async () => {
    await refused(R.createOffice, { body: { name: '', walkIn: true } }, 'name');
    await refused(R.createOffice, { body: { name: 'Tributi' } }, 'walkIn');
    await refused(R.createOffice, { body: { id: 'Bad Id!', name: 'Tributi', walkIn: false } }, 'id');
    await refused(R.createOffice, { body: { id: 'urp', name: 'Altro URP', walkIn: false } }, 'id');
    await refused(R.updateOffice, { params: { id: 'urp' }, body: { name: '   ', walkIn: true } }, 'name');
  });

  test('services', async () => {
    const good = {
      officeId: 'urp',
      name: 'Tessera elettorale',
      slotMinutes: 15,
      atTotem: true,
      fromHome: false,
    };
    await refused(R.createService, { body: { ...good, slotMinutes: 2 } }, 'slotMinutes');
    await refused(R.createService, { body: { ...good, slotMinutes: 12.5 } }, 'slotMinutes');
    await refused(R.createService, { body: { ...good, atTotem: false } }, 'atTotem');
    await refused(R.createService, { body: { ...good, officeId: 'nowhere' } }, 'officeId');
    await refused(
      R.createService,
      { body: { ...good, questions: [{ label: '', required: true }] } },
      'questions.0.label',
    );
    await refused(
      R.updateService,
      { params: { id: 'urp-info' }, body: { ...good, slotMinutes: 'twenty' } },
      'slotMinutes',
    );
  });

  test('accounts', async () => {
    const good = {
      username: 'laura',
      displayName: 'Laura Verdi',
      password: 'a-long-enough-password',
      role: 'operator',
      offices: ['urp'],
      languages: ['it'],
    };
    await refused(R.createOperator, { body: { ...good, username: 'A B' } }, 'username');
    await refused(R.createOperator, { body: { ...good, username: 'giulia' } }, 'username');
    await refused(R.createOperator, { body: { ...good, password: 'short' } }, 'password');
    await refused(R.createOperator, { body: { ...good, languages: [] } }, 'languages');
    await refused(R.createOperator, { body: { ...good, offices: ['urp', 'nowhere'] } }, 'offices.1');
    await refused(R.createOperator, { body: { ...good, role: 'boss' } }, 'role');
    const update = {
      displayName: 'Giulia Bianchi',
      role: 'operator',
      offices: ['urp'],
      languages: ['it'],
      active: true,
    };
    await refused(
      R.updateOperator,
      { params: { id: 'op-giulia' }, body: { ...update, languages: ['ita'] } },
      'languages.0',
    );
    await refused(
      R.updateOperator,
      { params: { id: 'op-giulia' }, body: { ...update, displayName: '' } },
      'displayName',
    );
    await refused(
      R.updateOperator,
      { params: { id: 'adm-admin' }, body: { ...update, role: 'administrator', active: false } },
      'active',
    );
    await refused(
      R.updateOperator,
      { params: { id: 'adm-admin' }, body: { ...update, role: 'supervisor' } },
      'role',
    );
    await refused(R.resetPassword, { params: { id: 'op-giulia' }, body: { password: 'x' } }, 'password');
  });

  test('schedules', async () => {
    const row = { operatorId: 'op-giulia', weekday: 1, start: '08:30', end: '12:00' };
    const schedule = (entries: unknown[]) => ({ params: { id: 'urp-info' }, body: { entries } });
    await refused(R.saveSchedule, schedule([{ ...row, weekday: 7 }]), 'entries.0.weekday');
    await refused(R.saveSchedule, schedule([{ ...row, end: '08:00' }]), 'entries.0.end');
    await refused(R.saveSchedule, schedule([{ ...row, start: '8:30' }]), 'entries.0.start');
    await refused(
      R.saveSchedule,
      schedule([row, { ...row, operatorId: 'op-nobody' }]),
      'entries.1.operatorId',
    );
    await refused(R.saveSchedule, schedule([{ ...row, operatorId: 'adm-admin' }]), 'entries.0.operatorId');
    await refused(
      R.saveSchedule,
      schedule([row, { ...row, start: '11:00', end: '13:00' }]),
      'entries.1.start',
    );
  });

  test('exceptions and holidays', async () => {
    const good = { officeId: null, date: '2026-12-08', closed: true, label: 'Immacolata' };
    await refused(R.createException, { body: { ...good, date: '2026-02-30' } }, 'date');
    await refused(R.createException, { body: { ...good, date: '8/12/2026' } }, 'date');
    await refused(R.createException, { body: { ...good, closed: false, end: '12:00' } }, 'start');
    await refused(
      R.createException,
      { body: { ...good, closed: false, start: '12:00', end: '09:00' } },
      'end',
    );
    await refused(R.createException, { body: { ...good, label: ' ' } }, 'label');
    await refused(R.createException, { body: { ...good, officeId: 'nowhere' } }, 'officeId');
    await refused(R.listExceptions, { query: { from: 'tomorrow' } }, 'from');
  });

  test('sites', async () => {
    await refused(R.createSite, { body: { name: '', offices: [] } }, 'name');
    await refused(R.createSite, { body: { name: 'Biblioteca', offices: ['nowhere'] } }, 'offices.0');
    await refused(R.updateSite, { params: { id: 'centro' }, body: { name: 'Piazza' } }, 'offices');
  });
});

test('changes are saved, read back and audited with who made them', async () => {
  const office = await call<{ id: string }>(R.createOffice, {
    body: { name: 'Ufficio Tributi', walkIn: false },
  });
  assert.equal(office.status, 201);
  assert.equal(office.body.id, 'ufficio-tributi', 'the id is made from the name');
  const service = await call<{ id: string; questions: unknown[] }>(R.createService, {
    body: {
      officeId: 'ufficio-tributi',
      name: 'Rateizzazione TARI',
      slotMinutes: 30,
      questions: [{ label: 'Numero dell’avviso', required: true }],
      atTotem: true,
      fromHome: true,
    },
  });
  assert.equal(service.status, 201);
  assert.equal(service.body.questions.length, 1);
  // The booking page reads the questions and channels from the public list.
  const listed = await requestJson<
    { id: string; questions: unknown[]; atTotem: boolean; fromHome: boolean }[]
  >(t.url + routePath(PUBLIC_ROUTES.services, { officeId: 'ufficio-tributi' }));
  assert.deepEqual(
    listed.body.map((s) => [s.id, s.questions.length, s.atTotem, s.fromHome]),
    [[service.body.id, 1, true, true]],
  );
  const op = await call<{ id: string; offices: string[] }>(R.createOperator, {
    body: {
      username: 'laura',
      displayName: 'Laura Verdi',
      password: 'laura-first-password',
      role: 'operator',
      offices: ['ufficio-tributi'],
      languages: ['it', 'en'],
    },
  });
  assert.equal(op.status, 201);
  await signInAccount(t.url, 'laura', 'laura-first-password');
  const reset = await call(R.resetPassword, {
    params: { id: op.body.id },
    body: { password: 'laura-second-password' },
  });
  assert.equal(reset.status, 200);
  await assert.rejects(signInAccount(t.url, 'laura', 'laura-first-password'));
  await signInAccount(t.url, 'laura', 'laura-second-password');
  const saved = await call(R.saveSchedule, {
    params: { id: service.body.id },
    body: { entries: [{ operatorId: op.body.id, weekday: 2, start: '09:00', end: '12:00' }] },
  });
  assert.equal(saved.status, 200);
  const site = await call<{ id: string; offices: string[] }>(R.createSite, {
    body: { name: 'Biblioteca civica', offices: ['ufficio-tributi', 'urp'] },
  });
  assert.equal(site.status, 201);
  assert.deepEqual(site.body.offices, ['ufficio-tributi', 'urp']);

  const entries = await auditActions();
  for (const action of [
    'office-create',
    'service-create',
    'account-create',
    'account-password-reset',
    'schedule-save',
    'site-create',
  ]) {
    const entry = entries.find((e) => e.action === action);
    assert.ok(entry, `${action} is audited`);
    assert.equal(entry.actor, 'admin');
    assert.equal(entry.result, 'ok');
  }
  assert.ok(
    entries.every(
      (e) =>
        !`${e.detail ?? ''}`.includes('laura-first-password') &&
        !`${e.detail ?? ''}`.includes('laura-second'),
    ),
    'no password in the audit log',
  );
});

test('a supervisor reads the administration but cannot change it; an operator cannot read it', async () => {
  const created = await call(R.createOperator, {
    body: {
      username: 'sara',
      displayName: 'Sara Neri',
      password: 'sara-supervisor-password',
      role: 'supervisor',
      offices: [],
      languages: ['it'],
    },
  });
  assert.equal(created.status, 201);
  const supervisor = await signInAccount(t.url, 'sara', 'sara-supervisor-password');
  for (const route of [R.listOffices, R.listServices, R.listOperators, R.listSites, R.listExceptions]) {
    assert.equal((await call(route, {}, supervisor)).status, 200, `${route.path} readable`);
  }
  assert.equal((await call(R.readSchedule, { params: { id: 'urp-info' } }, supervisor)).status, 200);
  const change = await call(R.createOffice, { body: { name: 'Polizia locale', walkIn: true } }, supervisor);
  assert.equal(change.status, 403);
  const operator = await signInAccount(t.url, 'giulia', TEST_PASSWORDS.giulia);
  assert.equal((await call(R.listOperators, {}, operator)).status, 403);
  assert.equal((await callRoute(t.url, R.listOperators)).status, 401);
  const denied = (await auditActions()).filter((e) => e.action === 'admin-access-denied');
  assert.ok(
    denied.some((e) => e.actor === 'sara' && e.target === `${R.createOffice.method} ${R.createOffice.path}`),
  );
  assert.ok(denied.some((e) => e.actor === 'giulia'));
});

test('the OpenAPI document carries the administration routes from the route table', async () => {
  const res = await fetch(t.url + OPENAPI_PATH);
  const doc = (await res.json()) as {
    paths: Record<string, Record<string, { summary?: string; security?: unknown[]; requestBody?: unknown }>>;
  };
  for (const route of Object.values(R)) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const op = doc.paths[path]?.[route.method.toLowerCase()];
    assert.ok(op, `${route.method} ${path} is documented`);
    assert.equal(op.summary, route.summary);
    assert.ok(op.security, `${path} says it needs a session`);
    if ('body' in route) assert.ok(op.requestBody, `${path} documents its body`);
  }
});
