// Table types for the query layer (Kysely). Timestamps are ISO-8601 UTC strings so the same
// queries run on SQLite and PostgreSQL; booleans are 0/1 integers for the same reason.
import type { Generated } from 'kysely';

export interface OfficesTable {
  id: string;
  name: string;
  walk_in: number;
}
export interface ServicesTable {
  id: string;
  office_id: string;
  name: string;
  slot_minutes: number;
  /** What the citizen should bring, in the office's language; null = the default text. */
  what_to_bring: Generated<string | null>;
}
export interface OperatorsTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  active: number;
}
export interface OperatorOfficesTable {
  operator_id: string;
  office_id: string;
}
export interface SchedulesTable {
  id: Generated<number>;
  service_id: string;
  operator_id: string;
  /** 0 = Sunday … 6 = Saturday, in the configured time zone. */
  weekday: number;
  /** 'HH:MM' local time. */
  start_time: string;
  end_time: string;
}
export interface BookingsTable {
  id: string;
  code: string;
  service_id: string;
  office_id: string;
  operator_id: string | null;
  slot_start: string;
  slot_end: string;
  reason: string;
  name: string;
  email: string | null;
  phone: string | null;
  status: 'booked' | 'checked_in' | 'completed' | 'cancelled';
  manage_token_hash: string;
  version: number;
  created_at: string;
  updated_at: string;
  /** The citizen's language for messages ('it', 'en'). */
  language: Generated<string>;
  /** SEQUENCE of the calendar invitation; bumped by every update or cancel sent. */
  ics_sequence: Generated<number>;
  /** Links carry it; a reschedule bumps it so that links sent before stop working. */
  link_generation: Generated<number>;
  /** Keyed hash of the client address that booked (abuse limits); purged with the rest. */
  address_hash: Generated<string | null>;
  /** Set while the booking waits for its e-mail/phone verification code. */
  verify_code_hash: Generated<string | null>;
  verify_expires_at: Generated<string | null>;
  /** When the retention job emptied the personal fields. */
  purged_at: Generated<string | null>;
  /** Where the citizen talks from: a totem, or by video from home (the join link). */
  mode: Generated<'totem' | 'home'>;
  /** JSON [{question, answer}] of the service's booking questions; purged with the rest. */
  answers: Generated<string | null>;
}
export interface SitesTable {
  id: string;
  name: string;
  /** Base64 key for the HMAC of codes sent to this site's totems. */
  site_key: string;
  /** Bumped whenever the key (or anything else that invalidates a totem's whole cache) changes. */
  key_version: Generated<number>;
}
export interface SiteOfficesTable {
  site_id: string;
  office_id: string;
}
export interface TotemsTable {
  id: string;
  site_id: string;
  name: string;
  secret_hash: string;
  created_at: string;
}
export interface OperatorSessionsTable {
  token_hash: string;
  operator_id: string;
  expires_at: string;
}
export interface CallsTable {
  id: string;
  kind: 'booked' | 'walk-in';
  booking_id: string | null;
  totem_id: string;
  operator_id: string | null;
  created_at: string;
  answered_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  end_reason: string | null;
  /** Since 005: the queue item's state; see calls/call-store.ts for the transitions. */
  state: CallState;
  /** Bumped by every transition. */
  version: number;
  site_id: string | null;
  office_id: string | null;
  assigned_operator_id: string | null;
  first_offered_at: string | null;
  offered_at: string | null;
  not_before: string | null;
  held_since: string | null;
  callback_offered_at: string | null;
  callback_id: string | null;
  last_missed_by: string | null;
  last_missed_at: string | null;
  detail: string | null;
  /** Exactly one, set by the transition to 'ended'. */
  outcome: CallOutcome | null;
  /** Arrival order among items queued in the same millisecond. */
  seq: number | null;
}
export type CallState = 'queued' | 'offered' | 'accepted' | 'ended';
export type CallOutcome = 'served' | 'abandoned' | 'missed' | 'cancelled' | 'transferred' | 'failed';

/** One pointer per booking write: the feed sends the booking's current state at this position. */
export interface AgendaChangesTable {
  seq: Generated<number>;
  office_id: string;
  booking_id: string;
  /** The booking's version written by this change. */
  version: number;
  /** 'delete' when the booking left this office (cancelled, moved away, deleted). */
  kind: 'upsert' | 'delete';
  created_at: string;
}
export interface AgendaHorizonsTable {
  site_id: string;
  /** Cursors below this were served by pruned changes: the totem must take a snapshot. */
  min_cursor: number;
}
export interface CheckInsTable {
  idempotency_key: string;
  totem_id: string;
  booking_id: string;
  occurred_at: string;
  received_at: string;
  /** The JSON answer given the first time, replayed as is. */
  result: string;
}
export interface CallbacksTable {
  id: string;
  idempotency_key: string;
  totem_id: string;
  site_id: string;
  booking_id: string | null;
  office_id: string | null;
  phone: string;
  occurred_at: string;
  received_at: string;
  status: 'open' | 'done';
  done_at: string | null;
  done_by: string | null;
}

export type MessageKind = 'confirmation' | 'reminder' | 'cancellation' | 'rescheduled' | 'verification';
export type MessageChannel = 'email' | 'sms';
export type MessageStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'cancelled';
/** One message to one recipient; the delivery loop claims, sends and records it. */
export interface MessageJobsTable {
  id: Generated<number>;
  booking_id: string | null;
  kind: MessageKind;
  channel: MessageChannel;
  recipient: string | null;
  language: string;
  due_at: string;
  status: MessageStatus;
  attempts: number;
  last_error: string | null;
  /** While 'sending': until when the claimer owns the job. */
  lease_until: string | null;
  sent_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  message_jobs: MessageJobsTable;
  offices: OfficesTable;
  services: ServicesTable;
  operators: OperatorsTable;
  operator_offices: OperatorOfficesTable;
  schedules: SchedulesTable;
  bookings: BookingsTable;
  sites: SitesTable;
  site_offices: SiteOfficesTable;
  totems: TotemsTable;
  operator_sessions: OperatorSessionsTable;
  calls: CallsTable;
  agenda_changes: AgendaChangesTable;
  agenda_horizons: AgendaHorizonsTable;
  check_ins: CheckInsTable;
  callbacks: CallbacksTable;
}
