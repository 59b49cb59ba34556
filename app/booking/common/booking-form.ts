// What the citizen has typed so far, and the checks that run before anything is sent. The checks are
// the server's own schema (createBookingSchema) plus one rule of the page: at least one contact.
// Errors are i18n keys, so that the page shows them in the person's language.
import { createBookingSchema, type CreateBooking, type Slot } from '@sportello/protocol';

export interface BookingDraft {
  officeId?: string;
  serviceId?: string;
  date?: string;
  slot?: Slot;
  reason: string;
  name: string;
  email: string;
  phone: string;
  /** At a totem or by video from home; unset: the service's only channel. */
  mode?: 'totem' | 'home' | undefined;
  /** The chosen service's booking questions, and the answers typed, in the same order. */
  questions: { label: string; required: boolean }[];
  answers: string[];
}

export type FieldName = 'slot' | 'reason' | 'answers' | 'name' | 'email' | 'phone' | 'contact';
/** Field → i18n key of the message to show next to it. */
export type FieldErrors = Partial<Record<FieldName, string>>;

export function emptyDraft(): BookingDraft {
  return { reason: '', name: '', email: '', phone: '', questions: [], answers: [] };
}

function keyFor(field: string, issueCode: string): { field: FieldName; key: string } {
  switch (field) {
    case 'reason':
      return {
        field,
        key: issueCode === 'too_big' ? 'form.errors.reasonTooLong' : 'form.errors.reasonRequired',
      };
    case 'name':
      return { field, key: issueCode === 'too_big' ? 'form.errors.nameTooLong' : 'form.errors.nameRequired' };
    case 'email':
      return { field, key: 'form.errors.emailInvalid' };
    case 'phone':
      return { field, key: 'form.errors.phoneInvalid' };
    case 'answers':
      return { field, key: 'form.errors.answerTooLong' };
    default:
      return { field: 'slot', key: 'form.errors.slotRequired' };
  }
}

/** The request body, or the message for every field that is not right yet. */
export function validateDraft(
  draft: BookingDraft,
): { ok: true; value: CreateBooking } | { ok: false; errors: FieldErrors } {
  const email = draft.email.trim();
  const phone = draft.phone.trim();
  const body = {
    serviceId: draft.serviceId ?? '',
    slotStart: draft.slot?.start ?? '',
    reason: draft.reason,
    name: draft.name,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    ...(draft.mode ? { mode: draft.mode } : {}),
    ...(draft.questions.length > 0
      ? {
          answers: draft.questions.map((q, i) => ({
            question: q.label,
            answer: (draft.answers[i] ?? '').trim(),
          })),
        }
      : {}),
  };
  const errors: FieldErrors = {};
  const parsed = createBookingSchema.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const { field, key } = keyFor(String(issue.path[0] ?? ''), issue.code);
      errors[field] ??= key;
    }
  }
  if (!email && !phone) errors.contact = 'form.errors.contactRequired';
  if (draft.questions.some((q, i) => q.required && !(draft.answers[i] ?? '').trim()))
    errors.answers = 'form.errors.answerRequired';
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, value: parsed.data };
  return { ok: false, errors };
}

/** The fields each step asks for: a step's errors are shown only when the person leaves it. */
export const STEP_FIELDS = {
  reason: ['reason', 'answers'],
  contacts: ['name', 'email', 'phone', 'contact'],
} as const satisfies Record<string, readonly FieldName[]>;

/** The errors of the given fields only. */
export function errorsFor(draft: BookingDraft, fields: readonly FieldName[]): FieldErrors {
  const result = validateDraft(draft);
  if (result.ok) return {};
  const out: FieldErrors = {};
  for (const f of fields) if (result.errors[f]) out[f] = result.errors[f];
  return out;
}
