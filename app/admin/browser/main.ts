// The administration page for municipal IT: offices, services, accounts, weekly schedules,
// exceptions and holidays, sites. Administrators change them; supervisors read them (the forms
// are hidden); operators are sent away. Every change goes through the route table's client, and
// the server audits it.
import { OPERATOR_ROUTES, type AccountRole } from '@sportello/protocol';
import { ApiFailure } from '../../shared/browser/api-client.ts';
import { byId, showScreen } from '../../shared/browser/dom.ts';
import { applyTranslations, initI18n, setLanguage, t } from '../../shared/browser/i18n.ts';
import { storedLanguage, wireLanguageButtons } from '../../shared/browser/language.ts';
import it from '../common/locales/it.json';
import en from '../common/locales/en.json';
import { renderOperators, wireAccounts } from './accounts-view.ts';
import { renderExceptions, renderSchedules, wireCalendar } from './calendar-view.ts';
import { renderOffices, renderServices, wireCatalogue } from './catalogue-view.ts';
import { renderSites, wireSites } from './sites-view.ts';
import { api, canChange, failure, loadCatalogue, session, showAlert } from './state.ts';

const SESSION_KEY = 'sportello-admin-session';
const LANGUAGE_KEY = 'sportello-admin-language';
type Tab = 'offices' | 'services' | 'operators' | 'schedules' | 'exceptions' | 'sites';
let tab: Tab = 'offices';

interface Stored {
  token: string;
  id: string;
  name: string;
  role: AccountRole;
}

function render(): void {
  if (tab === 'offices') renderOffices();
  if (tab === 'services') renderServices();
  if (tab === 'operators') renderOperators();
  if (tab === 'schedules') renderSchedules();
  if (tab === 'exceptions') void renderExceptions();
  if (tab === 'sites') renderSites();
}

function open(next: Tab, focus: boolean): void {
  tab = next;
  showAlert(undefined);
  byId('status').textContent = '';
  for (const b of byId('tabs').querySelectorAll<HTMLButtonElement>('button[data-tab]')) {
    if (b.dataset.tab === next) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  showScreen(next);
  render();
  if (focus) byId(`${next}-title`).focus();
}

async function enter(s: Stored): Promise<void> {
  api.token = s.token;
  session.role = s.role;
  session.id = s.id;
  try {
    await loadCatalogue();
  } catch (err) {
    if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) signOut();
    return failure(err);
  }
  const who = byId('who');
  who.hidden = false;
  who.textContent = t('app.signedInAs', { name: s.name, role: t(`role.${s.role}`) });
  byId('btn-sign-out').hidden = false;
  byId('tabs').hidden = false;
  byId('read-only').hidden = canChange();
  for (const el of document.querySelectorAll<HTMLElement>('[data-admin-only]')) el.hidden = !canChange();
  open(tab, false);
}

function signOut(): void {
  api.token = undefined;
  session.role = undefined;
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored.
  }
  byId('who').hidden = true;
  byId('btn-sign-out').hidden = true;
  byId('tabs').hidden = true;
  byId('read-only').hidden = true;
  showScreen('sign-in');
}

function wire(): void {
  byId<HTMLFormElement>('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showAlert(undefined);
    try {
      const s = await api.call(OPERATOR_ROUTES.signIn, {
        body: {
          username: byId<HTMLInputElement>('username').value.trim(),
          password: byId<HTMLInputElement>('password').value,
        },
      });
      const role = s.operator.role ?? 'operator';
      if (role === 'operator') return showAlert(t('errors.notAdmin'));
      const stored: Stored = { token: s.token, id: s.operator.id, name: s.operator.displayName, role };
      try {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(stored));
      } catch {
        // Not remembered on reload; signing in again is enough.
      }
      byId<HTMLInputElement>('password').value = '';
      await enter(stored);
    } catch (err) {
      failure(err);
    }
  });
  byId('btn-sign-out').addEventListener('click', signOut);
  for (const b of byId('tabs').querySelectorAll<HTMLButtonElement>('button[data-tab]')) {
    b.addEventListener('click', () => open(b.dataset.tab as Tab, true));
  }
  wireCatalogue(render);
  wireAccounts(render);
  wireCalendar();
  wireSites(render);
  wireLanguageButtons(
    LANGUAGE_KEY,
    () => session.language,
    (chosen) => {
      session.language = chosen;
      if (session.role) render();
    },
  );
}

async function main(): Promise<void> {
  session.language = storedLanguage(LANGUAGE_KEY);
  await initI18n({ it: { translation: it }, en: { translation: en } }, session.language);
  await setLanguage(session.language);
  applyTranslations();
  wire();
  let saved: string | null = null;
  try {
    saved = sessionStorage.getItem(SESSION_KEY);
  } catch {
    // Storage switched off: sign in every visit.
  }
  if (saved) {
    try {
      return await enter(JSON.parse(saved) as Stored);
    } catch {
      // A damaged entry: sign in again.
    }
  }
  showScreen('sign-in');
}

void main();
