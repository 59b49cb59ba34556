// The fleet page's "Messages to citizens" panel: the e-mails and SMS that fail or are being
// retried (GET /api/admin/messages), so that administrators see a gateway in trouble (M-1). No
// recipient is ever shown; the booking id and the reason are what one acts on.
import type { MessageJob } from '@sportello/protocol';
import { byId } from '../../shared/browser/dom.ts';
import { t } from '../../shared/browser/i18n.ts';
import { formatTime } from './render.ts';

export function renderMessages(jobs: MessageJob[], language: string): void {
  byId('messages-empty').hidden = jobs.length > 0;
  byId('messages-table').hidden = jobs.length === 0;
  byId('messages-rows').replaceChildren(
    ...jobs.map((j) => {
      const tr = document.createElement('tr');
      const cells = [
        t(`messages.kind.${j.kind}`),
        t(`messages.channel.${j.channel}`),
        t(`messages.status.${j.status}`),
        String(j.attempts),
        j.status === 'failed' ? '—' : formatTime(j.dueAt, language),
        j.lastError ?? '',
      ];
      tr.append(
        ...cells.map((text) => {
          const td = document.createElement('td');
          td.textContent = text;
          return td;
        }),
      );
      return tr;
    }),
  );
}
