import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { PUBLIC_ROUTES as P, routePath, routeQuery, SYNC_ROUTES } from '@sportello/protocol';
import { daysWithSlots, linksOf, startMessageRig, type MessageRig } from './test-rig.ts';
import { totemCredential } from '../testing/test-server.ts';
import { codeHash } from '../agenda/kiosk-agenda.ts';
import { addDays, localDate } from '../agenda/time-zone.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;

describe('abuse limits', () => {
  let rig: MessageRig;
  before(async () => {
    rig = await startMessageRig();
  });
  after(() => rig.close());
  const run = () => rig.t.server.messages.runDue();
  const mailsTo = (to: string) => rig.smtp.mails.filter((m) => m.to.includes(to));

  test('one booking is instant; the second of a contact waits for a code; a third is refused', async () => {
    const first = await rig.book({ email: 'often@example.org' });
    assert.equal(first.status, 201);
    assert.equal(first.body.verification, undefined, 'the common case has no friction');
    const second = await rig.book({ email: 'often@example.org' }, 3);
    assert.equal(second.status, 201);
    assert.equal(second.body.verification.channel, 'email');
    assert.equal(Date.parse(second.body.verification.expiresAt) - rig.clock.ms, 10 * MINUTE);
    await run();
    const mails = mailsTo('often@example.org');
    assert.deepEqual(
      mails.map((m) => m.subject.split(':')[0]),
      ['Prenotazione confermata', 'Il codice per confermare la prenotazione'],
    );
    const code = /\b(\d{6})\b/.exec(mails[1]!.text)![1]!;
    const wrong = await rig.api(P.verifyBooking.path, {
      token: second.body.manageToken,
      code: code === '000000' ? '000001' : '000000',
    });
    assert.deepEqual([wrong.status, wrong.body.code], [400, 'verification-wrong']);
    const right = await rig.api(P.verifyBooking.path, { token: second.body.manageToken, code });
    assert.equal(right.status, 200);
    await run();
    assert.match(mailsTo('often@example.org')[2]!.subject, /^Prenotazione confermata/);
    const third = await rig.book({ email: 'often@example.org' }, 4);
    assert.deepEqual([third.status, third.body.code], [429, 'too-many-bookings']);
  });

  test('a held booking whose code is not typed in time frees its slot, and the totems are told', async () => {
    await rig.book({ phone: '+39 347 7654321' });
    const held = await rig.book({ phone: '+39 347 7654321' }, 3);
    assert.equal(held.body.verification.channel, 'sms');
    await run();
    const date = localDate(new Date(held.body.slotStart), 'Europe/Rome');
    const freeBefore = (await rig.api(routePath(P.slots, { serviceId: 'urp-info' }) + routeQuery({ date })))
      .body as {
      start: string;
    }[];
    rig.clock.ms += 10 * MINUTE;
    await run();
    const row = await rig.t.server.database.db
      .selectFrom('bookings')
      .select(['status'])
      .where('id', '=', held.body.bookingId)
      .executeTakeFirstOrThrow();
    assert.equal(row.status, 'cancelled');
    const change = await rig.t.server.database.db
      .selectFrom('agenda_changes')
      .selectAll()
      .where('booking_id', '=', held.body.bookingId)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    assert.equal(change.kind, 'delete');
    const freeAfter = (await rig.api(routePath(P.slots, { serviceId: 'urp-info' }) + routeQuery({ date })))
      .body as {
      start: string;
    }[];
    assert.ok(freeAfter.length > freeBefore.length, 'the slot is free again');
    const late = await rig.api(P.verifyBooking.path, {
      token: held.body.manageToken,
      code: '123456',
    });
    assert.deepEqual([late.status, late.body.code], [410, 'verification-expired']);
    assert.equal(rig.sms.filter((s) => s.body.includes('Prenotazione')).length >= 1, true);
  });
});

test('an address past its threshold must give a contact and confirm it', async () => {
  const rig = await startMessageRig({ abuse: { verifyFromAddressBookings: 2, maxPerAddressPerDay: 4 } });
  try {
    assert.equal((await rig.book({})).status, 201);
    assert.equal((await rig.book({}, 3)).status, 201);
    const anonymous = await rig.book({}, 4);
    assert.deepEqual([anonymous.status, anonymous.body.code], [429, 'contact-needed']);
    const withMail = await rig.book({ email: 'third@example.org' }, 4);
    assert.equal(withMail.body.verification.channel, 'email');
    assert.equal((await rig.book({ email: 'fourth@example.org' }, 5)).status, 201);
    const over = await rig.book({ email: 'fifth@example.org' }, 5);
    assert.deepEqual([over.status, over.body.code], [429, 'too-many-bookings']);
  } finally {
    await rig.close();
  }
});

