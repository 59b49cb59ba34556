// Administration contracts: offices, services, operators, weekly video-slot schedules, exceptions
// and holidays, sites. Every message names what to fix in words an administrator understands; the
// server answers a bad field with 400 and the field's path, and the admin page shows it beside it.
import { z } from 'zod';
import { accountRoleSchema } from './fleet.ts';

const id = z.string().min(1).max(64);
const isoDateTime = z.iso.datetime({ offset: true });

/** Ids chosen by people (offices, services, sites): short, readable in URLs and logs. */
export const adminIdSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'use lower-case letters, digits and dashes (at most 64)');

export const clockTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'write the time as HH:MM, for example 08:30');

export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'write the date as YYYY-MM-DD')
  .refine((d) => {
    const parsed = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === d;
  }, 'this date does not exist');

const name = (what: string) =>
  z.string().trim().min(1, `give the ${what} a name`).max(120, 'at most 120 characters');

/* Offices ---------------------------------------------------------------------------------------- */

export const adminOfficeSchema = z.object({ id, name: z.string(), walkIn: z.boolean() });
export type AdminOffice = z.infer<typeof adminOfficeSchema>;
export const officeInputSchema = z.strictObject({
  /** Chosen from the name when left out. */
  id: adminIdSchema.optional(),
  name: name('office'),
  walkIn: z.boolean({ error: 'say whether the office takes calls without a booking' }),
});
export type OfficeInput = z.infer<typeof officeInputSchema>;
export const officeUpdateSchema = officeInputSchema.omit({ id: true });

/* Services --------------------------------------------------------------------------------------- */

/** A question the booking page asks for this service ("Which document do you need?"). */
export const bookingQuestionSchema = z.strictObject({
  label: z.string().trim().min(1, 'write the question').max(200, 'at most 200 characters'),
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
});
export type AdminService = z.infer<typeof adminServiceSchema>;
const serviceFields = {
  officeId: id,
  name: name('service'),
  slotMinutes: z
    .number({ error: 'give the length of an appointment in minutes' })
    .int('a whole number of minutes')
    .min(5, 'at least 5 minutes')
    .max(240, 'at most 240 minutes'),
  questions: z.array(bookingQuestionSchema).max(10, 'at most 10 questions').default([]),
  atTotem: z.boolean(),
  fromHome: z.boolean(),
};
const offeredSomewhere = (s: { atTotem: boolean; fromHome: boolean }) => s.atTotem || s.fromHome;
const offeredMessage = {
  path: ['atTotem'],
  message: 'offer the service at a totem, from home, or both',
};
export const serviceInputSchema = z
  .strictObject({ id: adminIdSchema.optional(), ...serviceFields })
  .refine(offeredSomewhere, offeredMessage);
export type ServiceInput = z.infer<typeof serviceInputSchema>;
export const serviceUpdateSchema = z.strictObject(serviceFields).refine(offeredSomewhere, offeredMessage);
export type ServiceUpdate = z.infer<typeof serviceUpdateSchema>;

/* Operators -------------------------------------------------------------------------------------- */

const languageSchema = z.string().regex(/^[a-z]{2}$/, 'a two-letter language code, for example it');
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
export const passwordSchema = z.string().min(10, 'at least 10 characters').max(200, 'at most 200 characters');
const operatorFields = {
  displayName: z.string().trim().min(1, 'give the name citizens will see').max(120),
  role: accountRoleSchema,
  offices: z.array(id).max(50),
  languages: z.array(languageSchema).min(1, 'at least one language').max(10),
};
export const operatorInputSchema = z.strictObject({
  username: z
    .string()
    .trim()
    .regex(/^[a-z0-9._-]{3,40}$/, '3 to 40 lower-case letters, digits, dots, dashes or underscores'),
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
    weekday: z.number().int().min(0, 'a day from 0 (Sunday) to 6 (Saturday)').max(6, 'a day from 0 to 6'),
    start: clockTimeSchema,
    end: clockTimeSchema,
  })
  .refine((e) => e.start < e.end, { path: ['end'], message: 'the end must be after the start' });
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
  entries: z.array(scheduleEntrySchema).max(200, 'at most 200 rows'),
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
    label: z.string().trim().min(1, 'say why, for example "Festa della Repubblica"').max(120),
    acceptConflicts,
  })
  .superRefine((e, ctx) => {
    if (e.closed) return;
    if (!e.start) ctx.addIssue({ code: 'custom', path: ['start'], message: 'give the opening time' });
    if (!e.end) ctx.addIssue({ code: 'custom', path: ['end'], message: 'give the closing time' });
    if (e.start && e.end && e.start >= e.end) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: 'the end must be after the start' });
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
const siteFields = { name: name('site'), offices: z.array(id).max(50) };
export const siteInputSchema = z.strictObject({ id: adminIdSchema.optional(), ...siteFields });
export type SiteInput = z.infer<typeof siteInputSchema>;
export const siteUpdateSchema = z.strictObject(siteFields);

export const adminIdParamsSchema = z.object({ id });
export const exceptionIdParamsSchema = z.object({ id: z.coerce.number().int().min(1) });
