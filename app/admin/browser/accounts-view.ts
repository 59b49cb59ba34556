// Accounts: operators, supervisors and administrators, with their offices, languages and state.
// Deactivating one ends its sessions and closes its console at once (the server does it).
import {
  ADMIN_ROUTES,
  type AccountRole,
  type AdminOperator,
  type ScheduleConflict,
} from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { setEditing, submit } from './catalogue-view.ts';
import { conflictsOf, showConflicts } from './conflicts.ts';
import { cell, checkedValues, fillChoices, input, rowButton } from './forms.ts';
import { api, canChange, data, loadCatalogue, officeName, showAlert } from './state.ts';

const LANGUAGES = ['it', 'en', 'de', 'fr', 'es'];
const form = () => byId<HTMLFormElement>('operator-form');
const passwordForm = () => byId<HTMLFormElement>('password-form');

function edit(op: AdminOperator | undefined): void {
  setEditing(form(), op?.id, op?.displayName);
  const username = input('operator-username');
  username.value = op?.username ?? '';
  username.readOnly = !!op;
  input('operator-name').value = op?.displayName ?? '';
  input('operator-password').value = '';
  byId<HTMLSelectElement>('operator-role').value = op?.role ?? 'operator';
  fillChoices(
    byId('operator-offices'),
    'operator-office',
    data.offices.map((o) => ({ value: o.id, label: o.name })),
    op?.offices ?? [],
  );
  fillChoices(
    byId('operator-languages'),
    'operator-language',
    LANGUAGES.map((l) => ({ value: l, label: t(`languages.${l}`) })),
    op?.languages ?? ['it'],
  );
  input('operator-active').checked = op?.active ?? true;
  passwordForm().hidden = !op;
  byId('operator-conflicts').hidden = true;
  passwordForm().dataset.editing = op?.id ?? '';
  input('reset-password').value = '';
  if (op) input('operator-name').focus();
}

export function renderOperators(): void {
  const body = byId<HTMLTableElement>('operators-table').tBodies[0]!;
  body.replaceChildren(
    ...data.operators.map((op) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      if (canChange()) actions.append(rowButton('common.edit', op.displayName, () => edit(op)));
      tr.append(
        cell(op.displayName),
        cell(op.username),
        cell(t(`role.${op.role}`)),
        cell(op.offices.map(officeName).join(', ')),
        cell(op.languages.map((l) => t(`languages.${l}`, { defaultValue: l })).join(', ')),
        cell(t(op.active ? 'operators.isActive' : 'operators.isInactive')),
        actions,
      );
      return tr;
    }),
  );
  if (!form().dataset.editing) edit(undefined);
}

export function wireAccounts(refresh: () => void): void {
  const save = async (acceptConflicts?: string[]) => {
    const id = form().dataset.editing;
    const common = {
      displayName: input('operator-name').value,
      role: byId<HTMLSelectElement>('operator-role').value as AccountRole,
      offices: checkedValues(byId('operator-offices')),
      languages: checkedValues(byId('operator-languages')),
    };
    let conflicts: ScheduleConflict[] | undefined;
    const ok = await submit(
      form(),
      () =>
        id
          ? api
              .call(ADMIN_ROUTES.updateOperator, {
                params: { id },
                body: {
                  ...common,
                  active: input('operator-active').checked,
                  ...(acceptConflicts ? { acceptConflicts } : {}),
                },
              })
              .catch((err: unknown) => {
                conflicts = conflictsOf(err);
                throw err;
              })
          : api.call(ADMIN_ROUTES.createOperator, {
              body: {
                ...common,
                username: input('operator-username').value,
                password: input('operator-password').value,
              },
            }),
      id && !input('operator-active').checked ? 'operators.deactivated' : 'operators.saved',
    );
    if (conflicts) showAlert(undefined);
    showConflicts(byId('operator-conflicts'), conflicts, (ids) => void save(ids));
    if (ok) {
      edit(undefined);
      await loadCatalogue();
      refresh();
    }
  };
  form().addEventListener('submit', (e) => {
    e.preventDefault();
    void save();
  });
  form()
    .querySelector('[data-reset]')!
    .addEventListener('click', () => edit(undefined));
  passwordForm().addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = passwordForm().dataset.editing;
    if (!id) return;
    const ok = await submit(
      passwordForm(),
      () =>
        api.call(ADMIN_ROUTES.resetPassword, {
          params: { id },
          body: { password: input('reset-password').value },
        }),
      'operators.passwordSet',
    );
    if (ok) input('reset-password').value = '';
  });
}
