// The summary step's rows: every choice and answer of the draft, each with the step that changes
// it. Empty contacts and unanswered optional questions add no row.
import { t } from '../../shared/browser/i18n.ts';
import type { BookingDraft } from '../common/booking-form.ts';
import { formatSlot } from '../common/calendar.ts';
import type { DetailRow } from './render.ts';

export type SummaryStep = 'office' | 'service' | 'when' | 'reason' | 'contacts';

export function summaryRows(
  d: BookingDraft,
  names: { office: string; service: string },
  lang: string,
  goTo: (step: SummaryStep) => void,
): DetailRow[] {
  const row = (label: string, value: string, step: SummaryStep): DetailRow => ({
    label,
    value,
    change: () => goTo(step),
  });
  const rows = [
    row(t('steps.summary.office'), names.office, 'office'),
    row(t('steps.summary.service'), names.service, 'service'),
    row(t('steps.summary.when'), d.slot ? formatSlot(d.slot, lang) : '', 'when'),
  ];
  if (d.mode === 'home') rows.push(row(t('steps.summary.mode'), t('steps.service.mode.home'), 'service'));
  rows.push(row(t('steps.summary.reason'), d.reason.trim(), 'reason'));
  d.questions.forEach((q, i) => {
    const answer = (d.answers[i] ?? '').trim();
    if (answer) rows.push(row(q.label, answer, 'reason'));
  });
  rows.push(row(t('steps.summary.name'), d.name.trim(), 'contacts'));
  if (d.email.trim()) rows.push(row(t('steps.summary.email'), d.email.trim(), 'contacts'));
  if (d.phone.trim()) rows.push(row(t('steps.summary.phone'), d.phone.trim(), 'contacts'));
  return rows;
}
