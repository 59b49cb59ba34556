// Weekly schedules, exceptions and holidays. A change that would leave booked appointments outside
// the schedule comes back as a list of conflicts; the administrator reads it and either changes
// the schedule or keeps those bookings and saves (the server then saves with them confirmed).
import {
  ADMIN_ROUTES,
  type CalendarException,
  type ScheduleConflict,
  type ScheduleEntry,
} from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { submit } from './catalogue-view.ts';
import { conflictsOf, showConflicts } from './conflicts.ts';
import { cell, clearErrors, input, rowButton } from './forms.ts';
import { api, canChange, data, failure, officeName, operatorName, say, showAlert } from './state.ts';

/* Weekly schedule ------------------------------------------------------------------------------ */

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 0];
let rows: ScheduleEntry[] = [];

function selectOf(options: { value: string; label: string }[], value: string, field: string, label: string) {
  const select = document.createElement('select');
  select.dataset.field = field;
  select.setAttribute('aria-label', label);
  select.replaceChildren(...options.map((o) => new Option(o.label, o.value)));
  select.value = value;
  return select;
}

function timeInput(value: string, field: string, label: string): HTMLInputElement {
  const el = document.createElement('input');
  el.type = 'time';
  el.value = value;
  el.dataset.field = field;
  el.setAttribute('aria-label', label);
  return el;
}

function readRows(): ScheduleEntry[] {
  const body = byId<HTMLTableElement>('schedule-table').tBodies[0]!;
  return [...body.rows].map((tr, i) => ({
    operatorId: tr.querySelector<HTMLSelectElement>(`[data-field="entries.${i}.operatorId"]`)!.value,
    weekday: Number(tr.querySelector<HTMLSelectElement>(`[data-field="entries.${i}.weekday"]`)!.value),
    start: tr.querySelector<HTMLInputElement>(`[data-field="entries.${i}.start"]`)!.value,
    end: tr.querySelector<HTMLInputElement>(`[data-field="entries.${i}.end"]`)!.value,
  }));
}

function renderRows(): void {
  const service = data.services.find((s) => s.id === byId<HTMLSelectElement>('schedule-service').value);
  const operators = data.operators
    .filter((o) => o.active && (!service || o.offices.includes(service.officeId)))
    .map((o) => ({ value: o.id, label: o.displayName }));
  const days = WEEKDAYS.map((d) => ({ value: String(d), label: t(`weekday.${d}`) }));
  const body = byId<HTMLTableElement>('schedule-table').tBodies[0]!;
  body.replaceChildren(
    ...rows.map((r, i) => {
      const tr = document.createElement('tr');
      const n = i + 1;
      const ops = operators.some((o) => o.value === r.operatorId)
        ? operators
        : [...operators, { value: r.operatorId, label: operatorName(r.operatorId) }];
      const cells = [
        selectOf(ops, r.operatorId, `entries.${i}.operatorId`, t('schedules.rowOperator', { n })),
        selectOf(days, String(r.weekday), `entries.${i}.weekday`, t('schedules.rowWeekday', { n })),
        timeInput(r.start, `entries.${i}.start`, t('schedules.rowStart', { n })),
        timeInput(r.end, `entries.${i}.end`, t('schedules.rowEnd', { n })),
      ].map((control) => {
        const td = document.createElement('td');
        const field = document.createElement('div');
        field.className = 'field';
        control.disabled = !canChange();
        field.append(control);
        td.append(field);
        return td;
      });
      const actions = document.createElement('td');
      if (canChange()) {
        actions.append(
          rowButton('schedules.remove', String(n), () => {
            rows = readRows().filter((_r, j) => j !== i);
            renderRows();
          }),
        );
      }
      tr.append(...cells, actions);
      return tr;
    }),
  );
}

async function loadSchedule(): Promise<void> {
  const id = byId<HTMLSelectElement>('schedule-service').value;
  byId('schedule-conflicts').hidden = true;
  clearErrors(byId('schedule-form'));
  if (!id) {
    rows = [];
    return renderRows();
  }
  try {
    rows = (await api.call(ADMIN_ROUTES.readSchedule, { params: { id } })).entries;
  } catch (err) {
    failure(err);
    rows = [];
  }
  renderRows();
}

