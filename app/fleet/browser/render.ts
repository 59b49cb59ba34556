// Rendering of the fleet table and of one totem's detail. Rows are kept per totem and updated in
// place, so that the 5-second refresh neither moves focus nor makes screen readers re-read the page.
import type { FleetTotem, FleetTotemDetail, Heartbeat } from '@sportello/protocol';
import { t } from '../../shared/browser/i18n.ts';

export function formatTime(iso: string | null, language: string): string {
  if (!iso) return t('fleet.never');
  return new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'it-IT', {
    dateStyle: 'short',
    timeStyle: 'medium',
    hourCycle: 'h23',
  }).format(new Date(iso));
}

export function statusText(totem: FleetTotem, language: string): string {
  return t(`status.${totem.status}`, { time: formatTime(totem.lastSeenAt, language) });
}

function versions(h: Heartbeat | null): string {
  return h?.versions
    ? Object.entries(h.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')
    : '—';
}

function cell(row: HTMLTableRowElement, index: number): HTMLElement {
  return row.cells[index]!;
}

export class TotemTable {
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(
    private readonly body: HTMLTableSectionElement,
    private readonly onOpen: (id: string) => void,
  ) {}

  update(totems: FleetTotem[], language: string): void {
    const seen = new Set<string>();
    for (const totem of totems) {
      seen.add(totem.id);
      let row = this.rows.get(totem.id);
      if (!row) {
        row = document.createElement('tr');
        row.dataset.totem = totem.id;
        const name = document.createElement('th');
        name.scope = 'row';
        row.append(name);
        for (let i = 1; i < 6; i++) row.append(document.createElement('td'));
        const badge = document.createElement('span');
        badge.className = 'badge';
        const reason = document.createElement('span');
        reason.className = 'reason';
        cell(row, 2).append(badge, ' ', reason);
        const open = document.createElement('button');
        open.type = 'button';
        open.addEventListener('click', () => this.onOpen(totem.id));
        cell(row, 5).append(open);
        this.body.append(row);
        this.rows.set(totem.id, row);
      }
      cell(row, 0).textContent = totem.name;
      cell(row, 1).textContent = totem.siteName;
      const badge = row.querySelector<HTMLElement>('.badge')!;
      badge.dataset.status = totem.status;
      badge.textContent = statusText(totem, language);
      row.querySelector<HTMLElement>('.reason')!.textContent = totem.statusReason ?? '';
      cell(row, 3).textContent = formatTime(totem.lastSeenAt, language);
      cell(row, 4).textContent = versions(totem.heartbeat);
      const open = row.querySelector('button')!;
      open.textContent = t('fleet.open');
      open.setAttribute('aria-label', t('fleet.openLabel', { name: totem.name }));
    }
    for (const [id, row] of this.rows) {
      if (!seen.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
  }

  clear(): void {
    for (const row of this.rows.values()) row.remove();
    this.rows.clear();
  }
}

function fact(list: HTMLElement, key: string, value: string): void {
  const dt = document.createElement('dt');
  dt.textContent = t(`detail.fact.${key}`);
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.fact = key;
  list.append(dt, dd);
}

export function renderDetail(
  d: FleetTotemDetail,
  language: string,
  els: { title: HTMLElement; facts: HTMLElement; actions: HTMLElement; history: HTMLElement },
): void {
  const { totem } = d;
  const h = totem.heartbeat;
  els.title.textContent = totem.name;
  els.facts.replaceChildren();
  fact(els.facts, 'id', totem.id);
  fact(els.facts, 'site', totem.siteName);
  fact(els.facts, 'status', [statusText(totem, language), totem.statusReason].filter(Boolean).join(' — '));
  fact(els.facts, 'connected', t(totem.connected ? 'detail.yes' : 'detail.no'));
  fact(els.facts, 'credential', t(`detail.credential.${totem.credential}`));
  fact(els.facts, 'fingerprint', totem.keyFingerprint ?? '—');
  fact(els.facts, 'enrolled', formatTime(totem.enrolledAt, language));
  fact(els.facts, 'clone', totem.cloneSuspectedAt ? formatTime(totem.cloneSuspectedAt, language) : '—');
  fact(els.facts, 'versions', versions(h));
  fact(els.facts, 'health', h?.health ? t(`detail.health.${h.health}`) : '—');
  fact(
    els.facts,
    'devices',
    h?.devices
      ? Object.entries(h.devices)
          .map(([k, v]) => `${k}: ${t(`detail.device.${v.status}`)}${v.detail ? ` (${v.detail})` : ''}`)
          .join(', ')
      : '—',
  );
  fact(els.facts, 'lastSync', h?.lastSync?.at ? formatTime(h.lastSync.at, language) : '—');
  fact(els.facts, 'clockOffset', h?.clockOffsetMs !== undefined ? `${h.clockOffsetMs} ms` : '—');
  fact(els.facts, 'disk', h?.diskFreeBytes !== undefined ? formatBytes(h.diskFreeBytes) : '—');
  fact(
    els.facts,
    'lastError',
    h?.lastError ? `${formatTime(h.lastError.at, language)} ${h.lastError.message}` : '—',
  );

  els.actions.replaceChildren(
    ...(d.actions.length
      ? d.actions.map((a) => {
          const li = document.createElement('li');
          li.textContent = t('detail.actionLine', {
            kind: t(`detail.action.${a.kind}`),
            status: t(`detail.actionStatus.${a.status}`),
            time: formatTime(a.requestedAt, language),
            who: a.requestedBy,
          });
          return li;
        })
      : [Object.assign(document.createElement('li'), { textContent: t('detail.noActions') })]),
  );

  els.history.replaceChildren(
    ...d.history.map(({ receivedAt, heartbeat }) => {
      const tr = document.createElement('tr');
      for (const text of [
        formatTime(receivedAt, language),
        t(`detail.state.${heartbeat.state}`) + (heartbeat.reason ? ` — ${heartbeat.reason}` : ''),
        heartbeat.health ? t(`detail.health.${heartbeat.health}`) : '—',
        heartbeat.lastSync?.ageSeconds != null ? `${Math.round(heartbeat.lastSync.ageSeconds)} s` : '—',
        heartbeat.diskFreeBytes !== undefined ? formatBytes(heartbeat.diskFreeBytes) : '—',
        heartbeat.lastError?.message ?? '—',
      ]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      return tr;
    }),
  );
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  return `${Math.round(n / 1e3)} kB`;
}
