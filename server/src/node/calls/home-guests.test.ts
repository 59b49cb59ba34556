// The video appointment from home on a real server (SQLite, socket.io) with a clock the test moves
// and a real SMTP exchange: the home booking's message carries its join link, the link's page
// states (early, open, late, cancelled, tampered — M-2), and the join page's check-in through the
// same queue as a totem's, ringing on the operator's console as "from home".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import {
  EVENTS,
  FLEET_ROUTES,
  NAMESPACES,
  PUBLIC_ROUTES as R,
  type KioskSession,
  type QueueStatus,
} from '@sportello/protocol';
import { linksOf, startMessageRig, type MessageRig } from '../messages/test-rig.ts';
import { TestOperator } from '../testing/operator-client.ts';
import { TEST_PASSWORDS } from '../testing/test-server.ts';

const MINUTE = 60_000;
const QUESTION = 'Da quale comune arrivi?';

let rig: MessageRig;
const sockets: Socket[] = [];
const operators: TestOperator[] = [];
before(async () => {
  rig = await startMessageRig();
});
after(async () => {
  for (const s of sockets) s.close();
  for (const o of operators) o.close();
  await rig?.close();
});

/** The first `event` of a socket, with its arguments. */
const next = <T>(s: Socket, event: string) => new Promise<T>((resolve) => s.once(event, resolve));

function joinSocket(token: string): Socket {
  const s = io(rig.t.url + NAMESPACES.kiosk, { auth: { join: token }, transports: ['websocket'] });
  sockets.push(s);
  return s;
}

