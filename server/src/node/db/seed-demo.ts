// The demo municipality: two offices, three services, two operators and an administrator, one
// site with one totem, and bookings around "now" so that a newcomer can try a code that works, one
// too early, one too late and one for tomorrow. Passwords and the totem secret are made fresh at
// every seed, never stored in the repository.
import { makeBookingCode } from '@sportello/protocol';
import { randomInt, randomUUID } from 'node:crypto';
import type { Db } from './open.ts';
import { hashPassword, newToken, sha256Hex } from '../auth/secrets.ts';
import { recordBookingChange, withTransaction } from '../agenda/change-log.ts';
import { addDays, localDate, localTime, zonedToUtc } from '../agenda/time-zone.ts';
import { createOperator } from '../admin/accounts.ts';
import { createOffice, createService } from '../admin/catalogue.ts';
import { saveSchedule } from '../admin/schedules.ts';
import { createSite } from '../admin/sites.ts';
import { codeHash, codeTag } from '../agenda/kiosk-agenda.ts';

export interface DemoSeed {
  operators: { username: string; displayName: string; password: string }[];
  /** The administrator account (fleet page, enrollment, revocation); password from options.passwords.admin. */
  admin: { username: string; password: string };
  totem: { id: string; name: string; siteId: string; secret: string };
  bookings: {
    code: string;
    label: 'now' | 'soon' | 'later-today' | 'earlier-today' | 'tomorrow';
    slotStart: string;
    operator: string;
    bookingId: string;
    /** The code's full keyed hash with the site key, as a totem sends it with a check-in (tests). */
    codeHash: string;
  }[];
}

const OPERATORS = [
  { id: 'op-giulia', username: 'giulia', displayName: 'Giulia Bianchi', languages: ['it', 'en'] },
  { id: 'op-marco', username: 'marco', displayName: 'Marco Rossi', languages: ['it'] },
];

