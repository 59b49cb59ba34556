// Offices and services as the administration page manages them. Domain errors name the field
// they are about (FieldError → 400 with the field), so the page can show them beside it.
import { ADMIN_MESSAGES } from '@sportello/protocol';
import type {
  AdminOffice,
  AdminService,
  BookingQuestion,
  OfficeInput,
  ServiceInput,
  ServiceUpdate,
} from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import { FieldError, HttpError } from '../http/errors.ts';
import { adminDb } from './admin-db.ts';

/** A readable id from a name ("Ufficio Tributi" → "ufficio-tributi"), made unique by `taken`. */
export async function idFromName(name: string, taken: (id: string) => Promise<boolean>): Promise<string> {
  const base =
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'item';
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    if (!(await taken(candidate))) return candidate;
  }
  throw new Error(`no free id for ${base}`);
}

export async function listAdminOffices(db: Db): Promise<AdminOffice[]> {
  const rows = await db.selectFrom('offices').selectAll().orderBy('name').execute();
  return rows.map((o) => ({ id: o.id, name: o.name, walkIn: o.walk_in === 1 }));
}

async function officeExists(db: Db, id: string): Promise<boolean> {
  return !!(await db.selectFrom('offices').select('id').where('id', '=', id).executeTakeFirst());
}

async function readOffice(db: Db, id: string): Promise<AdminOffice> {
  const o = await db.selectFrom('offices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!o) throw new HttpError(404, 'office-not-found', `There is no office "${id}".`);
  return { id: o.id, name: o.name, walkIn: o.walk_in === 1 };
}

/** Refuses office ids that do not exist, naming the list entry (`offices.2`). */
export async function checkOffices(db: Db, ids: string[], field: string): Promise<void> {
  for (const [i, id] of ids.entries()) {
    if (!(await officeExists(db, id))) throw new FieldError(`${field}.${i}`, `there is no office "${id}"`);
  }
}

export async function createOffice(db: Db, input: OfficeInput): Promise<AdminOffice> {
  if (input.id && (await officeExists(db, input.id))) {
    throw new FieldError('id', `an office with the id "${input.id}" already exists`);
  }
  const id = input.id ?? (await idFromName(input.name, (c) => officeExists(db, c)));
  await db
    .insertInto('offices')
    .values({ id, name: input.name, walk_in: input.walkIn ? 1 : 0 })
    .execute();
  return readOffice(db, id);
}

export async function updateOffice(db: Db, id: string, input: Omit<OfficeInput, 'id'>): Promise<AdminOffice> {
  await readOffice(db, id);
  await db
    .updateTable('offices')
    .set({ name: input.name, walk_in: input.walkIn ? 1 : 0 })
    .where('id', '=', id)
    .execute();
  return readOffice(db, id);
}

type ServiceRow = {
  id: string;
  office_id: string;
  name: string;
  slot_minutes: number;
  questions: string;
  at_totem: number;
  from_home: number;
  what_to_bring: string | null;
};
function toService(s: ServiceRow): AdminService {
  return {
    id: s.id,
    officeId: s.office_id,
    name: s.name,
    slotMinutes: s.slot_minutes,
    questions: JSON.parse(s.questions) as BookingQuestion[],
    atTotem: s.at_totem === 1,
    fromHome: s.from_home === 1,
    whatToBring: s.what_to_bring,
  };
}

export async function listAdminServices(db: Db): Promise<AdminService[]> {
  const rows = await adminDb(db)
    .selectFrom('services')
    .selectAll()
    .orderBy('office_id')
    .orderBy('name')
    .execute();
  return rows.map(toService);
}

export async function readAdminService(db: Db, id: string): Promise<AdminService> {
  const row = await adminDb(db).selectFrom('services').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new HttpError(404, 'service-not-found', `There is no service "${id}".`);
  return toService(row);
}

async function serviceExists(db: Db, id: string): Promise<boolean> {
  return !!(await db.selectFrom('services').select('id').where('id', '=', id).executeTakeFirst());
}

export async function createService(db: Db, input: ServiceInput): Promise<AdminService> {
  if (!(await officeExists(db, input.officeId))) {
    throw new FieldError('officeId', `there is no office "${input.officeId}"`);
  }
  if (input.id && (await serviceExists(db, input.id))) {
    throw new FieldError('id', `a service with the id "${input.id}" already exists`);
  }
  const id = input.id ?? (await idFromName(`${input.officeId} ${input.name}`, (c) => serviceExists(db, c)));
  await adminDb(db)
    .insertInto('services')
    .values({
      id,
      office_id: input.officeId,
      name: input.name,
      slot_minutes: input.slotMinutes,
      questions: JSON.stringify(input.questions),
      at_totem: input.atTotem ? 1 : 0,
      from_home: input.fromHome ? 1 : 0,
      what_to_bring: input.whatToBring || null,
    })
    .execute();
  return readAdminService(db, id);
}

/**
 * Changes a service. Moving it to another office is refused while it has booked appointments:
 * their totems and operators belong to the old office. A new duration applies to new slots only;
 * booked appointments keep their times, and new slots never overlap them (see candidateSlots).
 */
export async function updateService(db: Db, id: string, input: ServiceUpdate): Promise<AdminService> {
  const current = await readAdminService(db, id);
  if (input.officeId !== current.officeId) {
    if (!(await officeExists(db, input.officeId))) {
      throw new FieldError('officeId', `there is no office "${input.officeId}"`);
    }
    const live = await db
      .selectFrom('bookings')
      .select('id')
      .where('service_id', '=', id)
      .where('status', 'in', ['booked', 'checked_in'])
      .executeTakeFirst();
    if (live) {
      throw new FieldError('officeId', ADMIN_MESSAGES.serviceHasBookings);
    }
  }
  await adminDb(db)
    .updateTable('services')
    .set({
      office_id: input.officeId,
      name: input.name,
      slot_minutes: input.slotMinutes,
      questions: JSON.stringify(input.questions),
      at_totem: input.atTotem ? 1 : 0,
      from_home: input.fromHome ? 1 : 0,
      what_to_bring: input.whatToBring || null,
    })
    .where('id', '=', id)
    .execute();
  return readAdminService(db, id);
}
