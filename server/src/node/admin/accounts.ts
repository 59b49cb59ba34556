// Accounts (operators, supervisors, administrators) as the administration page manages them:
// argon2 passwords set by the administrator, offices, languages, active or deactivated. Ending an
// account's sessions is done here; closing its live console is the caller's hook (signaling).
import { ADMIN_MESSAGES } from '@sportello/protocol';
import type {
  AccountRole,
  AdminOperator,
  OperatorInput,
  OperatorUpdate,
  ScheduleConflict,
} from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import { hashPassword } from '../auth/secrets.ts';
import { ConflictError, FieldError, HttpError } from '../http/errors.ts';
import { withTransaction } from '../agenda/change-log.ts';
import { adminDb } from './admin-db.ts';
import { checkOffices } from './catalogue.ts';

export async function listAdminOperators(db: Db): Promise<AdminOperator[]> {
  const rows = await adminDb(db).selectFrom('operators').selectAll().orderBy('display_name').execute();
  const links = await db.selectFrom('operator_offices').selectAll().orderBy('office_id').execute();
  return rows.map((o) => ({
    id: o.id,
    username: o.username,
    displayName: o.display_name,
    role: o.role,
    offices: links.filter((l) => l.operator_id === o.id).map((l) => l.office_id),
    languages: JSON.parse(o.languages) as string[],
    active: o.active === 1,
  }));
}

export async function readAdminOperator(db: Db, id: string): Promise<AdminOperator> {
  const op = (await listAdminOperators(db)).find((o) => o.id === id);
  if (!op) throw new HttpError(404, 'operator-not-found', `There is no account "${id}".`);
  return op;
}

async function setOffices(db: Db, id: string, offices: string[]): Promise<void> {
  await db.deleteFrom('operator_offices').where('operator_id', '=', id).execute();
  const unique = [...new Set(offices)];
  if (unique.length > 0) {
    await db
      .insertInto('operator_offices')
      .values(unique.map((office_id) => ({ operator_id: id, office_id })))
      .execute();
  }
}

/** `options.id` keeps a known id (the demo seed's); otherwise it is made from the username. */
export async function createOperator(
  db: Db,
  input: OperatorInput,
  options: { id?: string } = {},
): Promise<AdminOperator> {
  const taken = await db
    .selectFrom('operators')
    .select('id')
    .where('username', '=', input.username)
    .executeTakeFirst();
  if (taken) throw new FieldError('username', `the username "${input.username}" is taken`);
  await checkOffices(db, input.offices, 'offices');
  let id = options.id ?? `op-${input.username}`;
  for (
    let n = 2;
    await db.selectFrom('operators').select('id').where('id', '=', id).executeTakeFirst();
    n++
  ) {
    id = `op-${input.username}-${n}`;
  }
  const passwordHash = await hashPassword(input.password);
  await withTransaction(db, async (trx) => {
    await adminDb(trx)
      .insertInto('operators')
      .values({
        id,
        username: input.username,
        display_name: input.displayName,
        password_hash: passwordHash,
        active: 1,
        role: input.role,
        languages: JSON.stringify([...new Set(input.languages)]),
      })
      .execute();
    await setOffices(trx, id, input.offices);
  });
  return readAdminOperator(db, id);
}

/** Signs the account out everywhere (its console socket is closed by the caller's hook). */
export async function endSessions(db: Db, id: string): Promise<number> {
  const r = await db.deleteFrom('operator_sessions').where('operator_id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export interface OperatorChange {
  operator: AdminOperator;
  /** The account was active and is not any more: its sessions have ended. */
  deactivated: boolean;
}

/**
 * Changes an account. An administrator cannot deactivate or demote their own account: the page
 * would lock them out at once, and a municipality with one administrator could not get back in.
 */
export async function updateOperator(
  db: Db,
  id: string,
  input: OperatorUpdate,
  actorId: string,
  now: Date,
): Promise<OperatorChange> {
  const before = await readAdminOperator(db, id);
  if (id === actorId && !input.active) throw new FieldError('active', ADMIN_MESSAGES.ownAccountActive);
  if (id === actorId && input.role !== before.role) {
    throw new FieldError('role', ADMIN_MESSAGES.ownAccountRole);
  }
  await checkOffices(db, input.offices, 'offices');
  if (before.active && !input.active) await refuseOrphanedBookings(db, id, input.acceptConflicts, now);
  await withTransaction(db, async (trx) => {
    await adminDb(trx)
      .updateTable('operators')
      .set({
        display_name: input.displayName,
        role: input.role satisfies AccountRole,
        languages: JSON.stringify([...new Set(input.languages)]),
        active: input.active ? 1 : 0,
      })
      .where('id', '=', id)
      .execute();
    await setOffices(trx, id, input.offices);
    if (!input.active) await endSessions(trx, id);
  });
  return { operator: await readAdminOperator(db, id), deactivated: before.active && !input.active };
}

/**
 * A deactivated operator no longer takes their booked appointments: the queue offers those calls to
 * the other operators of the office. So that none is dropped unnoticed, deactivation is refused
 * (409, listed) until the administrator confirms the account's future booked appointments.
 */
async function refuseOrphanedBookings(db: Db, id: string, accepted: string[] | undefined, now: Date) {
  const rows = await db
    .selectFrom('bookings')
    .innerJoin('services', 'services.id', 'bookings.service_id')
    .select([
      'bookings.id',
      'bookings.service_id',
      'services.name as service_name',
      'bookings.slot_start',
      'bookings.slot_end',
    ])
    .where('bookings.operator_id', '=', id)
    .where('bookings.status', '=', 'booked')
    .where('bookings.slot_start', '>=', now.toISOString())
    .orderBy('bookings.slot_start')
    .execute();
  const conflicts: ScheduleConflict[] = rows.map((r) => ({
    bookingId: r.id,
    serviceId: r.service_id,
    serviceName: r.service_name,
    operatorId: id,
    slotStart: r.slot_start,
    slotEnd: r.slot_end,
    why: 'operator-deactivated',
  }));
  const ok = new Set(accepted ?? []);
  if (conflicts.some((c) => !ok.has(c.bookingId))) {
    throw new ConflictError(
      `This account holds ${conflicts.length} booked appointment(s): confirm them to keep them ` +
        '(the other operators of the office will take those calls), or move them first.',
      conflicts,
    );
  }
}

/** Sets a new password chosen by the administrator; the account's sessions end. */
export async function resetPassword(db: Db, id: string, password: string): Promise<AdminOperator> {
  const op = await readAdminOperator(db, id);
  const hash = await hashPassword(password);
  await db.updateTable('operators').set({ password_hash: hash }).where('id', '=', id).execute();
  await endSessions(db, id);
  return op;
}
