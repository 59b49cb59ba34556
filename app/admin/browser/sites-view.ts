// Sites (where totems stand) and which offices their totems serve.
import { ADMIN_ROUTES, type AdminSite } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { setEditing, submit } from './catalogue-view.ts';
import { cell, checkedValues, fillChoices, input, rowButton } from './forms.ts';
import { api, canChange, data, loadCatalogue, officeName } from './state.ts';

const form = () => byId<HTMLFormElement>('site-form');

function edit(site: AdminSite | undefined): void {
  setEditing(form(), site?.id, site?.name);
  input('site-name').value = site?.name ?? '';
  fillChoices(
    byId('site-offices'),
    'site-office',
    data.offices.map((o) => ({ value: o.id, label: o.name })),
    site?.offices ?? [],
  );
  if (site) input('site-name').focus();
}

export function renderSites(): void {
  const body = byId<HTMLTableElement>('sites-table').tBodies[0]!;
  body.replaceChildren(
    ...data.sites.map((s) => {
      const tr = document.createElement('tr');
      const actions = document.createElement('td');
      if (canChange()) actions.append(rowButton('common.edit', s.name, () => edit(s)));
      tr.append(cell(s.name), cell(s.offices.map(officeName).join(', ')), cell(String(s.totems)), actions);
      return tr;
    }),
  );
  if (!form().dataset.editing) edit(undefined);
}

export function wireSites(refresh: () => void): void {
  form().addEventListener('submit', async (e) => {
    e.preventDefault();
    const id = form().dataset.editing;
    const body = { name: input('site-name').value, offices: checkedValues(byId('site-offices')) };
    const ok = await submit(
      form(),
      () =>
        id
          ? api.call(ADMIN_ROUTES.updateSite, { params: { id }, body })
          : api.call(ADMIN_ROUTES.createSite, { body }),
      'sites.saved',
    );
    if (ok) {
      edit(undefined);
      await loadCatalogue();
      refresh();
    }
  });
  form()
    .querySelector('[data-reset]')!
    .addEventListener('click', () => edit(undefined));
}