async function homeBooking(email: string, phone?: string) {
  const r = await rig.book({
    serviceId: 'anagrafe-residenza',
    mode: 'home',
    email,
    ...(phone ? { phone } : {}),
    answers: [{ question: QUESTION, answer: 'Bologna' }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  // Other bookings' messages may arrive meanwhile: wait for this one's.
  while (!rig.smtp.mails.some((m) => m.to.includes(email))) await rig.smtp.waitFor(rig.smtp.mails.length + 1);
  const message = rig.smtp.mails.find((m) => m.to.includes(email))!;
  return { created: r.body as { bookingId: string; slotStart: string; manageToken: string }, message };
}

describe('video appointment from home', () => {
  test('a home booking: its e-mail has the join link, the answers and "from home"; a totem-only service refuses home', async () => {
    const refused = await rig.book({ mode: 'home', email: 'no@example.org' });
    assert.deepEqual([refused.status, refused.body.code], [409, 'mode-not-offered']);
    const missing = await rig.book({
      serviceId: 'anagrafe-residenza',
      answers: [{ question: 'Una domanda che il servizio non fa', answer: 'x' }],
    });
    assert.deepEqual([missing.status, missing.body.code], [400, 'answers-not-asked']);

    const smsBefore = rig.sms.length;
    const { created, message } = await homeBooking('home.one@example.org', '+39 333 1234567');
    const { join, cancel } = linksOf(message.text);
    assert.ok(join, 'a join link');
    assert.ok(cancel, 'and a cancel link');
    assert.match(message.text, /\/booking\/#join=/);
    assert.match(message.text, /Da casa|video/i);
    assert.ok(message.text.includes(`${QUESTION} Bologna`), 'the answer to the booking question');
    await rig.t.server.messages.runDue();
    const sms = rig.sms.slice(smsBefore).map((s) => s.body);
    assert.ok(
      sms.some((b) => b.includes(`#join=${join}`)),
      `the SMS carries the join link: ${sms.join(' | ')}`,
    );
    const stored = await rig.t.server.database.db
      .selectFrom('bookings')
      .select(['mode', 'answers'])
      .where('id', '=', created.bookingId)
      .executeTakeFirstOrThrow();
    assert.equal(stored.mode, 'home');
    assert.deepEqual(JSON.parse(stored.answers!), [{ question: QUESTION, answer: 'Bologna' }]);

    // Early: the page says when to come back; the link also refuses a totem's check-in path.
    const early = await rig.api(R.readJoin.path, { token: join });
    assert.equal(early.status, 200);
    assert.equal(early.body.state, 'early');
    assert.equal(Date.parse(early.body.opensAt), Date.parse(created.slotStart) - 15 * MINUTE);
    // A cancel link is no join link (single purpose).
    const wrong = await rig.api(R.readJoin.path, { token: cancel });
    assert.deepEqual([wrong.status, wrong.body.code], [404, 'link-invalid']);
    const tampered = await rig.api(R.readJoin.path, {
      token: join.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    });
    assert.deepEqual([tampered.status, tampered.body.code], [404, 'link-invalid']);

    // At the time: the join page checks in through the queue and rings the operator "from home".
    rig.clock.ms = Date.parse(created.slotStart) - 5 * MINUTE;
    const open = await rig.api(R.readJoin.path, { token: join });
    assert.equal(open.body.state, 'open');
    for (const username of ['giulia', 'marco'] as const) {
      const op = await TestOperator.signIn(rig.t.url, username, TEST_PASSWORDS[username]);
      operators.push(op);
      await op.setPresence('available');
    }
    const home = joinSocket(join);
    const session = await next<KioskSession>(home, EVENTS.session);
    assert.equal(session.call, null, 'no call yet');
    const statuses: QueueStatus[] = [];
    home.on(EVENTS.queueStatus, (s: QueueStatus) => statuses.push(s));
    const ack = (await home.emitWithAck(EVENTS.callRequest, {
      kind: 'booked',
      checkInKey: randomUUID(),
    })) as {
      ok: boolean;
      callId: string;
    };
    assert.ok(ack.ok, JSON.stringify(ack));
    const ring = await Promise.race(operators.map((o) => o.ringFor(ack.callId)));
    assert.equal(ring.fromHome, true, 'the console shows "from home"');
    const queue = await operators[0]!.queueWhere((q) =>
      q.items.some((i) => i.kind !== 'callback' && i.callId === ack.callId),
    );
    const listed = queue.items.find((i) => i.kind !== 'callback' && i.callId === ack.callId);
    assert.equal(listed && 'fromHome' in listed && listed.fromHome, true, 'the live queue too');
    assert.equal(ring.kind, 'booked');
    const item = await rig.t.server.database.db
      .selectFrom('calls')
      .select(['kind', 'booking_id'])
      .where('id', '=', ack.callId)
      .executeTakeFirstOrThrow();
    assert.deepEqual([item.kind, item.booking_id], ['booked', created.bookingId]);
    // A second window of the same link is refused; the fleet lists no "home" totem.
    const second = joinSocket(join);
    const err = await next<Error>(second, 'connect_error');
    assert.match(err.message, /another window/);
    const token = await rig.adminToken();
    const fleet = await rig.api(FLEET_ROUTES.listTotems.path, undefined, {
      authorization: `Bearer ${token}`,
    });
    assert.equal(fleet.status, 200);
    assert.ok(!JSON.stringify(fleet.body).includes('~home'), 'no home guest in the fleet view');
    home.close();
  });

  test('M-2 late, cancelled and replaced join links each say so; the socket refuses them', async () => {
    const moved = await homeBooking('home.moved@example.org');
    const movedLinks = linksOf(moved.message.text);
    const day = moved.created.slotStart.slice(0, 10);
    const free = await rig.api(`${R.slots.path.replace(':serviceId', 'anagrafe-residenza')}?date=${day}`);
    const other = (free.body as { start: string }[]).find((s) => s.start !== moved.created.slotStart)!;
    const r = await rig.api(R.rescheduleByLink.path, {
      token: movedLinks.reschedule,
      slotStart: other.start,
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const replaced = await rig.api(R.readJoin.path, { token: movedLinks.join });
    assert.deepEqual([replaced.status, replaced.body.code], [409, 'link-used']);

    const late = await homeBooking('home.late@example.org');
    const lateJoin = linksOf(late.message.text).join!;
    const cancelled = await homeBooking('home.cancelled@example.org');
    const cancelledJoin = linksOf(cancelled.message.text).join!;
    const c = await rig.api(R.cancelBooking.path, { token: cancelled.created.manageToken });
    assert.equal(c.status, 200);
    const gone = await rig.api(R.readJoin.path, { token: cancelledJoin });
    assert.deepEqual([gone.status, gone.body.code], [409, 'booking-cancelled']);
    const refused = joinSocket(cancelledJoin);
    const err = await next<Error>(refused, 'connect_error');
    assert.match(err.message, /join link refused/);

    rig.clock.ms = Date.parse(late.created.slotStart) + 11 * MINUTE;
    const tooLate = await rig.api(R.readJoin.path, { token: lateJoin });
    assert.deepEqual([tooLate.status, tooLate.body.code], [410, 'link-expired']);
  });
});
