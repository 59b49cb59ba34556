// The fleet page for municipal IT: sign in (administrators and supervisors), the totems with their
// status refreshed every 5 seconds, one totem's detail and history, remote actions, revocation, and
// enrollment tokens. Supervisors see everything but the buttons that act.
import {
  ADMIN_ROUTES,
  FLEET_ROUTES,
  OPERATOR_ROUTES,
  type AccountRole,
  type FleetTotem,
  type RemoteActionKind,
} from '@sportello/protocol';
import QRCode from 'qrcode';
import { byId, showScreen } from '../../shared/browser/dom.ts';
import { applyTranslations, initI18n, setLanguage, t } from '../../shared/browser/i18n.ts';
import { storedLanguage, wireLanguageButtons, type PageLanguage } from '../../shared/browser/language.ts';
import it from '../common/locales/it.json';
import en from '../common/locales/en.json';
import { ApiClient, ApiFailure } from '../../shared/browser/api-client.ts';
import { formatTime, renderDetail, TotemTable } from './render.ts';
import { renderMessages } from './messages-panel.ts';

const SESSION_KEY = 'sportello-fleet-session';
const LANGUAGE_KEY = 'sportello-fleet-language';
const REFRESH_MS = 5000;
const KNOWN_ERRORS = new Set([
  'network',
  'not-signed-in',
  'forbidden',
  'bad-credentials',
  'totem-in-call',
  'totem-revoked',
  'too-many-actions',
  'rate-limited',
]);

interface Session {
  token: string;
  name: string;
  role: AccountRole;
}

const api = new ApiClient();
let language: PageLanguage = 'it';
let session: Session | undefined;
let selected: string | undefined;
let totems: FleetTotem[] = [];
let timer: ReturnType<typeof setInterval> | undefined;
let lastEnrollment: { token: string; expiresAt: string; uri: string } | undefined;
const table = new TotemTable(byId<HTMLTableElement>('totems').tBodies[0]!, (id) => void openDetail(id, true));

function stored(storage: () => Storage, key: string): string | null {
  try {
    return storage().getItem(key);
  } catch {
    // Storage may be switched off; the page then works for this visit only.
    return null;
  }
}

function showAlert(key: string | undefined, options?: Record<string, unknown>): void {
  const el = byId('alert');
  el.hidden = !key;
  el.textContent = key ? t(key, options) : '';
}

function say(key: string, options?: Record<string, unknown>): void {
  byId('status').textContent = t(key, options);
}

function failure(err: unknown): void {
  if (err instanceof ApiFailure && (err.code === 'not-signed-in' || err.status === 401) && session) {
    signOut();
    showAlert('errors.not-signed-in');
    return;
  }
  const code = err instanceof ApiFailure ? err.code : 'generic';
  showAlert(KNOWN_ERRORS.has(code) ? `errors.${code}` : 'errors.generic', { code });
}

const canAct = () => session?.role === 'administrator';

async function refresh(): Promise<void> {
  try {
    totems = await api.call(FLEET_ROUTES.listTotems);
    table.update(totems, language);
    const online = totems.filter((x) => x.status === 'online' || x.status === 'in-call').length;
    byId('fleet-summary').textContent = t('fleet.summary', {
      total: totems.length,
      online,
      attention: totems.length - online,
    });
    if (selected) await openDetail(selected, false);
    renderMessages(
      await api.call(FLEET_ROUTES.listMessages, { query: { filter: 'failing', limit: 50 } }),
      language,
    );
  } catch (err) {
    failure(err);
  }
}

async function openDetail(id: string, focus: boolean): Promise<void> {
  selected = id;
  const detail = await api
    .call(FLEET_ROUTES.readTotem, { params: { id }, query: { history: 20 } })
    .catch((err: unknown) => {
      failure(err);
      return undefined;
    });
  if (!detail) return;
  byId('detail').hidden = false;
  renderDetail(detail, language, {
    title: byId('detail-title'),
    facts: byId('detail-facts'),
    actions: byId('detail-action-list'),
    history: byId('detail-history'),
  });
  const revoked = detail.totem.status === 'revoked';
  for (const b of byId('detail-actions').querySelectorAll('button')) b.disabled = revoked;
  if (focus) byId('detail-title').focus();
}

function startPolling(): void {
  stopPolling();
  void refresh();
  timer = setInterval(() => void refresh(), REFRESH_MS);
}

function stopPolling(): void {
  if (timer) clearInterval(timer);
  timer = undefined;
}

async function enterFleet(): Promise<void> {
  const who = byId('who');
  who.hidden = false;
  who.textContent = t('app.signedInAs', { name: session!.name, role: t(`role.${session!.role}`) });
  byId('btn-sign-out').hidden = false;
  byId('detail-actions').hidden = !canAct();
  byId('enroll').hidden = !canAct();
  showScreen('fleet');
  if (canAct()) {
    const select = byId<HTMLSelectElement>('enroll-site');
    const sites = await api.call(ADMIN_ROUTES.listSites).catch((err: unknown) => {
      failure(err);
      return [];
    });
    select.replaceChildren(...sites.map((s) => new Option(s.name, s.id)));
  }
  startPolling();
}

