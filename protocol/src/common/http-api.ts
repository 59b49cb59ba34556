// HTTP API contracts: request and response schemas, shared by the server (validation and OpenAPI)
// and the pages and kiosk core (typed clients).
import { z } from 'zod';
import { accountRoleSchema } from './fleet.ts';

const id = z.string().min(1).max(64);
const isoDateTime = z.iso.datetime({ offset: true });

export const apiErrorSchema = z.object({
  statusCode: z.number(),
  error: z.string(),
  /** A sentence for the person who sees it. */
  message: z.string(),
  /** Machine-readable reason, stable across languages. */
  code: z.string(),
  /** With 'slot-not-free': the next free times of the same service, to offer instead. */
  nextSlots: z.array(z.object({ start: isoDateTime, end: isoDateTime })).optional(),
  /** On 400: each field that was refused (dotted path, e.g. `entries.0.end`) and why. */
  fields: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const healthSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  mediaWorkers: z.number(),
});

/**
 * Who runs the service, for the header and footer of the citizen's pages and their legal pages:
 * the municipality fills it through the server configuration (`municipality`).
 */
export const municipalitySchema = z.object({
  name: z.string(),
  /** Where citizens write about the service, their data and accessibility. */
  email: z.string(),
  /** The accessibility statement published on AgID's form.agid.gov.it, when there is one. */
  accessibilityStatementUrl: z.string().optional(),
});
export type Municipality = z.infer<typeof municipalitySchema>;

export const officeSchema = z.object({ id, name: z.string(), walkIn: z.boolean() });
export type Office = z.infer<typeof officeSchema>;
export const serviceSchema = z.object({
  id,
  officeId: id,
  name: z.string(),
  slotMinutes: z.number().int(),
  /** What the booking page asks for this service (set on the administration page). */
  questions: z.array(z.object({ label: z.string(), required: z.boolean() })).optional(),
  /** Where the service is offered: at a totem, by video from home. */
  atTotem: z.boolean().optional(),
  fromHome: z.boolean().optional(),
  /** What the citizen should bring or have at hand (set on the administration page). */
  whatToBring: z.string().nullable().optional(),
});
export type Service = z.infer<typeof serviceSchema>;

export const slotsQuerySchema = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be written as YYYY-MM-DD'),
});
export const slotSchema = z.object({ start: isoDateTime, end: isoDateTime });
export type Slot = z.infer<typeof slotSchema>;

/** Free slots of several consecutive days in one request (the booking page shows two weeks). */
export const slotDaysQuerySchema = z.object({
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'from must be written as YYYY-MM-DD'),
  days: z.coerce.number().int().min(1).max(31).default(14),
});
export const slotDaySchema = z.object({ date: z.string(), slots: z.array(slotSchema) });
export type SlotDay = z.infer<typeof slotDaySchema>;

export const bookingModeSchema = z.enum(['totem', 'home']);
export type BookingMode = z.infer<typeof bookingModeSchema>;
/** One booking question and what the citizen answered (empty for an optional one left out). */
export const bookingAnswerSchema = z.strictObject({
  question: z.string().max(200),
  answer: z.string().trim().max(500),
});
export type BookingAnswer = z.infer<typeof bookingAnswerSchema>;

export const createBookingSchema = z.strictObject({
  serviceId: id,
  slotStart: isoDateTime,
  reason: z.string().trim().min(1, 'please say briefly why you are booking').max(500),
  name: z.string().trim().min(1, 'please give your name').max(120),
  email: z.email().max(200).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ]{6,20}$/, 'phone numbers are digits, optionally with a leading +')
    .optional(),
  /** The citizen's language: messages and reminders are written in it. Default it. */
  language: z.enum(['it', 'en']).optional(),
  /** Where the citizen talks from: at a totem (default) or by video from home (a join link). */
  mode: bookingModeSchema.optional(),
  /** The answers to the service's booking questions, in their order (least data: no extra fields). */
  answers: z.array(bookingAnswerSchema).max(10).optional(),
});
export type CreateBooking = z.infer<typeof createBookingSchema>;

