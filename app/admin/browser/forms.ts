// Form helpers of the administration page: the server's refusals shown beside the field they name
// (aria-invalid, aria-describedby, the first one focused), and small readers for checkbox groups.
import { ADMIN_MESSAGES } from '@sportello/protocol';
import type { ApiFailure } from '../../shared/browser/api-client.ts';
import { t } from '../../shared/browser/i18n.ts';

export function clearErrors(form: HTMLElement): void {
  for (const p of form.querySelectorAll('.field-error')) p.remove();
  for (const el of form.querySelectorAll('[aria-invalid]')) {
    el.removeAttribute('aria-invalid');
    const described = (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter((id) => id && !id.startsWith('err-'));
    if (described.length > 0) el.setAttribute('aria-describedby', described.join(' '));
    else el.removeAttribute('aria-describedby');
  }
}

/** The element for a field path: exact (`entries.0.end`) or its nearest parent (`questions`). */
function fieldElement(form: HTMLElement, field: string): HTMLElement | null {
  const parts = field.split('.');
  for (let n = parts.length; n > 0; n--) {
    const el = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(parts.slice(0, n).join('.'))}"]`);
    if (el) return el;
  }
  return null;
}

let counter = 0;

const MESSAGE_KEYS = new Map<string, string>(Object.entries(ADMIN_MESSAGES).map(([k, v]) => [v, k]));

/** The page's own words for a sentence of the server's catalogue; other sentences as sent. */
export function translated(message: string): string {
  const key = MESSAGE_KEYS.get(message);
  return key ? t(`validation.${key}`) : message;
}

/**
 * Shows each refused field beside its control. Returns the refusals no control matched (the page
 * shows those in its alert).
 */
export function showErrors(form: HTMLElement, err: ApiFailure): string[] {
  clearErrors(form);
  const unmatched: string[] = [];
  let first: HTMLElement | undefined;
  for (const f of err.fields) {
    const el = fieldElement(form, f.field);
    if (!el) {
      unmatched.push(`${f.field}: ${f.message}`);
      continue;
    }
    const control =
      el instanceof HTMLFieldSetElement ? (el.querySelector<HTMLElement>('input, select') ?? el) : el;
    const p = document.createElement('p');
    p.className = 'field-error';
    p.id = `err-${++counter}`;
    p.textContent = t('errors.field', { message: translated(f.message) });
    (el.closest('.field') ?? el).append(p);
    for (const target of el instanceof HTMLFieldSetElement ? [el, control] : [control]) {
      target.setAttribute('aria-invalid', 'true');
      const described = target.getAttribute('aria-describedby');
      target.setAttribute('aria-describedby', described ? `${described} ${p.id}` : p.id);
    }
    first ??= control;
  }
  first?.focus();
  return unmatched;
}

/** Checkboxes for a list of choices (offices, languages), `name` = the group. */
export function fillChoices(
  group: HTMLElement,
  name: string,
  choices: { value: string; label: string }[],
  checked: string[],
): void {
  for (const el of group.querySelectorAll('.choice')) el.remove();
  for (const c of choices) {
    const wrap = document.createElement('span');
    wrap.className = 'choice';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.id = `${name}-${c.value}`;
    input.value = c.value;
    input.checked = checked.includes(c.value);
    const label = document.createElement('label');
    label.htmlFor = input.id;
    label.textContent = c.label;
    wrap.append(input, label);
    group.append(wrap);
  }
}

export function checkedValues(group: HTMLElement): string[] {
  return [...group.querySelectorAll<HTMLInputElement>('input[type=checkbox]:checked')].map((i) => i.value);
}

export function input(id: string): HTMLInputElement {
  return document.getElementById(id) as HTMLInputElement;
}

/** A button in a table row; its accessible name says what it acts on ("Edit Anagrafe"). */
export function rowButton(
  key: string,
  subject: string,
  onClick: () => void,
  className?: string,
): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = t(key);
  b.setAttribute('aria-label', t(`${key}Named`, { name: subject }));
  if (className) b.className = className;
  b.addEventListener('click', onClick);
  return b;
}

export function cell(text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
}
