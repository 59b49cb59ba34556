// The notice both sides of a call see while a link carries less video (W-5): whose link it is and
// what that means, from the levels the server tells each page. The page's own link comes first.
import type { VideoLevel } from '@sportello/protocol';
import { t } from './i18n.ts';

type Role = 'kiosk' | 'operator';

/**
 * Fills `el` from the levels: hidden when both links carry full video. `prefix` is the page
 * family's key prefix ("kiosk.call" or "operator.call"), whose `videoNotice` keys hold the texts.
 */
export function renderVideoNotice(
  el: HTMLElement,
  levels: Record<Role, VideoLevel>,
  self: Role,
  prefix: string,
): void {
  const other: Role = self === 'kiosk' ? 'operator' : 'kiosk';
  const rank = { full: 0, low: 1, paused: 2 } as const;
  const who = rank[levels[self]] >= rank[levels[other]] ? 'self' : 'other';
  const level = levels[who === 'self' ? self : other];
  el.hidden = level === 'full';
  el.dataset.level = level;
  el.dataset.who = who;
  if (level === 'full') {
    el.textContent = '';
    return;
  }
  el.dataset.i18n = `${prefix}.videoNotice.${who}${level === 'paused' ? 'Paused' : 'Low'}`;
  el.textContent = t(el.dataset.i18n);
}
