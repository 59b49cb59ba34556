// The frame around every view of the booking pages: the municipality's name and contact (from the
// server configuration) in the header, footer and legal pages, the step indicator of the booking,
// and the first paint, held until the text, the font and the name are ready so that nothing moves
// once it is on screen (no layout shift).
import type { Municipality } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { bookingApi } from './api-client.ts';

/** Shown until the server says otherwise, and if it cannot be reached. */
const UNKNOWN: Municipality = { name: '', email: '' };
let municipality: Municipality = UNKNOWN;

/** Reads who runs the service; a failure leaves the generic wording (the booking still works). */
export async function loadMunicipality(): Promise<void> {
  try {
    municipality = await bookingApi.municipality();
  } catch {
    municipality = UNKNOWN;
  }
}

/** Fills the municipality's name, e-mail and the sentences that quote them, in the current language. */
export function renderMunicipality(): void {
  const name = municipality.name || t('app.brand');
  for (const el of document.querySelectorAll<HTMLElement>('[data-municipality="name"]'))
    el.textContent = name;
  const email = byId<HTMLAnchorElement>('footer-email');
  if (municipality.email) {
    email.href = `mailto:${municipality.email}`;
    email.textContent = municipality.email;
  } else {
    email.removeAttribute('href');
    email.textContent = '';
  }
  const contact = municipality.email || t('legal.noEmail');
  for (const el of document.querySelectorAll<HTMLElement>('[data-municipality-text]'))
    el.textContent = t(el.dataset.municipalityText!, { name, email: contact });
  // The validator wants the statement published on AgID's site; without one, the page of ours.
  const agid = municipality.accessibilityStatementUrl;
  byId<HTMLAnchorElement>('accessibility-link').href = agid ?? '#accessibility';
  byId('accessibility-agid').hidden = !agid;
  if (agid) byId<HTMLAnchorElement>('accessibility-agid-link').href = agid;
}

/**
 * Waits for the Titillium faces the first screen uses. Local files, so this is quick; a broken
 * font must not keep the page blank, hence the cap (a safeguard, not a timing the page relies on).
 */
export async function fontsReady(capMs = 3000): Promise<void> {
  if (!('fonts' in document)) return;
  const faces = ['400 1em "Titillium Web"', '600 1em "Titillium Web"', '700 1em "Titillium Web"'];
  await Promise.race([
    Promise.all(faces.map((f) => document.fonts.load(f))).catch(() => undefined),
    new Promise((resolve) => setTimeout(resolve, capMs)),
  ]);
}

/** Shows the page, drawn once with everything in place. */
export function reveal(): void {
  document.body.classList.remove('loading');
}

/**
 * The kit's step indicator: every step's short name, the current one marked, the ones before it
 * confirmed. Outside the booking form it keeps its room but is not shown.
 */
export function renderStepper(steps: readonly string[], current: number): void {
  const nav = byId('stepper');
  nav.hidden = current < 0;
  const items = steps.map((step, i) => {
    const li = document.createElement('li');
    li.textContent = t(`stepper.${step}`);
    if (i < current) li.className = 'confirmed';
    if (i === current) {
      li.className = 'active';
      li.setAttribute('aria-current', 'step');
    }
    if (i < current) {
      const done = document.createElement('span');
      done.className = 'visually-hidden';
      done.textContent = ` (${t('stepper.confirmed')})`;
      li.append(done);
    }
    return li;
  });
  byId('stepper-steps').replaceChildren(...items);
  byId('stepper-index').textContent = current < 0 ? '' : `${current + 1}/${steps.length}`;
}
