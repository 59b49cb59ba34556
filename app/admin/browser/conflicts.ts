// The conflicts of a refused change: booked appointments it would leave out, listed for the
// administrator, with one button that saves again keeping them (confirmed by id).
import { conflictErrorSchema, type ScheduleConflict } from '@sportello/protocol';
import { ApiFailure } from '../../shared/browser/api-client.ts';
import { t } from '../../shared/browser/i18n.ts';
import { formatDateTime, operatorName } from './state.ts';

/** Shows the conflicts of a refused change; "keep" resubmits with them confirmed. */
export function showConflicts(
  box: HTMLElement,
  conflicts: ScheduleConflict[] | undefined,
  keep: (ids: string[]) => void,
): void {
  box.hidden = !conflicts;
  if (!conflicts) return;
  box.querySelector('ul')!.replaceChildren(
    ...conflicts.map((c) => {
      const li = document.createElement('li');
      li.textContent = t('conflicts.item', {
        when: formatDateTime(c.slotStart),
        service: c.serviceName,
        operator: operatorName(c.operatorId),
        why: t(`conflicts.why.${c.why}`),
      });
      return li;
    }),
  );
  const button = box.querySelector<HTMLButtonElement>('[data-keep]')!;
  button.onclick = () => keep(conflicts.map((c) => c.bookingId));
  box.querySelector<HTMLElement>('h2')!.focus();
}

export function conflictsOf(err: unknown): ScheduleConflict[] | undefined {
  if (!(err instanceof ApiFailure) || err.code !== 'schedule-conflicts') return undefined;
  const parsed = conflictErrorSchema.safeParse(err.body);
  return parsed.success ? parsed.data.conflicts : undefined;
}
