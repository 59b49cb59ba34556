// A service's "what to bring" on the administration's routes: validated (at most 1000 characters,
// the field named), stored trimmed, an empty text falling back to the default sentence, and shown
// to citizens with the service's booking questions and channels.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_MESSAGES,
  ADMIN_ROUTES as R,
  PUBLIC_ROUTES,
  type AdminService,
  type ApiError,
  type Service,
} from '@sportello/protocol';
import { startTestServer, type TestServer } from '../testing/test-server.ts';
import { signInAccount } from '../testing/test-totem.ts';
import { callRoute } from '../testing/route-call.ts';

let t: TestServer;
let admin: string;
before(async () => {
  t = await startTestServer({ rateLimitPerMinute: 100_000 }, () => new Date('2026-11-23T09:00:00Z'));
  admin = await signInAccount(t.url, t.seed.admin.username, t.seed.admin.password);
});
after(() => t.close());

const service = {
  officeId: 'anagrafe',
  name: 'Certificato anagrafico',
  slotMinutes: 15,
  questions: [],
  atTotem: true,
  fromHome: true,
};

test('what to bring: too long is refused by field, stored trimmed, empty means the default, shown on the booking page', async () => {
  const long = await callRoute<ApiError>(
    t.url,
    R.createService,
    { body: { ...service, whatToBring: 'x'.repeat(1001) } },
    admin,
  );
  assert.equal(long.status, 400);
  assert.deepEqual(long.body.fields, [{ field: 'whatToBring', message: ADMIN_MESSAGES.max1000 }]);
  assert.match(long.body.message, /^whatToBring: /);

  const created = await callRoute<AdminService>(
    t.url,
    R.createService,
    { body: { ...service, whatToBring: '  Un documento d’identità valido.  ' } },
    admin,
  );
  assert.equal(created.status, 201);
  assert.equal(created.body.whatToBring, 'Un documento d’identità valido.');
  const listed = await callRoute<Service[]>(t.url, PUBLIC_ROUTES.services, {
    params: { officeId: 'anagrafe' },
  });
  const shown = listed.body.find((s) => s.id === created.body.id);
  assert.deepEqual([shown?.whatToBring, shown?.fromHome], ['Un documento d’identità valido.', true]);

  const cleared = await callRoute<AdminService>(
    t.url,
    R.updateService,
    { params: { id: created.body.id }, body: { ...service, whatToBring: '   ' } },
    admin,
  );
  assert.equal(cleared.status, 200);
  assert.equal(cleared.body.whatToBring, null, 'empty: the messages say the default sentence');
});
