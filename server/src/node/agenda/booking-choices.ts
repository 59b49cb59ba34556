// What a citizen chooses beyond the slot: where they talk from (at a totem, or by video from home,
// as the service offers) and the answers to the service's booking questions. Checked against the
// service as it is now, so a page built before an administrator's change cannot book a channel
// the service no longer offers, nor leave a required question empty.
import type { BookingAnswer, BookingMode, BookingQuestion } from '@sportello/protocol';
import { HttpError } from '../http/errors.ts';

export interface ServiceChoices {
  at_totem: number;
  from_home: number;
  questions: string;
}

export function chosenMode(service: ServiceChoices, asked: BookingMode | undefined): BookingMode {
  const mode = asked ?? (service.at_totem === 1 ? 'totem' : 'home');
  const offered = mode === 'home' ? service.from_home === 1 : service.at_totem === 1;
  if (!offered) {
    throw new HttpError(
      409,
      'mode-not-offered',
      mode === 'home'
        ? 'This service is not offered by video from home: please choose a totem.'
        : 'This service is offered only by video from home.',
    );
  }
  return mode;
}

/**
 * The answers to store (JSON), one per question in the service's order, or null when the service
 * asks nothing. Answers to questions the service does not ask are refused, not stored (least data).
 */
export function checkedAnswers(service: ServiceChoices, given: BookingAnswer[] | undefined): string | null {
  const questions = JSON.parse(service.questions) as BookingQuestion[];
  if (questions.length === 0) {
    if (given && given.some((a) => a.answer !== '')) {
      throw new HttpError(400, 'answers-not-asked', 'This service asks no questions at booking.');
    }
    return null;
  }
  const byQuestion = new Map((given ?? []).map((a) => [a.question, a.answer]));
  for (const q of byQuestion.keys()) {
    if (!questions.some((s) => s.label === q)) {
      throw new HttpError(400, 'answers-not-asked', `This service does not ask "${q}".`);
    }
  }
  const answers = questions.map((q) => ({ question: q.label, answer: byQuestion.get(q.label) ?? '' }));
  const missing = questions.find((q, i) => q.required && answers[i]!.answer === '');
  if (missing) {
    throw new HttpError(400, 'answer-required', `Please answer: ${missing.label}`);
  }
  return JSON.stringify(answers);
}
