// Administration contracts: offices, services, operators, weekly video-slot schedules, exceptions
// and holidays, sites. Every message names what to fix in words an administrator understands; the
// server answers a bad field with 400 and the field's path, and the admin page shows it beside it.
import { z } from 'zod';
import { accountRoleSchema } from './fleet.ts';

/**
 * The fixed sentences of the administration's validation, by key: the server sends the sentence
 * (English, for any client), and the administration page shows its own translation of the key.
 */
export const ADMIN_MESSAGES = {
  idFormat: 'use lower-case letters, digits and dashes (at most 64)',
  timeFormat: 'write the time as HH:MM, for example 08:30',
  dateFormat: 'write the date as YYYY-MM-DD',
  dateMissing: 'this date does not exist',
  nameOffice: 'give the office a name',
  nameService: 'give the service a name',
  nameSite: 'give the site a name',
  max120: 'at most 120 characters',
  max200: 'at most 200 characters',
  max1000: 'at most 1000 characters',
  walkInRequired: 'say whether the office takes calls without a booking',
  questionLabel: 'write the question',
  minutesRequired: 'give the length of an appointment in minutes',
  minutesWhole: 'a whole number of minutes',
  minutesMin: 'at least 5 minutes',
  minutesMax: 'at most 240 minutes',
  questionsMax: 'at most 10 questions',
  offered: 'offer the service at a totem, from home, or both',
  languageCode: 'a two-letter language code, for example it',
  passwordMin: 'at least 10 characters',
  displayName: 'give the name citizens will see',
  languagesMin: 'at least one language',
  username: '3 to 40 lower-case letters, digits, dots, dashes or underscores',
  weekdayRange: 'a day from 0 (Sunday) to 6 (Saturday)',
  endAfterStart: 'the end must be after the start',
  rowsMax: 'at most 200 rows',
  labelRequired: 'say why, for example "Festa della Repubblica"',
  openingTime: 'give the opening time',
  closingTime: 'give the closing time',
  accountDeactivated: 'this account is deactivated',
  operatorNotInOffice: "this operator does not work for the service's office",
  ownAccountActive: 'you cannot deactivate your own account',
  ownAccountRole: 'you cannot change the role of your own account',
  exceptionExists: 'this day already has an exception for this office: remove it first',
  serviceHasBookings: 'this service has booked appointments: it cannot move to another office',
} as const;
const m = ADMIN_MESSAGES;

const id = z.string().min(1).max(64);
const isoDateTime = z.iso.datetime({ offset: true });

/** Ids chosen by people (offices, services, sites): short, readable in URLs and logs. */
export const adminIdSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, m.idFormat);

export const clockTimeSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, m.timeFormat);

export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, m.dateFormat)
  .refine((d) => {
    const parsed = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === d;
  }, m.dateMissing);

const name = (message: string) => z.string().trim().min(1, message).max(120, m.max120);

/* Offices ---------------------------------------------------------------------------------------- */

export const adminOfficeSchema = z.object({ id, name: z.string(), walkIn: z.boolean() });
export type AdminOffice = z.infer<typeof adminOfficeSchema>;
export const officeInputSchema = z.strictObject({
  /** Chosen from the name when left out. */
  id: adminIdSchema.optional(),
  name: name(m.nameOffice),
  walkIn: z.boolean({ error: m.walkInRequired }),
});
export type OfficeInput = z.infer<typeof officeInputSchema>;
export const officeUpdateSchema = officeInputSchema.omit({ id: true });

/* Services --------------------------------------------------------------------------------------- */

/** A question the booking page asks for this service ("Which document do you need?"). */
export const bookingQuestionSchema = z.strictObject({
  label: z.string().trim().min(1, m.questionLabel).max(200, m.max200),
  required: z.boolean(),
});
export type BookingQuestion = z.infer<typeof bookingQuestionSchema>;

export const adminServiceSchema = z.object({
  id,
  officeId: id,
  name: z.string(),
  slotMinutes: z.number().int(),
  questions: z.array(bookingQuestionSchema),
  /** Citizens may book it to talk from a totem. */
  atTotem: z.boolean(),
  /** Citizens may book it as a video call from home. */
  fromHome: z.boolean(),
  /** What the citizen should bring or have at hand; null: the messages' default sentence. */
  whatToBring: z.string().nullable(),
});
export type AdminService = z.infer<typeof adminServiceSchema>;
const serviceFields = {
  officeId: id,
  name: name(m.nameService),
  slotMinutes: z
    .number({ error: m.minutesRequired })
    .int(m.minutesWhole)
    .min(5, m.minutesMin)
    .max(240, m.minutesMax),
  questions: z.array(bookingQuestionSchema).max(10, m.questionsMax).default([]),
  atTotem: z.boolean(),
  fromHome: z.boolean(),
  /** Shown on the booking page and in every message; empty = the default sentence. */
  whatToBring: z.string().trim().max(1000, m.max1000).optional(),
};
const offeredSomewhere = (s: { atTotem: boolean; fromHome: boolean }) => s.atTotem || s.fromHome;
const offeredMessage = {
  path: ['atTotem'],
  message: m.offered,
};
export const serviceInputSchema = z
  .strictObject({ id: adminIdSchema.optional(), ...serviceFields })
  .refine(offeredSomewhere, offeredMessage);
export type ServiceInput = z.infer<typeof serviceInputSchema>;
export const serviceUpdateSchema = z.strictObject(serviceFields).refine(offeredSomewhere, offeredMessage);
export type ServiceUpdate = z.infer<typeof serviceUpdateSchema>;

/* Operators -------------------------------------------------------------------------------------- */