describe('M-4 retention and logs', () => {
  let rig: MessageRig;
  before(async () => {
    rig = await startMessageRig({ retention: { personalDataDays: 30 } });
  });
  after(() => rig.close());

  test('M-4 personal data is purged 30 days after the appointment; anonymous statistics stay', async () => {
    const db = rig.t.server.database.db;
    const created = await rig.book({
      serviceId: 'anagrafe-residenza',
      mode: 'home',
      answers: [{ question: 'Da quale comune arrivi?', answer: 'Segreto anche questo' }],
      email: 'purge@example.org',
      phone: '+39 320 1112223',
      reason: 'Segreto',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await rig.t.server.messages.runDue();
    const slotEnd = Date.parse(created.body.slotEnd);
    rig.clock.ms = slotEnd + 30 * DAY - MINUTE;
    await rig.t.server.retention.pruneIfDue();
    assert.equal(
      (
        await db
          .selectFrom('bookings')
          .select('name')
          .where('id', '=', created.body.bookingId)
          .executeTakeFirstOrThrow()
      ).name,
      'Anna Verdi',
    );
    rig.clock.ms = slotEnd + 30 * DAY + 11 * MINUTE;
    await rig.t.server.retention.pruneIfDue();
    const row = await db
      .selectFrom('bookings')
      .selectAll()
      .where('id', '=', created.body.bookingId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(
      [row.name, row.email, row.phone, row.reason, row.address_hash, row.answers],
      ['', null, null, '', null, null],
    );
    assert.ok(row.purged_at);
    assert.deepEqual(
      [row.service_id, row.office_id, row.slot_start, row.status],
      ['anagrafe-residenza', 'anagrafe', created.body.slotStart, 'booked'],
    );
    const jobs = await db
      .selectFrom('message_jobs')
      .select('recipient')
      .where('booking_id', '=', created.body.bookingId)
      .execute();
    assert.ok(jobs.length > 0 && jobs.every((j) => j.recipient === null));
  });

  test('M-4 no personal data or token in any log line of a whole flow: book, messages, reschedule, cancel, check-in', async () => {
    rig.logs.length = 0;
    const person = {
      name: 'Ortensia Quaglieri',
      email: 'ortensia.q@example.org',
      phone: '+39 351 9988776',
      reason: 'Passaporto smarrito a Lisbona',
    };
    const cancelled = await rig.book({ ...person, email: 'ortensia.c@example.org' });
    const kept = await rig.book(person, 3);
    await rig.t.server.messages.runDue();
    const mail = rig.smtp.mails.filter((m) => m.to.includes('ortensia.c@example.org'))[0]!;
    const links = linksOf(mail.text);
    const date = addDays(localDate(new Date(cancelled.body.slotStart), 'Europe/Rome'), 1);
    const target = (await daysWithSlots(rig, date, 1))[0]!.start;
    assert.equal((await rig.api(P.readLink.path, { token: links.reschedule })).status, 200);
    assert.equal(
      (await rig.api(P.rescheduleByLink.path, { token: links.reschedule, slotStart: target })).status,
      200,
    );
    await rig.t.server.messages.runDue();
    const again = linksOf(rig.smtp.mails.filter((m) => m.to.includes('ortensia.c@example.org')).at(-1)!.text);
    assert.equal((await rig.api(P.cancelByLink.path, { token: again.cancel })).status, 200);
    assert.equal((await rig.api(P.readBooking.path, { token: kept.body.manageToken })).status, 200);
    await rig.t.server.messages.runDue();
    // At the totem: check in at the time of the kept booking.
    rig.clock.ms = Date.parse(kept.body.slotStart);
    // The totem sends the full keyed hash of the code it was typed (least data: it caches a tag).
    const site = await rig.t.server.database.db
      .selectFrom('sites')
      .select('site_key')
      .where('id', '=', rig.t.seed.totem.siteId)
      .executeTakeFirstOrThrow();
    const checkIn = await rig.api(
      SYNC_ROUTES.checkIns,
      {
        idempotencyKey: randomUUID(),
        bookingId: kept.body.bookingId,
        codeHash: codeHash(site.site_key, kept.body.code),
        occurredAt: new Date(rig.clock.ms).toISOString(),
      },
      { authorization: `Totem ${totemCredential(rig.t.seed)}` },
    );
    assert.equal(checkIn.status, 200);
    // A refused delivery logs its reason too: the refusal must not quote the address.
    rig.smtp.refuseWith = { code: 550, message: `mailbox ${person.email} unavailable` };
    await rig.book({ ...person, email: 'ortensia.r@example.org' }, 4);
    await rig.t.server.messages.runDue();
    rig.smtp.refuseWith = undefined;

    assert.ok(rig.logs.length > 10, `captured ${rig.logs.length} log lines`);
    assert.ok(rig.logs.some((l) => l.includes('message delivered')));
    assert.ok(
      rig.logs.some((l) => l.includes(`"url":"${P.cancelByLink.path}"`)),
      'the request log records URLs: the tokens are not in them',
    );
    assert.ok(rig.logs.some((l) => l.includes('message not delivered')));
    const secrets = [
      person.name,
      'Ortensia',
      person.email,
      'ortensia.c@example.org',
      'ortensia.r@example.org',
      person.phone,
      person.phone.replace(/ /g, ''),
      person.reason,
      cancelled.body.code,
      kept.body.code,
      cancelled.body.manageToken,
      kept.body.manageToken,
      links.cancel!,
      links.reschedule!,
      again.cancel!,
      rig.t.seed.totem.secret,
    ];
    for (const line of rig.logs) {
      for (const s of secrets) assert.ok(!line.includes(s), `a log line holds "${s}": ${line}`);
      // The requests above came from this machine's loopback address: no line may name it.
      for (const address of ['127.0.0.1', '::1', 'remoteAddress', 'remotePort'])
        assert.ok(!line.includes(address), `a log line holds the client address: ${line}`);
    }
  });
});
