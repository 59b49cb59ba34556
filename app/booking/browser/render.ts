// Small DOM builders the booking steps share: radio choices, field errors next to their fields,
// definition lists, and the step switch that moves focus to the new heading.
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';

export interface Choice {
  value: string;
  title: string;
  hint?: string;
  disabled?: boolean;
}

/** Big radio cards: the whole card is the target, arrows move within the group as usual. */
export function renderChoices(
  container: HTMLElement,
  name: string,
  choices: Choice[],
  checked: string | undefined,
): void {
  const nodes = choices.map((c) => {
    const label = document.createElement('label');
    label.className = 'choice';
    if (c.disabled) label.classList.add('disabled');
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = name;
    input.value = c.value;
    input.checked = c.value === checked;
    input.disabled = c.disabled ?? false;
    const text = document.createElement('span');
    text.className = 'choice-text';
    const title = document.createElement('span');
    title.className = 'choice-title';
    title.textContent = c.title;
    text.append(title);
    if (c.hint) {
      const hint = document.createElement('span');
      hint.className = 'choice-hint';
      hint.textContent = c.hint;
      text.append(hint);
    }
    label.append(input, text);
    return label;
  });
  container.replaceChildren(...nodes);
}

/** Sets the i18n message (or clears it) in `<id>-error`, and marks the field invalid. */
export function showFieldError(id: string, key: string | undefined): void {
  const message = key ? t(key) : '';
  const el = byId(`${id}-error`);
  if (el.textContent !== message) el.textContent = message;
  const field = document.getElementById(id);
  if (field && (field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) {
    if (key) field.setAttribute('aria-invalid', 'true');
    else field.removeAttribute('aria-invalid');
  }
}

/** Sets a role=alert or role=status paragraph; an empty one takes no room (CSS :empty). */
export function setMessage(id: string, key: string | undefined, options?: Record<string, unknown>): void {
  const text = key ? t(key, options) : '';
  const el = byId(id);
  if (el.textContent !== text) el.textContent = text;
}

export interface DetailRow {
  label: string;
  value: string;
  /** A "change" button that brings the person back to the step that asked for it. */
  change?: () => void;
}

export function renderDetails(dl: HTMLElement, rows: DetailRow[]): void {
  dl.replaceChildren(
    ...rows.map((r) => {
      const row = document.createElement('div');
      row.className = 'row';
      const dt = document.createElement('dt');
      dt.textContent = r.label;
      const dd = document.createElement('dd');
      dd.textContent = r.value;
      row.append(dt, dd);
      if (r.change) {
        const action = document.createElement('dd');
        action.className = 'change';
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'link';
        button.textContent = t('steps.summary.change');
        button.setAttribute('aria-label', t('steps.summary.changeWhat', { what: r.label }));
        button.addEventListener('click', r.change);
        action.append(button);
        row.append(action);
      }
      return row;
    }),
  );
}

/** Shows one [data-step] section; with `focus`, moves focus to its heading for screen readers. */
export function showStep(step: string, focus: boolean): void {
  let shown: HTMLElement | undefined;
  for (const el of document.querySelectorAll<HTMLElement>('[data-step]')) {
    el.hidden = el.dataset.step !== step;
    if (!el.hidden) shown = el;
  }
  const heading = shown?.querySelector<HTMLElement>('h1');
  if (heading) {
    document.title = `${heading.textContent} – ${t('app.title')}`;
    if (focus) heading.focus();
  }
}
