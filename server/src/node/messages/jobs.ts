// The message jobs table: enqueued in the same transaction as the booking write that causes them
// (so a confirmed booking always has its messages, and a rolled-back one none), claimed by the
// delivery loop with a conditional update (so two processes never both send one job), and marked
// sent right after the gateway accepted it.
import type { MessageJob } from '@sportello/protocol';
import type { Db } from '../db/open.ts';
import type { MessageChannel, MessageKind } from '../db/schema.ts';

/** Which channels are on, and when reminders go; from the server configuration. */
export interface MessagePlan {
  email: boolean;
  sms: boolean;
  reminderMinutes: readonly number[];
}

export interface BookingContact {
  id: string;
  email: string | null;
  phone: string | null;
  language: string;
  slot_start: string;
}

function channelsOf(b: BookingContact, plan: MessagePlan): [MessageChannel, string][] {
  const out: [MessageChannel, string][] = [];
  if (plan.email && b.email) out.push(['email', b.email]);
  if (plan.sms && b.phone) out.push(['sms', b.phone]);
  return out;
}

async function insertJobs(
  trx: Db,
  b: BookingContact,
  kind: MessageKind,
  channels: [MessageChannel, string][],
  dueAt: Date,
  now: Date,
): Promise<void> {
  if (channels.length === 0) return;
  const stamp = now.toISOString();
  await trx
    .insertInto('message_jobs')
    .values(
      channels.map(([channel, recipient]) => ({
        booking_id: b.id,
        kind,
        channel,
        recipient,
        language: b.language,
        due_at: dueAt.toISOString(),
        status: 'pending' as const,
        attempts: 0,
        created_at: stamp,
        updated_at: stamp,
      })),
    )
    .execute();
}

/**
 * Enqueues what a booking write sends: the message itself now, and for a confirmation or a
 * reschedule the reminders still in the future. A cancellation or a reschedule first withdraws
 * the reminders not yet sent. Call it inside the booking write's transaction.
 */
export async function enqueueBookingMessages(
  trx: Db,
  b: BookingContact,
  kind: Exclude<MessageKind, 'reminder' | 'verification'>,
  plan: MessagePlan,
  now: Date,
): Promise<void> {
  if (kind !== 'confirmation') await withdrawPending(trx, b.id, ['reminder'], now);
  const channels = channelsOf(b, plan);
  await insertJobs(trx, b, kind, channels, now, now);
  if (kind === 'cancellation') return;
  const start = new Date(b.slot_start).getTime();
  for (const minutes of plan.reminderMinutes) {
    const due = new Date(start - minutes * 60_000);
    if (due.getTime() > now.getTime()) await insertJobs(trx, b, 'reminder', channels, due, now);
  }
}

/** Enqueues the verification code on the first channel the booking has (e-mail before SMS). */
export async function enqueueVerification(
  trx: Db,
  b: BookingContact,
  plan: MessagePlan,
  now: Date,
): Promise<MessageChannel | undefined> {
  const first = channelsOf(b, plan)[0];
  if (!first) return undefined;
  await insertJobs(trx, b, 'verification', [first], now, now);
  return first[0];
}

export async function withdrawPending(trx: Db, bookingId: string, kinds: MessageKind[], now: Date) {
  await trx
    .updateTable('message_jobs')
    .set({ status: 'cancelled', updated_at: now.toISOString(), last_error: null })
    .where('booking_id', '=', bookingId)
    .where('status', '=', 'pending')
    .where('kind', 'in', kinds)
    .execute();
}

export type ClaimedJob = Awaited<ReturnType<typeof claimDueJobs>>[number];

/**
 * Claims up to `limit` jobs due by `now`: pending ones, and 'sending' ones whose claimer's lease
 * ran out (it died mid-send). Each claim is a conditional update; a job another process claimed
 * first simply does not come back.
 */
