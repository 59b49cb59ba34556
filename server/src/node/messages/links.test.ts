import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { PUBLIC_ROUTES as P } from '@sportello/protocol';
import { daysWithSlots, linksOf, startMessageRig, type MessageRig } from './test-rig.ts';
import { LinkSigner } from './links.ts';
import { addDays, localDate } from '../agenda/time-zone.ts';

const HOUR = 3_600_000;

function icsOf(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const event = new ICAL.Event(cal.getFirstSubcomponent('vevent')!);
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate(),
  };
}

test('a link token is refused when tampered, for another purpose, or expired', () => {
  const signer = new LinkSigner(Buffer.alloc(32, 1));
  const now = new Date('2030-01-01T00:00:00Z');
  const token = signer.sign({
    purpose: 'cancel',
    bookingId: 'b1',
    generation: 1,
    expiresAt: now.getTime() + HOUR,
  });
  assert.deepEqual(signer.verify(token, 'cancel', now), {
    ok: true,
    claims: { purpose: 'cancel', bookingId: 'b1', generation: 1, expiresAt: now.getTime() + HOUR },
  });
  assert.deepEqual(signer.verify(token, 'reschedule', now), { ok: false, reason: 'link-invalid' });
  const cut = token.lastIndexOf('.');
  const payload = token.slice(0, cut);
  const mac = token.slice(cut + 1);
  const refused = { ok: false, reason: 'link-invalid' };
  // Another booking, another purpose, a later expiry, under the same signature: all refused.
  assert.deepEqual(signer.verify(`${payload.replace('b1', 'b2')}.${mac}`, 'cancel', now), refused);
  assert.deepEqual(signer.verify(`${payload.replace(/^c/, 'r')}.${mac}`, 'reschedule', now), refused);
  const [p, g, e, b] = payload.split('.');
  const later = [p, g, (parseInt(e!, 36) + 86_400).toString(36), b].join('.');
  assert.deepEqual(signer.verify(`${later}.${mac}`, 'cancel', now), refused);
  assert.deepEqual(signer.verify(`${payload}.${mac.slice(0, -2)}xx`, 'cancel', now), refused);
  assert.deepEqual(signer.verify('garbage', 'cancel', now), refused);
  const real = signer.sign({
    purpose: 'reschedule',
    bookingId: 'fcd4ffc5-2894-4996-a43b-8b21d2413f12',
    generation: 3,
    expiresAt: now.getTime() + 30 * 24 * HOUR,
  });
  assert.ok(real.length <= 72, `short enough for an SMS: ${real.length} characters`);
  assert.deepEqual(signer.verify(token, 'cancel', new Date(now.getTime() + HOUR)), {
    ok: false,
    reason: 'link-expired',
  });
  assert.deepEqual(new LinkSigner(Buffer.alloc(32, 2)).verify(token, 'cancel', now), {
    ok: false,
    reason: 'link-invalid',
  });
});

