// What every view of the administration page shares: the API client, the catalogue it has read,
// the signed-in role, and the alert and status lines.
import type { AccountRole, AdminOffice, AdminOperator, AdminService, AdminSite } from '@sportello/protocol';
import { ADMIN_ROUTES } from '@sportello/protocol';
import { ApiClient, ApiFailure } from '../../shared/browser/api-client.ts';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';

export const api = new ApiClient();

export const data = {
  offices: [] as AdminOffice[],
  services: [] as AdminService[],
  operators: [] as AdminOperator[],
  sites: [] as AdminSite[],
};

export const session = { role: undefined as AccountRole | undefined, id: '', language: 'it' as 'it' | 'en' };
export const canChange = () => session.role === 'administrator';

const KNOWN_ERRORS = new Set(['network', 'not-signed-in', 'forbidden', 'bad-credentials', 'rate-limited']);

export function showAlert(text: string | undefined): void {
  const el = byId('alert');
  el.hidden = !text;
  el.textContent = text ?? '';
}

export function say(key: string, options?: Record<string, unknown>): void {
  byId('status').textContent = t(key, options);
}

/** An error the view did not handle: a sentence in the alert (the server's own for 400/404/409). */
export function failure(err: unknown, unmatched: string[] = []): void {
  if (!(err instanceof ApiFailure)) return showAlert(t('errors.generic'));
  if (KNOWN_ERRORS.has(err.code)) return showAlert(t(`errors.${err.code}`));
  if (unmatched.length > 0) return showAlert(t('errors.invalid', { details: unmatched.join('; ') }));
  if (err.code === 'invalid-request' || err.code === 'invalid-field') return showAlert(t('errors.fixFields'));
  showAlert(err.status >= 400 && err.status < 500 ? err.message : t('errors.generic'));
}

export async function loadCatalogue(): Promise<void> {
  const [offices, services, operators, sites] = await Promise.all([
    api.call(ADMIN_ROUTES.listOffices),
    api.call(ADMIN_ROUTES.listServices),
    api.call(ADMIN_ROUTES.listOperators),
    api.call(ADMIN_ROUTES.listSites),
  ]);
  Object.assign(data, { offices, services, operators, sites });
}

export const officeName = (id: string | null) =>
  id === null ? t('exceptions.allOffices') : (data.offices.find((o) => o.id === id)?.name ?? id);
export const operatorName = (id: string | null) =>
  id === null ? '—' : (data.operators.find((o) => o.id === id)?.displayName ?? id);

export function formatDateTime(iso: string): string {
  return new Date(iso).toLocaleString(session.language === 'it' ? 'it-IT' : 'en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}