export async function seedDemo(
  db: Db,
  now: Date,
  options: {
    passwords?: Record<string, string>;
    totemSecret?: string;
    /** Time zone of "tomorrow" for the demo bookings. Default Europe/Rome. */
    timeZone?: string;
  } = {},
): Promise<DemoSeed> {
  // Offices, services, accounts, schedules and the site go through the administration's own
  // functions, so the demo is what an administrator could have made on the page.
  await createOffice(db, { id: 'urp', name: 'Ufficio Relazioni con il Pubblico', walkIn: true });
  await createOffice(db, { id: 'anagrafe', name: 'Anagrafe', walkIn: false });
  const services = [
    { id: 'urp-info', officeId: 'urp', name: 'Informazioni e segnalazioni', slotMinutes: 15, questions: [] },
    {
      id: 'anagrafe-cie',
      officeId: 'anagrafe',
      name: "Carta d'identità elettronica",
      slotMinutes: 20,
      questions: [{ label: 'È il primo documento o un rinnovo?', required: false }],
      whatToBring: "La carta d'identità scaduta (o la denuncia di smarrimento) e la tessera sanitaria.",
    },
    {
      id: 'anagrafe-residenza',
      officeId: 'anagrafe',
      name: 'Cambio di residenza',
      slotMinutes: 20,
      questions: [{ label: 'Da quale comune arrivi?', required: false }],
      whatToBring: 'Un documento d’identità valido e il nuovo indirizzo completo (via, numero, interno).',
    },
  ];
  // A change of residence can be talked through from home (a video call from the browser).
  for (const s of services)
    await createService(db, { ...s, atTotem: true, fromHome: s.id === 'anagrafe-residenza' });
  const operators: DemoSeed['operators'] = [];
  for (const op of OPERATORS) {
    const password = options.passwords?.[op.username] ?? newToken(9);
    await createOperator(
      db,
      {
        username: op.username,
        displayName: op.displayName,
        password,
        role: 'operator',
        offices: ['urp', 'anagrafe'],
        languages: op.languages,
      },
      { id: op.id },
    );
    operators.push({ username: op.username, displayName: op.displayName, password });
  }
  const adminPassword = options.passwords?.admin ?? newToken(12);
  await createOperator(
    db,
    {
      username: 'admin',
      displayName: 'Amministrazione sistemi',
      password: adminPassword,
      role: 'administrator',
      offices: [],
      languages: ['it'],
    },
    { id: 'adm-admin' },
  );
  // Video slots Monday to Saturday, 08:30–17:30 local time, both operators on every service.
  for (const s of services) {
    const entries = OPERATORS.flatMap((op) =>
      [1, 2, 3, 4, 5, 6].map((weekday) => ({ operatorId: op.id, weekday, start: '08:30', end: '17:30' })),
    );
    await saveSchedule(db, s.id, { entries }, { timeZone: options.timeZone ?? 'Europe/Rome', now });
  }

  await createSite(db, { id: 'centro', name: 'Piazza del Municipio', offices: ['urp', 'anagrafe'] });
  const { site_key: siteKey } = await db
    .selectFrom('sites')
    .select('site_key')
    .where('id', '=', 'centro')
    .executeTakeFirstOrThrow();
  const totemSecret = options.totemSecret ?? newToken(24);
  await db
    .insertInto('totems')
    .values({
      id: 'totem-centro-1',
      site_id: 'centro',
      name: 'Totem Piazza del Municipio',
      secret_hash: await hashPassword(totemSecret),
      created_at: now.toISOString(),
    })
    .execute();

  const fiveMinutes = 5 * 60_000;
  const base = Math.floor(now.getTime() / fiveMinutes) * fiveMinutes;
  // Tomorrow at the same wall-clock time: 24 hours after is another day on the nights the clocks
  // change (23:55 before the spring change is 00:55 two days later).
  const timeZone = options.timeZone ?? 'Europe/Rome';
  const baseDate = new Date(base);
  const tomorrow = zonedToUtc(
    addDays(localDate(baseDate, timeZone), 1),
    localTime(baseDate, timeZone),
    timeZone,
  ).getTime();
  const plan = [
    {
      label: 'now',
      at: base,
      op: 'op-giulia',
      service: 'anagrafe-cie',
      reason: "Rinnovo della carta d'identità scaduta",
    },
    {
      label: 'soon',
      at: base + fiveMinutes,
      op: 'op-marco',
      service: 'anagrafe-residenza',
      reason: 'Trasferimento di residenza da altro comune',
    },
    {
      label: 'later-today',
      at: base + 3 * 3_600_000,
      op: 'op-giulia',
      service: 'urp-info',
      reason: 'Segnalazione di una buca in via Roma',
    },
    {
      label: 'earlier-today',
      at: base - 2 * 3_600_000,
      op: 'op-marco',
      service: 'urp-info',
      reason: 'Informazioni sulla raccolta differenziata',
    },
    {
      label: 'tomorrow',
      at: tomorrow,
      op: 'op-giulia',
      service: 'anagrafe-cie',
      reason: "Prima carta d'identità per un minore",
    },
  ] as const;
  const bookings: DemoSeed['bookings'] = [];
  const tags = new Set<string>();
  for (const p of plan) {
    // Five codes with five different tags: a totem keeps only the tag (docs/sync-protocol.md, "Least
    // data"), and two demo bookings sharing one (1 in 6,554 seeds) would answer for each other there.
    let code: string;
    let tag: string;
    do {
      code = makeBookingCode(() => randomInt(10));
      tag = codeTag(siteKey, code);
    } while (tags.has(tag));
    tags.add(tag);
    const id = randomUUID();
    const officeId = p.service.startsWith('urp') ? 'urp' : 'anagrafe';
    // Each booking and its change-feed row are written together, as every booking write is.
    await withTransaction(db, async (trx) => {
      await trx
        .insertInto('bookings')
        .values({
          id,
          code,
          service_id: p.service,
          office_id: officeId,
          operator_id: p.op,
          slot_start: new Date(p.at).toISOString(),
          slot_end: new Date(p.at + 20 * 60_000).toISOString(),
          reason: p.reason,
          name: 'Cittadino Dimostrativo',
          email: null,
          phone: null,
          status: 'booked',
          manage_token_hash: sha256Hex(newToken()),
          version: 1,
          created_at: now.toISOString(),
          updated_at: now.toISOString(),
        })
        .execute();
      await recordBookingChange(trx, { bookingId: id, officeId, version: 1, kind: 'upsert', now });
    });
    bookings.push({
      code,
      codeHash: codeHash(siteKey, code),
      label: p.label,
      slotStart: new Date(p.at).toISOString(),
      operator: p.op,
      bookingId: id,
    });
  }
  return {
    operators,
    admin: { username: 'admin', password: adminPassword },
    totem: {
      id: 'totem-centro-1',
      name: 'Totem Piazza del Municipio',
      siteId: 'centro',
      secret: totemSecret,
    },
    bookings,
  };
}
