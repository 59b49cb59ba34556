import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyDraft, errorsFor, STEP_FIELDS, validateDraft, type BookingDraft } from './booking-form.ts';

const complete = (): BookingDraft => ({
  ...emptyDraft(),
  officeId: 'anagrafe',
  serviceId: 'anagrafe-cie',
  date: '2025-11-24',
  slot: { start: '2025-11-24T08:30:00.000Z', end: '2025-11-24T08:50:00.000Z' },
  reason: '  Rinnovo carta d’identità  ',
  name: ' Maria Esposito ',
  email: ' maria@example.org ',
  phone: '',
});

test('a complete draft becomes the request body, trimmed, without empty contacts', () => {
  const result = validateDraft(complete());
  assert.ok(result.ok);
  assert.deepEqual(result.value, {
    serviceId: 'anagrafe-cie',
    slotStart: '2025-11-24T08:30:00.000Z',
    reason: 'Rinnovo carta d’identità',
    name: 'Maria Esposito',
    email: 'maria@example.org',
  });
});

test('an empty reason and a missing name are named by field', () => {
  const result = validateDraft({ ...complete(), reason: '   ', name: '' });
  assert.ok(!result.ok);
  assert.equal(result.errors.reason, 'form.errors.reasonRequired');
  assert.equal(result.errors.name, 'form.errors.nameRequired');
});

test('a reason over 500 characters is too long', () => {
  assert.deepEqual(errorsFor({ ...complete(), reason: 'x'.repeat(501) }, STEP_FIELDS.reason), {
    reason: 'form.errors.reasonTooLong',
  });
});

test('neither e-mail nor phone asks for one contact; a phone alone is enough', () => {
  assert.deepEqual(errorsFor({ ...complete(), email: '' }, STEP_FIELDS.contacts), {
    contact: 'form.errors.contactRequired',
  });
  assert.ok(validateDraft({ ...complete(), email: '', phone: '+39 333 123 4567' }).ok);
});

test('a malformed e-mail or phone is reported on its own field', () => {
  const errors = errorsFor({ ...complete(), email: 'maria@', phone: '333-abc' }, STEP_FIELDS.contacts);
  assert.deepEqual(errors, { email: 'form.errors.emailInvalid', phone: 'form.errors.phoneInvalid' });
});

test('a step sees only its own fields, and a missing slot is reported as such', () => {
  const draft = { ...complete(), slot: undefined, email: '' };
  assert.deepEqual(errorsFor(draft, STEP_FIELDS.reason), {});
  const result = validateDraft(draft);
  assert.ok(!result.ok);
  assert.equal(result.errors.slot, 'form.errors.slotRequired');
});

test('a video appointment from home with the answers to the booking questions, trimmed, in order', () => {
  const questions = [
    { label: 'Da quale comune arrivi?', required: true },
    { label: 'Note', required: false },
  ];
  const result = validateDraft({ ...complete(), mode: 'home', questions, answers: [' Bologna '] });
  assert.ok(result.ok);
  assert.equal(result.value.mode, 'home');
  assert.deepEqual(result.value.answers, [
    { question: 'Da quale comune arrivi?', answer: 'Bologna' },
    { question: 'Note', answer: '' },
  ]);
});

test('a required booking question left empty is refused on the reason step', () => {
  const draft = {
    ...complete(),
    questions: [{ label: 'Primo documento o rinnovo?', required: true }],
    answers: ['  '],
  };
  assert.deepEqual(errorsFor(draft, STEP_FIELDS.reason), { answers: 'form.errors.answerRequired' });
  assert.deepEqual(errorsFor({ ...draft, answers: ['Rinnovo'] }, STEP_FIELDS.reason), {});
});