async function saveSchedule(acceptConflicts?: string[]): Promise<void> {
  const form = byId<HTMLFormElement>('schedule-form');
  const id = byId<HTMLSelectElement>('schedule-service').value;
  rows = readRows();
  let conflicts: ScheduleConflict[] | undefined;
  const ok = await submit(
    form,
    async () => {
      try {
        const saved = await api.call(ADMIN_ROUTES.saveSchedule, {
          params: { id },
          body: { entries: rows, ...(acceptConflicts ? { acceptConflicts } : {}) },
        });
        rows = saved.entries;
      } catch (err) {
        conflicts = conflictsOf(err);
        throw err;
      }
    },
    'schedules.saved',
  );
  if (conflicts) showAlert(undefined);
  showConflicts(byId('schedule-conflicts'), conflicts, (ids) => void saveSchedule(ids));
  if (ok) renderRows();
}

export function renderSchedules(): void {
  const select = byId<HTMLSelectElement>('schedule-service');
  const current = select.value;
  select.replaceChildren(
    ...data.services.map((s) => new Option(`${s.name} — ${officeName(s.officeId)}`, s.id)),
  );
  if (data.services.some((s) => s.id === current)) select.value = current;
  void loadSchedule();
}

/* Exceptions and holidays ---------------------------------------------------------------------- */

let exceptions: CalendarException[] = [];

export async function renderExceptions(): Promise<void> {
  const office = byId<HTMLSelectElement>('exception-office');
  const chosen = office.value;
  office.replaceChildren(
    new Option(t('exceptions.allOffices'), ''),
    ...data.offices.map((o) => new Option(o.name, o.id)),
  );
  office.value = chosen;
  try {
    exceptions = await api.call(ADMIN_ROUTES.listExceptions, { query: {} });
  } catch (err) {
    failure(err);
  }
  const body = byId<HTMLTableElement>('exceptions-table').tBodies[0]!;
  body.replaceChildren(
    ...exceptions.map((x) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      if (canChange()) {
        actions.append(
          rowButton('exceptions.remove', `${x.date} ${x.label}`, () => void removeException(x), 'danger'),
        );
      }
      tr.append(
        cell(x.date),
        cell(officeName(x.officeId)),
        cell(x.closed ? t('exceptions.closedAllDay') : `${x.start}–${x.end}`),
        cell(x.label),
        actions,
      );
      return tr;
    }),
  );
  syncClosed();
}

function syncClosed(): void {
  const closed = input('exception-closed').checked;
  input('exception-start').disabled = closed;
  input('exception-end').disabled = closed;
}

async function removeException(x: CalendarException): Promise<void> {
  showAlert(undefined);
  try {
    await api.call(ADMIN_ROUTES.deleteException, { params: { id: x.id } });
    say('exceptions.removed');
    await renderExceptions();
  } catch (err) {
    failure(err);
  }
}

async function saveException(acceptConflicts?: string[]): Promise<void> {
  const form = byId<HTMLFormElement>('exception-form');
  const closed = input('exception-closed').checked;
  let conflicts: ScheduleConflict[] | undefined;
  const ok = await submit(
    form,
    async () => {
      try {
        await api.call(ADMIN_ROUTES.createException, {
          body: {
            officeId: byId<HTMLSelectElement>('exception-office').value || null,
            date: input('exception-date').value,
            closed,
            ...(closed || !input('exception-start').value ? {} : { start: input('exception-start').value }),
            ...(closed || !input('exception-end').value ? {} : { end: input('exception-end').value }),
            label: input('exception-label').value,
            ...(acceptConflicts ? { acceptConflicts } : {}),
          },
        });
      } catch (err) {
        conflicts = conflictsOf(err);
        throw err;
      }
    },
    'exceptions.saved',
  );
  if (conflicts) showAlert(undefined);
  showConflicts(byId('exception-conflicts'), conflicts, (ids) => void saveException(ids));
  if (ok) {
    form.reset();
    await renderExceptions();
  }
}

export function wireCalendar(): void {
  byId('schedule-service').addEventListener('change', () => void loadSchedule());
  byId('schedule-add').addEventListener('click', () => {
    rows = readRows();
    const service = data.services.find((s) => s.id === byId<HTMLSelectElement>('schedule-service').value);
    const op = data.operators.find((o) => o.active && service && o.offices.includes(service.officeId));
    rows.push({ operatorId: op?.id ?? '', weekday: 1, start: '09:00', end: '12:00' });
    renderRows();
    byId<HTMLTableElement>('schedule-table').tBodies[0]!.lastElementChild?.querySelector('select')?.focus();
  });
  byId<HTMLFormElement>('schedule-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void saveSchedule();
  });
  input('exception-closed').addEventListener('change', syncClosed);
  byId<HTMLFormElement>('exception-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void saveException();
  });
}