describe('links, reminders and the changes they make', () => {
  let rig: MessageRig;
  before(async () => {
    rig = await startMessageRig();
  });
  after(() => rig.close());

  const run = () => rig.t.server.messages.runDue();
  const mailsTo = (to: string) => rig.smtp.mails.filter((m) => m.to.includes(to));
  const row = (id: string) =>
    rig.t.server.database.db
      .selectFrom('bookings')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const changesOf = (id: string) =>
    rig.t.server.database.db
      .selectFrom('agenda_changes')
      .selectAll()
      .where('booking_id', '=', id)
      .orderBy('seq')
      .execute();

  test('reminders go the day before and one hour before on the server clock; a reschedule replaces them', async () => {
    const created = await rig.book({ email: 'remind@example.org' }, 2);
    await run();
    assert.equal(mailsTo('remind@example.org').length, 1, 'the confirmation');
    const start = Date.parse(created.body.slotStart);
    rig.clock.ms = start - 24 * HOUR - 1000;
    await run();
    assert.equal(mailsTo('remind@example.org').length, 1, 'not yet');
    rig.clock.ms = start - 24 * HOUR;
    await run();
    const [, dayBefore] = mailsTo('remind@example.org');
    assert.match(dayBefore!.subject, /^Promemoria/);
    assert.equal(dayBefore!.ics, undefined, 'a reminder does not touch the calendar');

    // Move it to the next day: the 1-hour reminder of the old time must not go.
    const { reschedule } = linksOf(dayBefore!.text);
    const nextDay = addDays(localDate(new Date(start), 'Europe/Rome'), 1);
    const target = (await daysWithSlots(rig, nextDay, 1))[0]!.start;
    const moved = await rig.api(P.rescheduleByLink.path, { token: reschedule, slotStart: target });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.booking.slotStart, target);
    await run();
    const movedMail = mailsTo('remind@example.org')[2]!;
    assert.match(movedMail.subject, /^Prenotazione spostata/);
    const ics = icsOf(movedMail.ics!);
    assert.deepEqual(
      [ics.method, ics.uid, ics.sequence],
      ['REQUEST', `${created.body.bookingId}@sportello`, 1],
    );
    assert.equal(ics.start.toISOString(), target, 'the invitation is replaced at the new time');
    const changes = await changesOf(created.body.bookingId);
    assert.equal(changes.at(-1)!.kind, 'upsert', 'the move reaches the totems through the feed');
    assert.equal(changes.at(-1)!.version, (await row(created.body.bookingId)).version);

    rig.clock.ms = start - HOUR;
    await run();
    assert.equal(mailsTo('remind@example.org').length, 3, 'no reminder for the old time');
    rig.clock.ms = Date.parse(target) - HOUR;
    await run();
    assert.match(mailsTo('remind@example.org')[3]!.subject, /^Promemoria/);
  });

  test('M-2 links tampered, expired, reused or for a cancelled booking: a clear refusal, nothing changed', async () => {
    const created = await rig.book({ email: 'm2@example.org' }, 2);
    await run();
    const { cancel, reschedule } = linksOf(mailsTo('m2@example.org')[0]!.text);
    assert.ok(cancel && reschedule);
    const before = await row(created.body.bookingId);
    const unchanged = async () => assert.deepEqual(await row(created.body.bookingId), before);

    const view = await rig.api(P.readLink.path, { token: cancel });
    assert.equal(view.status, 200);
    assert.equal(view.body.purpose, 'cancel');
    assert.equal(view.body.booking.status, 'booked');

    const tampered = cancel.slice(0, -3) + (cancel.endsWith('aaa') ? 'bbb' : 'aaa');
    const r1 = await rig.api(P.cancelByLink.path, { token: tampered });
    assert.deepEqual([r1.status, r1.body.code], [404, 'link-invalid']);
    const r2 = await rig.api(P.cancelByLink.path, { token: reschedule });
    assert.deepEqual([r2.status, r2.body.code], [404, 'link-invalid'], 'a reschedule link cannot cancel');
    await unchanged();

    // Reused: once the booking moved, the links of the first message stop working.
    const date = addDays(localDate(new Date(created.body.slotStart), 'Europe/Rome'), 1);
    const slots = { body: await daysWithSlots(rig, date, 4) };
    const moved = await rig.api(P.rescheduleByLink.path, {
      token: reschedule,
      slotStart: slots.body[1]!.start,
    });
    assert.equal(moved.status, 200);
    const afterMove = await row(created.body.bookingId);
    for (const [path, body] of [
      [P.rescheduleByLink.path, { token: reschedule, slotStart: slots.body[2]!.start }],
      [P.cancelByLink.path, { token: cancel }],
    ] as const) {
      const r = await rig.api(path, body);
      assert.deepEqual([r.status, r.body.code], [409, 'link-used']);
    }
    assert.deepEqual(await row(created.body.bookingId), afterMove);

    // The new message's cancel link works once; then it is for a cancelled booking.
    await run();
    const latest = linksOf(mailsTo('m2@example.org').at(-1)!.text);
    const cancelled = await rig.api(P.cancelByLink.path, { token: latest.cancel });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.booking.status, 'cancelled');
    const changes = await changesOf(created.body.bookingId);
    assert.equal(changes.at(-1)!.kind, 'delete', 'the totems get a tombstone');
    const again = await rig.api(P.cancelByLink.path, { token: latest.cancel });
    assert.deepEqual([again.status, again.body.code], [409, 'booking-cancelled']);
    const late = await rig.api(P.rescheduleByLink.path, {
      token: latest.reschedule,
      slotStart: slots.body[3]!.start,
    });
    assert.deepEqual([late.status, late.body.code], [409, 'booking-cancelled']);
    await run();
    const cancelMail = mailsTo('m2@example.org').at(-1)!;
    assert.match(cancelMail.subject, /^Prenotazione annullata/);
    const ics = icsOf(cancelMail.ics!);
    assert.deepEqual(
      [ics.method, ics.uid, ics.sequence],
      ['CANCEL', `${created.body.bookingId}@sportello`, 2],
    );

    // Expired: past the appointment the link says so.
    const other = await rig.book({ email: 'm2-late@example.org' }, 2);
    await run();
    const oldLink = linksOf(mailsTo('m2-late@example.org')[0]!.text).cancel;
    const saved = rig.clock.ms;
    rig.clock.ms = Date.parse(other.body.slotStart);
    const expired = await rig.api(P.cancelByLink.path, { token: oldLink });
    assert.deepEqual([expired.status, expired.body.code], [410, 'link-expired']);
    rig.clock.ms = saved;
    assert.equal((await row(other.body.bookingId)).status, 'booked');
  });

  test('M-3 50 parallel bookings of the last free slot: exactly one booked, the others offered the next free slots', async () => {
    const date = addDays(localDate(new Date(rig.clock.ms), 'Europe/Rome'), 5);
    const slots = await daysWithSlots(rig, date, 1);
    // Take every other time of the day so that one slot (with one operator) is left.
    const last = slots.at(-1)!.start;
    const db = rig.t.server.database.db;
    const taken = await db
      .selectFrom('schedules')
      .select('operator_id')
      .where('service_id', '=', 'urp-info')
      .groupBy('operator_id')
      .execute();
    assert.ok(taken.length >= 1);
    for (let i = 0; i < taken.length; i++) {
      if (i === 0) continue;
      const r = await rig.api(P.book.path, {
        serviceId: 'urp-info',
        slotStart: last,
        reason: 'x',
        name: `Filler ${i}`,
      });
      assert.equal(r.status, 201);
    }
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        rig.api(P.book.path, { serviceId: 'urp-info', slotStart: last, reason: 'x', name: `Racer ${i}` }),
      ),
    );
    const won = results.filter((r) => r.status === 201);
    const lost = results.filter((r) => r.status === 409);
    assert.equal(won.length, 1);
    assert.equal(lost.length, 49);
    for (const r of lost) {
      assert.equal(r.body.code, 'slot-not-free');
      assert.ok(r.body.nextSlots.length > 0, 'offered other times');
      assert.ok(r.body.nextSlots.every((s: { start: string }) => s.start !== last));
    }
    const live = await db
      .selectFrom('bookings')
      .select('id')
      .where('slot_start', '=', last)
      .where('status', '=', 'booked')
      .execute();
    assert.equal(live.length, taken.length, 'one booking per operator at that time, no more');
  });
});