export async function claimDueJobs(db: Db, now: Date, limit: number, leaseMs: number) {
  const stamp = now.toISOString();
  const due = await db
    .selectFrom('message_jobs')
    .select('id')
    .where('status', '=', 'pending')
    .where('due_at', '<=', stamp)
    .orderBy('due_at')
    .limit(limit)
    .execute();
  const stale = await db
    .selectFrom('message_jobs')
    .select('id')
    .where('status', '=', 'sending')
    .where('lease_until', '<', stamp)
    .limit(limit)
    .execute();
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  const claimed = [];
  for (const { id } of [...stale, ...due]) {
    const row = await db
      .updateTable('message_jobs')
      .set((eb) => ({
        status: 'sending',
        lease_until: leaseUntil,
        attempts: eb('attempts', '+', 1),
        updated_at: stamp,
      }))
      .where('id', '=', id)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', '=', 'pending'), eb('due_at', '<=', stamp)]),
          eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', stamp)]),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(row);
  }
  return claimed;
}

/** Records success; only the claimer (status still 'sending' under its lease) can. */
export async function markSent(db: Db, id: number, leaseUntil: string | null, now: Date) {
  await db
    .updateTable('message_jobs')
    .set({
      status: 'sent',
      sent_at: now.toISOString(),
      lease_until: null,
      last_error: null,
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_until', leaseUntil === null ? 'is' : '=', leaseUntil)
    .execute();
}

export interface RetryPolicy {
  maxAttempts: number;
  baseSeconds: number;
  maxSeconds: number;
}

/** Seconds to wait after the n-th failed attempt (1-based): base, 2×base, 4×base… capped. */
export function backoffSeconds(attempts: number, p: RetryPolicy): number {
  return Math.min(p.maxSeconds, p.baseSeconds * 2 ** Math.max(0, attempts - 1));
}

export async function markFailed(
  db: Db,
  job: { id: number; attempts: number },
  error: string,
  policy: RetryPolicy,
  now: Date,
): Promise<'retry' | 'failed'> {
  const outcome = job.attempts >= policy.maxAttempts ? 'failed' : 'retry';
  await db
    .updateTable('message_jobs')
    .set({
      status: outcome === 'failed' ? 'failed' : 'pending',
      due_at: new Date(now.getTime() + backoffSeconds(job.attempts, policy) * 1000).toISOString(),
      lease_until: null,
      last_error: error.slice(0, 300),
      updated_at: now.toISOString(),
    })
    .where('id', '=', job.id)
    .where('status', '=', 'sending')
    .execute();
  return outcome;
}

export async function markCancelled(db: Db, id: number, reason: string, now: Date) {
  await db
    .updateTable('message_jobs')
    .set({ status: 'cancelled', last_error: reason, lease_until: null, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .execute();
}

/**
 * A failure as it may be stored and logged: the error's code and SMTP/HTTP status, with anything
 * that looks like an address or a phone number masked (a refusal often quotes the recipient).
 */
export function describeFailure(err: unknown): string {
  const e = err as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts = [
    typeof e.code === 'string' ? e.code : undefined,
    typeof e.responseCode === 'number' ? String(e.responseCode) : undefined,
    typeof e.message === 'string' ? e.message : String(err),
  ].filter(Boolean);
  return parts
    .join(' ')
    .replace(/[^\s<>"':;,]+@[^\s<>"':;,]+/g, '<address>')
    .replace(/\+?\d[\d ]{5,}\d/g, '<number>');
}

/** Jobs for the administrators' list; no recipient in the answer: the reason and booking suffice. */
export async function listMessageJobs(
  db: Db,
  query: { filter: 'failing' | 'pending' | 'all'; limit: number },
): Promise<MessageJob[]> {
  let q = db.selectFrom('message_jobs').selectAll().orderBy('id', 'desc').limit(query.limit);
  if (query.filter === 'failing') {
    q = q.where((eb) =>
      eb.or([
        eb('status', '=', 'failed'),
        eb.and([eb('status', 'in', ['pending', 'sending']), eb('attempts', '>', 0)]),
      ]),
    );
  } else if (query.filter === 'pending') {
    q = q.where('status', 'in', ['pending', 'sending']);
  }
  return (await q.execute()).map((j) => ({
    id: j.id,
    bookingId: j.booking_id,
    kind: j.kind,
    channel: j.channel,
    status: j.status,
    attempts: j.attempts,
    lastError: j.last_error,
    dueAt: j.due_at,
    sentAt: j.sent_at,
  }));
}
