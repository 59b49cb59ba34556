import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { FLEET_ROUTES, formatBookingCode, OPERATOR_ROUTES, routeQuery } from '@sportello/protocol';
import { linksOf, startMessageRig, type MessageRig } from './test-rig.ts';
import { openDatabase } from '../db/open.ts';
import { MessageDelivery } from './delivery.ts';
import { LinkSigner } from './links.ts';
import { loadConfig } from '../config.ts';
import type { MailTransport } from './transports.ts';
import { join } from 'node:path';
import { pino } from 'pino';

const MINUTE = 60_000;

function parseIcs(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const vevent = cal.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(vevent);
  return {
    method: cal.getFirstPropertyValue('method'),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate,
    end: event.endDate,
    status: vevent.getFirstPropertyValue('status'),
  };
}

const romeTime = (iso: string) =>
  new Intl.DateTimeFormat('it', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );

describe('messages to citizens', () => {
  let rig: MessageRig;
  before(async () => {
    rig = await startMessageRig();
  });
  after(() => rig.close());

  const mailsTo = (to: string) => rig.smtp.mails.filter((m) => m.to.includes(to));
  const jobsOf = (bookingId: string) =>
    rig.t.server.database.db
      .selectFrom('message_jobs')
      .selectAll()
      .where('booking_id', '=', bookingId)
      .orderBy('id')
      .execute();

  test('a confirmation carries the code in groups, when and where, what to bring, the links and an invitation at the right time', async () => {
    const before = rig.smtp.mails.length;
    const created = await rig.book({ email: 'anna@example.org', language: 'it' });
    assert.equal(created.status, 201);
    await rig.t.server.messages.runDue();
    const [mail] = await rig.smtp.waitFor(before + 1).then((m) => m.slice(before));
    assert.ok(mail);
    assert.deepEqual(mail.to, ['anna@example.org']);
    assert.match(mail.subject, /^Prenotazione confermata: Informazioni e segnalazioni/);
    assert.ok(mail.text.includes(formatBookingCode(created.body.code)), 'code grouped 123 456 789');
    assert.match(mail.text, /Piazza del Municipio/, 'the site whose totems serve the office');
    assert.match(mail.text, /Cosa portare: Un documento di identità/);
    assert.ok(mail.text.includes(romeTime(created.body.slotStart)), 'local time in the text');
    const links = linksOf(mail.text);
    assert.ok(links.cancel && links.reschedule, 'cancel and reschedule links in the fragment');
    assert.ok(!/\/api\//.test(mail.text), 'no API path in a message');
    assert.ok(mail.ics, 'a text/calendar part');
    const ics = parseIcs(mail.ics);
    assert.equal(ics.method, 'REQUEST');
    assert.equal(ics.uid, `${created.body.bookingId}@sportello`);
    assert.equal(ics.sequence, 0);
    assert.equal(ics.start.toJSDate().toISOString(), created.body.slotStart);
    assert.equal(ics.end.toJSDate().toISOString(), created.body.slotEnd);
    assert.equal(
      ics.start.zone,
      ICAL.Timezone.utcTimezone,
      'DTSTART in UTC (calendars convert it to their zone)',
    );
    // 08:30 in Rome in June is 06:30Z: the text and the invitation name the same instant.
    assert.equal(ics.start.toJSDate().getTime() - Date.parse(created.body.slotStart), 0);
  });

  test('an English booking gets English messages', async () => {
    const created = await rig.book({ email: 'john@example.org', language: 'en' });
    await rig.t.server.messages.runDue();
    const [mail] = mailsTo('john@example.org');
    assert.ok(mail, 'delivered');
    assert.match(mail.subject, /^Booking confirmed/);
    assert.match(mail.text, /Code to type at the totem: \d{3} \d{3} \d{3}/);
    assert.ok(created.body.code);
  });

  test('SMS go through the HTTP gateway with the configured URL, auth header and body template', async () => {
    const before = rig.sms.length;
    const created = await rig.book({ phone: '+39 333 1234567' });
    await rig.t.server.messages.runDue();
    const sent = rig.sms.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.headers['x-api-key'], 'gateway-test-key');
    const body = JSON.parse(sent[0]!.body) as { number: string; message: string; sender: string };
    assert.equal(body.number, '+39 333 1234567');
    assert.equal(body.sender, 'Sportello');
    assert.ok(body.message.includes(formatBookingCode(created.body.code)));
    assert.match(body.message, /#cancel=/);
  });

  test('M-1 SMTP down: the booking is confirmed, retried with backoff, shown to administrators, delivered once when back', async () => {
    await rig.smtp.stop();
    const created = await rig.book({ email: 'm1@example.org' });
    assert.equal(created.status, 201, 'the booking does not wait for the mail');
    await rig.t.server.messages.runDue();
    const [first] = (await jobsOf(created.body.bookingId)).filter((j) => j.kind === 'confirmation');
    assert.ok(first);
    assert.equal(first.status, 'pending');
    assert.equal(first.attempts, 1);
    assert.equal(Date.parse(first.due_at) - rig.clock.ms, 30_000, 'first retry after 30 s');
    const admin = await rig.adminToken();
    const failing = await rig.api(
      FLEET_ROUTES.listMessages.path + routeQuery({ filter: 'failing' }),
      undefined,
      {
        authorization: `Bearer ${admin}`,
      },
    );
    assert.equal(failing.status, 200);
    const listed = failing.body.find((j: { id: number }) => j.id === first.id);
    assert.ok(listed, 'administrators see the failing message');
    assert.match(listed.lastError, /ECONNREFUSED/);
    assert.ok(!JSON.stringify(failing.body).includes('m1@example.org'), 'no recipient in the list');
    const operator = await rig.api(OPERATOR_ROUTES.signIn.path, {
      username: 'giulia',
      password: 'giulia-test-password',
    });
    const refused = await rig.api(FLEET_ROUTES.listMessages.path, undefined, {
      authorization: `Bearer ${operator.body.token}`,
    });
    assert.equal(refused.status, 403);

    // Not yet due: nothing is attempted.
    rig.clock.ms += 29_000;
    await rig.t.server.messages.runDue();
    assert.equal((await jobsOf(created.body.bookingId))[0]!.attempts, 1);
    rig.clock.ms += 1_000;
    await rig.t.server.messages.runDue();
    const second = (await jobsOf(created.body.bookingId))[0]!;
    assert.equal(second.attempts, 2);
    assert.equal(Date.parse(second.due_at) - rig.clock.ms, 60_000, 'then after 60 s');

    await rig.smtp.start();
    rig.clock.ms += 60_000;
    await rig.t.server.messages.runDue();
    assert.equal((await jobsOf(created.body.bookingId))[0]!.status, 'sent');
    rig.clock.ms += 3_600_000;
    await rig.t.server.messages.runDue();
    assert.equal(mailsTo('m1@example.org').length, 1, 'delivered exactly once');
  });

  test('M-1 SMS gateway refusing: the booking is confirmed, the SMS is retried and sent once', async () => {
    rig.smsStatus.code = 503;
    const before = rig.sms.length;
    const created = await rig.book({ phone: '+39 340 5550001' });
    assert.equal(created.status, 201);
    await rig.t.server.messages.runDue();
    const [job] = await jobsOf(created.body.bookingId);
    assert.deepEqual(
      [job!.status, job!.attempts, job!.last_error],
      ['pending', 1, 'SMS gateway answered HTTP 503'],
    );
    rig.smsStatus.code = 202;
    rig.clock.ms += 30_000;
    await rig.t.server.messages.runDue();
    await rig.t.server.messages.runDue();
    assert.equal(rig.sms.length - before, 1);
    assert.equal((await jobsOf(created.body.bookingId))[0]!.status, 'sent');
  });

  test('M-1 two delivery loops on one database (two connections) send a job once', async () => {
    const created = await rig.book({ email: 'twice@example.org' });
    // Stop the server's own loop from taking it first: it is claimed by the two below.
    const db = rig.t.server.database.db;
    await db
      .updateTable('message_jobs')
      .set({ due_at: new Date(rig.clock.ms + 10 * MINUTE).toISOString() })
      .where('booking_id', '=', created.body.bookingId)
      .where('kind', '=', 'confirmation')
      .execute();
    const sent: string[] = [];
    const mail: MailTransport = {
      async send(m) {
        sent.push(m.to);
        // Slow gateway: the other loop runs while this one is mid-send.
        await new Promise((r) => setImmediate(r));
      },
      close() {},
    };
    const config = loadConfig({ env: {}, overrides: { dataDir: rig.t.dataDir } });
    const loops = [0, 1].map(() => {
      const opened = openDatabase(join(rig.t.dataDir, 'sportello.db'));
      return {
        opened,
        loop: new MessageDelivery({
          db: opened.db,
          log: pino({ level: 'silent' }),
          now: () => new Date(rig.clock.ms + 10 * MINUTE),
          config: config.messages,
          timeZone: 'Europe/Rome',
          mail,
          sms: undefined,
          links: new LinkSigner(Buffer.alloc(32, 7)),
          publicUrl: () => 'http://sportello.example',
          verificationCode: () => '000000',
          verifyMinutes: 10,
        }),
      };
    });
    await Promise.all(loops.map((l) => l.loop.runDue()));
    for (const l of loops) {
      await l.loop.close();
      await l.opened.close();
    }
    assert.equal(sent.filter((s) => s === 'twice@example.org').length, 1);
  });
});