const languageSchema = z.string().regex(/^[a-z]{2}$/, m.languageCode);
export const adminOperatorSchema = z.object({
  id,
  username: z.string(),
  displayName: z.string(),
  role: accountRoleSchema,
  offices: z.array(id),
  languages: z.array(z.string()),
  active: z.boolean(),
});
export type AdminOperator = z.infer<typeof adminOperatorSchema>;
export const passwordSchema = z.string().min(10, m.passwordMin).max(200, m.max200);
const operatorFields = {
  displayName: z.string().trim().min(1, m.displayName).max(120),
  role: accountRoleSchema,
  offices: z.array(id).max(50),
  languages: z.array(languageSchema).min(1, m.languagesMin).max(10),
};
export const operatorInputSchema = z.strictObject({
  username: z
    .string()
    .trim()
    .regex(/^[a-z0-9._-]{3,40}$/, m.username),
  password: passwordSchema,
  ...operatorFields,
});
export type OperatorInput = z.infer<typeof operatorInputSchema>;
export const operatorUpdateSchema = z.strictObject({
  ...operatorFields,
  active: z.boolean(),
  /** On deactivation: the account's booked appointments the administrator saw and keeps. */
  acceptConflicts: z.array(id).max(500).optional(),
});
export type OperatorUpdate = z.infer<typeof operatorUpdateSchema>;
export const passwordResetSchema = z.strictObject({ password: passwordSchema });

/* Schedules, exceptions and holidays ---------------------------------------------------------------- */

export const scheduleEntrySchema = z
  .strictObject({
    operatorId: id,
    /** 0 = Sunday … 6 = Saturday. */
    weekday: z.number().int().min(0, m.weekdayRange).max(6, m.weekdayRange),
    start: clockTimeSchema,
    end: clockTimeSchema,
  })
  .refine((e) => e.start < e.end, { path: ['end'], message: m.endAfterStart });
export type ScheduleEntry = z.infer<typeof scheduleEntrySchema>;

/** A booked appointment that a change would leave outside the schedule. */
export const scheduleConflictSchema = z.object({
  bookingId: id,
  serviceId: id,
  serviceName: z.string(),
  operatorId: id.nullable(),
  slotStart: isoDateTime,
  slotEnd: isoDateTime,
  why: z.enum(['outside-schedule', 'closed', 'outside-hours', 'operator-deactivated']),
});
export type ScheduleConflict = z.infer<typeof scheduleConflictSchema>;

/** 409 answer of a change that would leave bookings outside the schedule. */
export const conflictErrorSchema = z.object({
  statusCode: z.number(),
  error: z.string(),
  message: z.string(),
  code: z.literal('schedule-conflicts'),
  conflicts: z.array(scheduleConflictSchema),
});

/** The bookings the administrator saw and decided to keep (they stay booked and are honoured). */
const acceptConflicts = z.array(id).max(500).optional();

export const adminScheduleSchema = z.object({
  serviceId: id,
  entries: z.array(scheduleEntrySchema),
});
export type AdminSchedule = z.infer<typeof adminScheduleSchema>;
export const scheduleInputSchema = z.strictObject({
  entries: z.array(scheduleEntrySchema).max(200, m.rowsMax),
  acceptConflicts,
});
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;
export const scheduleSavedSchema = adminScheduleSchema.extend({
  /** Conflicting bookings kept as they are, as the administrator confirmed. */
  kept: z.array(scheduleConflictSchema),
});

export const calendarExceptionSchema = z.object({
  id: z.number().int(),
  /** null: every office (a public holiday). */
  officeId: id.nullable(),
  date: z.string(),
  /** Closed all day; otherwise video slots only between start and end. */
  closed: z.boolean(),
  start: z.string().nullable(),
  end: z.string().nullable(),
  label: z.string(),
});
export type CalendarException = z.infer<typeof calendarExceptionSchema>;
export const exceptionInputSchema = z
  .strictObject({
    officeId: id.nullable(),
    date: calendarDateSchema,
    closed: z.boolean(),
    start: clockTimeSchema.optional(),
    end: clockTimeSchema.optional(),
    label: z.string().trim().min(1, m.labelRequired).max(120),
    acceptConflicts,
  })
  .superRefine((e, ctx) => {
    if (e.closed) return;
    if (!e.start) ctx.addIssue({ code: 'custom', path: ['start'], message: m.openingTime });
    if (!e.end) ctx.addIssue({ code: 'custom', path: ['end'], message: m.closingTime });
    if (e.start && e.end && e.start >= e.end) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: m.endAfterStart });
    }
  });
export type ExceptionInput = z.infer<typeof exceptionInputSchema>;
export const exceptionsQuerySchema = z.object({ from: calendarDateSchema.optional() });
export const exceptionSavedSchema = calendarExceptionSchema.extend({ kept: z.array(scheduleConflictSchema) });

/* Sites ---------------------------------------------------------------------------------------- */

export const adminSiteSchema = z.object({
  id,
  name: z.string(),
  /** Offices the site's totems serve. */
  offices: z.array(id),
  totems: z.number().int(),
});
export type AdminSite = z.infer<typeof adminSiteSchema>;
const siteFields = { name: name(m.nameSite), offices: z.array(id).max(50) };
export const siteInputSchema = z.strictObject({ id: adminIdSchema.optional(), ...siteFields });
export type SiteInput = z.infer<typeof siteInputSchema>;
export const siteUpdateSchema = z.strictObject(siteFields);

export const adminIdParamsSchema = z.object({ id });
export const exceptionIdParamsSchema = z.object({ id: z.coerce.number().int().min(1) });