function signOut(): void {
  stopPolling();
  session = undefined;
  api.token = undefined;
  selected = undefined;
  table.clear();
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // Nothing stored.
  }
  byId('who').hidden = true;
  byId('btn-sign-out').hidden = true;
  byId('detail').hidden = true;
  showScreen('sign-in');
}

function renderEnrollment(): void {
  const box = byId('enroll-result');
  box.hidden = !lastEnrollment;
  if (!lastEnrollment) return;
  byId('enroll-token').textContent = lastEnrollment.token;
  byId('enroll-uri').textContent = lastEnrollment.uri;
  const uri = lastEnrollment.uri;
  // The SVG is made here from the enrollment address only; nothing else goes into the markup.
  QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then(
    (svg) => {
      if (lastEnrollment?.uri === uri) byId('enroll-qr').innerHTML = svg;
    },
    () => {
      byId('enroll-qr').textContent = '';
    },
  );
  byId('enroll-expiry').textContent = t('enroll.expiry', {
    time: formatTime(lastEnrollment.expiresAt, language),
  });
}

function wire(): void {
  byId<HTMLFormElement>('sign-in-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showAlert(undefined);
    const username = byId<HTMLInputElement>('username').value.trim();
    const password = byId<HTMLInputElement>('password').value;
    try {
      const s = await api.call(OPERATOR_ROUTES.signIn, { body: { username, password } });
      const role = s.operator.role ?? 'operator';
      if (role === 'operator') return showAlert('errors.notAdmin');
      session = { token: s.token, name: s.operator.displayName, role };
      api.token = s.token;
      try {
        sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
      } catch {
        // Not remembered on reload; signing in again is enough.
      }
      byId<HTMLInputElement>('password').value = '';
      await enterFleet();
    } catch (err) {
      failure(err);
    }
  });
  byId('btn-sign-out').addEventListener('click', signOut);

  for (const b of byId('detail-actions').querySelectorAll<HTMLButtonElement>('button[data-action]')) {
    b.addEventListener('click', async () => {
      if (!selected) return;
      showAlert(undefined);
      const kind = b.dataset.action as RemoteActionKind;
      try {
        await api.call(FLEET_ROUTES.requestAction, { params: { id: selected }, body: { kind } });
        say('detail.actionQueued', { kind: t(`detail.action.${kind}`) });
        await openDetail(selected, false);
      } catch (err) {
        failure(err);
      }
    });
  }
  byId('btn-revoke').addEventListener('click', () => {
    byId('revoke-form').hidden = false;
    byId('revoke-reason').focus();
  });
  byId('btn-revoke-cancel').addEventListener('click', () => {
    byId('revoke-form').hidden = true;
    byId('btn-revoke').focus();
  });
  byId<HTMLFormElement>('revoke-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!selected) return;
    try {
      const reason = byId<HTMLInputElement>('revoke-reason').value.trim();
      await api.call(FLEET_ROUTES.revokeTotem, { params: { id: selected }, body: reason ? { reason } : {} });
      byId('revoke-form').hidden = true;
      say('detail.revoked');
      await refresh();
    } catch (err) {
      failure(err);
    }
  });

  byId<HTMLFormElement>('enroll-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    showAlert(undefined);
    try {
      lastEnrollment = await api.call(FLEET_ROUTES.createEnrollment, {
        body: {
          siteId: byId<HTMLSelectElement>('enroll-site').value,
          totemName: byId<HTMLInputElement>('enroll-name').value.trim(),
          validMinutes: Number(byId<HTMLInputElement>('enroll-minutes').value),
        },
      });
      renderEnrollment();
      say('enroll.created');
    } catch (err) {
      failure(err);
    }
  });

  wireLanguageButtons(
    LANGUAGE_KEY,
    () => language,
    async (chosen) => {
      language = chosen;
      renderEnrollment();
      if (session) {
        byId('who').textContent = t('app.signedInAs', {
          name: session.name,
          role: t(`role.${session.role}`),
        });
        await refresh();
      }
    },
  );
}

async function main(): Promise<void> {
  language = storedLanguage(LANGUAGE_KEY);
  await initI18n({ it: { translation: it }, en: { translation: en } }, language);
  await setLanguage(language);
  applyTranslations();
  wire();
  const saved = stored(() => sessionStorage, SESSION_KEY);
  if (saved) {
    try {
      session = JSON.parse(saved) as Session;
      api.token = session.token;
      await enterFleet();
      return;
    } catch {
      session = undefined;
    }
  }
  showScreen('sign-in');
}

void main();
