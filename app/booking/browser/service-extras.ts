// What a service adds to the booking, as the administration page set it: where the citizen talks
// from (at a totem or by video from home, asked only when the service offers both), its booking
// questions (on the reason step, each a labelled field) and what to bring. The fields are built
// once per service, so that redrawing the step never takes the focus out of a field being typed in.
import type { Service } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import type { BookingDraft } from '../common/booking-form.ts';
import { renderChoices } from './render.ts';

export type BookingMode = 'totem' | 'home';

/** The channels a service offers (a service from before the administration page: totem only). */
export function modesOf(service: Service | undefined): BookingMode[] {
  if (!service) return [];
  const modes: BookingMode[] = [];
  if (service.atTotem !== false) modes.push('totem');
  if (service.fromHome) modes.push('home');
  return modes;
}

/** Sets the draft for a newly chosen service: its only channel or the totem, its questions. */
export function applyService(draft: BookingDraft, service: Service | undefined): void {
  const modes = modesOf(service);
  if (!draft.mode || !modes.includes(draft.mode)) draft.mode = modes[0];
  const questions = service?.questions ?? [];
  if (JSON.stringify(questions) !== JSON.stringify(draft.questions)) {
    draft.questions = questions.map((q) => ({ label: q.label, required: q.required }));
    draft.answers = questions.map(() => '');
  }
}

export function renderModeChoice(service: Service | undefined, mode: BookingMode | undefined): void {
  const modes = modesOf(service);
  const fieldset = byId('mode-fieldset');
  fieldset.hidden = modes.length < 2;
  if (modes.length < 2) return;
  renderChoices(
    byId('mode-options'),
    'mode',
    modes.map((m) => ({
      value: m,
      title: t(`steps.service.mode.${m}`),
      hint: t(`steps.service.mode.${m}Hint`),
    })),
    mode,
  );
}

export class QuestionFields {
  private builtFor: string | undefined;

  constructor(private readonly draft: () => BookingDraft) {
    byId('questions').addEventListener('input', (e) => {
      const input = e.target as HTMLInputElement;
      const i = Number(input.dataset.index);
      if (Number.isInteger(i)) this.draft().answers[i] = input.value;
      byId('answers-error').textContent = '';
    });
  }

  /** The reason step's questions and what to bring, for the chosen service. */
  render(service: Service | undefined, error: string | undefined): void {
    const d = this.draft();
    const key = `${service?.id ?? ''}|${JSON.stringify(d.questions)}|${t('steps.reason.optional')}`;
    if (key !== this.builtFor) {
      this.builtFor = key;
      const fields = d.questions.map((q, i) => {
        const field = document.createElement('div');
        field.className = 'field';
        const label = document.createElement('label');
        label.className = 'form-label';
        label.htmlFor = `answer-${i}`;
        label.textContent = q.required ? q.label : `${q.label} ${t('steps.reason.optional')}`;
        const input = document.createElement('input');
        input.className = 'form-control';
        input.id = `answer-${i}`;
        input.name = `answer-${i}`;
        input.maxLength = 500;
        input.dataset.index = String(i);
        input.required = q.required;
        input.value = d.answers[i] ?? '';
        input.setAttribute('aria-describedby', 'answers-error');
        field.append(label, input);
        return field;
      });
      const err = document.createElement('p');
      err.className = 'field-error';
      err.id = 'answers-error';
      err.setAttribute('role', 'alert');
      byId('questions').replaceChildren(...fields, err);
    }
    byId('answers-error').textContent = error ? t(error) : '';
    d.questions.forEach((q, i) => {
      const input = byId<HTMLInputElement>(`answer-${i}`);
      if (error && q.required && !input.value.trim()) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    });
    const bring = service?.whatToBring?.trim();
    byId('bring').hidden = !bring;
    byId('bring-text').textContent = bring ?? '';
  }
}