export const bookingCreatedSchema = z.object({
  bookingId: id,
  code: z.string(),
  /** Secret that lets the citizen read or cancel the booking; shown once, stored only hashed. */
  manageToken: z.string(),
  slotStart: isoDateTime,
  slotEnd: isoDateTime,
  /**
   * Present when the abuse limits ask this contact to confirm its e-mail or phone: a code went
   * there and the booking frees itself at `expiresAt` unless the code is typed in time.
   */
  verification: z.object({ channel: z.enum(['email', 'sms']), expiresAt: isoDateTime }).optional(),
});
export type BookingCreated = z.infer<typeof bookingCreatedSchema>;

export const bookingStatusSchema = z.enum(['booked', 'checked_in', 'completed', 'cancelled']);
export type BookingStatus = z.infer<typeof bookingStatusSchema>;

export const bookingViewSchema = z.object({
  bookingId: id,
  officeName: z.string(),
  serviceName: z.string(),
  slotStart: isoDateTime,
  slotEnd: isoDateTime,
  status: bookingStatusSchema,
  reason: z.string(),
});
export type BookingView = z.infer<typeof bookingViewSchema>;

export const manageTokenParamsSchema = z.object({ token: z.string().min(20).max(100) });

export const operatorSignInSchema = z.strictObject({
  username: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
});
export const operatorSessionSchema = z.object({
  token: z.string(),
  operator: z.object({ id, displayName: z.string(), role: accountRoleSchema.optional() }),
  expiresAt: isoDateTime,
});
export type OperatorSession = z.infer<typeof operatorSessionSchema>;

/** One booking as the totem holds it: no names, no contacts, no code in clear. */
export const kioskAgendaEntrySchema = z.object({
  bookingId: id,
  /** The first 16 bits of the HMAC-SHA256 of the code with the site key (see CODE_TAG_BITS), hex. */
  codeTag: z.string().regex(/^[0-9a-f]{4}$/),
  slotStart: isoDateTime,
  slotEnd: isoDateTime,
  officeId: id,
  serviceId: id,
  operatorId: id.nullable(),
  status: bookingStatusSchema,
  version: z.number().int(),
});
export type KioskAgendaEntry = z.infer<typeof kioskAgendaEntrySchema>;

export const kioskAgendaSchema = z.object({
  siteId: id,
  /** Base64 site key for the code HMAC. */
  siteKey: z.string(),
  serverTime: isoDateTime,
  entries: z.array(kioskAgendaEntrySchema),
});
export type KioskAgenda = z.infer<typeof kioskAgendaSchema>;

export const callRecordSchema = z.object({
  id,
  kind: z.enum(['booked', 'walk-in']),
  bookingId: id.nullable(),
  totemId: id,
  operatorId: id.nullable(),
  createdAt: isoDateTime,
  answeredAt: isoDateTime.nullable(),
  endedAt: isoDateTime.nullable(),
  durationSeconds: z.number().nullable(),
  endReason: z.string().nullable(),
});
export type CallRecord = z.infer<typeof callRecordSchema>;

/** Check-in window around the slot start; the kiosk and the server apply the same rule. */
export const CHECK_IN_WINDOW = { earlyMinutes: 15, lateMinutes: 10 } as const;

export type WindowVerdict = 'ok' | 'too-early' | 'too-late';
export function checkInWindow(
  slotStartMs: number,
  nowMs: number,
  window: { earlyMinutes: number; lateMinutes: number } = CHECK_IN_WINDOW,
): WindowVerdict {
  if (nowMs < slotStartMs - window.earlyMinutes * 60_000) return 'too-early';
  if (nowMs > slotStartMs + window.lateMinutes * 60_000) return 'too-late';
  return 'ok';
}
