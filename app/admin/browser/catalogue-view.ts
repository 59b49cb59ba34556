// Offices and services: tables of what exists, one form each to add or change.
import {
  ADMIN_ROUTES,
  type AdminOffice,
  type AdminService,
  type BookingQuestion,
  type ServiceInput,
} from '@sportello/protocol';
import { ApiFailure } from '../../shared/browser/api-client.ts';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { cell, clearErrors, input, rowButton, showErrors } from './forms.ts';
import { api, canChange, data, failure, loadCatalogue, officeName, say, showAlert } from './state.ts';

/** Sets a form's heading to "new" or "edit" and remembers what it edits. */
export function setEditing(form: HTMLFormElement, id: string | undefined, name?: string): void {
  form.dataset.editing = id ?? '';
  const title = form.querySelector<HTMLElement>('.form-title');
  if (title) title.textContent = id ? t(title.dataset.edit!, { name }) : t(title.dataset.new!);
  for (const el of form.querySelectorAll<HTMLElement>('[data-create-only]')) el.hidden = !!id;
  for (const el of form.querySelectorAll<HTMLElement>('[data-edit-only]')) el.hidden = !id;
  clearErrors(form);
}

/** Submits a form's change; field refusals go beside the fields, the rest to the alert. */
export async function submit(
  form: HTMLFormElement,
  run: () => Promise<unknown>,
  done: string,
): Promise<boolean> {
  showAlert(undefined);
  clearErrors(form);
  try {
    await run();
    say(done);
    return true;
  } catch (err) {
    failure(err, err instanceof ApiFailure ? showErrors(form, err) : []);
    return false;
  }
}

/* Offices ------------------------------------------------------------------------------------- */

const officeForm = () => byId<HTMLFormElement>('office-form');

function editOffice(o: AdminOffice | undefined): void {
  setEditing(officeForm(), o?.id, o?.name);
  input('office-name').value = o?.name ?? '';
  input('office-walk-in').checked = o?.walkIn ?? false;
  if (o) input('office-name').focus();
}

export function renderOffices(): void {
  const body = byId<HTMLTableElement>('offices-table').tBodies[0]!;
  body.replaceChildren(
    ...data.offices.map((o) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      if (canChange()) actions.append(rowButton('common.edit', o.name, () => editOffice(o)));
      tr.append(cell(o.name), cell(o.id), cell(t(o.walkIn ? 'common.yes' : 'common.no')), actions);
      return tr;
    }),
  );
  if (!officeForm().dataset.editing) editOffice(undefined);
}

/* Services ------------------------------------------------------------------------------------ */

const serviceForm = () => byId<HTMLFormElement>('service-form');

/** One question per line; a line ending in "*" is a question the citizen must answer. */
function questionsText(questions: BookingQuestion[]): string {
  return questions.map((q) => (q.required ? `${q.label} *` : q.label)).join('\n');
}
function parseQuestions(text: string): BookingQuestion[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) =>
      l.endsWith('*') ? { label: l.slice(0, -1).trim(), required: true } : { label: l, required: false },
    );
}

function editService(s: AdminService | undefined): void {
  setEditing(serviceForm(), s?.id, s?.name);
  const office = byId<HTMLSelectElement>('service-office');
  office.replaceChildren(...data.offices.map((o) => new Option(o.name, o.id)));
  office.value = s?.officeId ?? data.offices[0]?.id ?? '';
  input('service-name').value = s?.name ?? '';
  input('service-minutes').value = String(s?.slotMinutes ?? 20);
  input('service-totem').checked = s?.atTotem ?? true;
  input('service-home').checked = s?.fromHome ?? false;
  byId<HTMLTextAreaElement>('service-questions').value = questionsText(s?.questions ?? []);
  byId<HTMLTextAreaElement>('service-bring').value = s?.whatToBring ?? '';
  if (s) input('service-name').focus();
}

export function renderServices(): void {
  const body = byId<HTMLTableElement>('services-table').tBodies[0]!;
  body.replaceChildren(
    ...data.services.map((s) => {
      const tr = document.createElement('tr');
      const channels = [s.atTotem ? t('services.atTotem') : '', s.fromHome ? t('services.fromHome') : '']
        .filter(Boolean)
        .join(', ');
      const actions = document.createElement('td');
      if (canChange()) actions.append(rowButton('common.edit', s.name, () => editService(s)));
      tr.append(
        cell(s.name),
        cell(officeName(s.officeId)),
        cell(String(s.slotMinutes)),
        cell(channels),
        cell(s.questions.map((q) => q.label).join(' · ')),
        actions,
      );
      return tr;
    }),
  );
  if (!serviceForm().dataset.editing) editService(undefined);
}

export function wireCatalogue(refresh: () => void): void {
  officeForm().addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = officeForm().dataset.editing;
    const body = { name: input('office-name').value, walkIn: input('office-walk-in').checked };
    const ok = await submit(
      officeForm(),
      () =>
        id
          ? api.call(ADMIN_ROUTES.updateOffice, { params: { id }, body })
          : api.call(ADMIN_ROUTES.createOffice, { body }),
      'offices.saved',
    );
    if (ok) {
      editOffice(undefined);
      await loadCatalogue();
      refresh();
    }
  });
  officeForm()
    .querySelector('[data-reset]')!
    .addEventListener('click', () => editOffice(undefined));

  serviceForm().addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = serviceForm().dataset.editing;
    const minutes = input('service-minutes').value.trim();
    const body = {
      officeId: byId<HTMLSelectElement>('service-office').value,
      name: input('service-name').value,
      // Sent as typed, so a bad value is refused by the server with its reason.
      slotMinutes: minutes === '' || Number.isNaN(Number(minutes)) ? minutes : Number(minutes),
      questions: parseQuestions(byId<HTMLTextAreaElement>('service-questions').value),
      atTotem: input('service-totem').checked,
      fromHome: input('service-home').checked,
      whatToBring: byId<HTMLTextAreaElement>('service-bring').value,
    } as unknown as ServiceInput;
    const ok = await submit(
      serviceForm(),
      () =>
        id
          ? api.call(ADMIN_ROUTES.updateService, { params: { id }, body })
          : api.call(ADMIN_ROUTES.createService, { body }),
      'services.saved',
    );
    if (ok) {
      editService(undefined);
      await loadCatalogue();
      refresh();
    }
  });
  serviceForm()
    .querySelector('[data-reset]')!
    .addEventListener('click', () => editService(undefined));
}
