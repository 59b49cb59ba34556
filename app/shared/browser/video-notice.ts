// The notice both sides of a call see while a link carries less video (W-5): whose link it is and
// what that means, from the levels the server tells each page. When both links are weak, both are
// named, the page's own first.
import type { VideoLevel } from '@sportello/protocol';
import { t } from './i18n.ts';

type Role = 'kiosk' | 'operator';
const RANK = { full: 0, low: 1, paused: 2 } as const;

/**
 * Fills `el` from the levels: hidden when both links carry full video. `prefix` is the page
 * family's key prefix ("kiosk.call" or "operator.call"), whose `videoNotice` keys hold the texts.
 * `data-level` is the worse level, `data-who` is 'self', 'other' or 'both'.
 */
export function renderVideoNotice(
  el: HTMLElement,
  levels: Record<Role, VideoLevel>,
  self: Role,
  prefix: string,
): void {
  const other: Role = self === 'kiosk' ? 'operator' : 'kiosk';
  const parts: string[] = [];
  if (levels[self] !== 'full') parts.push(`self${levels[self] === 'paused' ? 'Paused' : 'Low'}`);
  if (levels[other] !== 'full') parts.push(`other${levels[other] === 'paused' ? 'Paused' : 'Low'}`);
  const worse = RANK[levels[self]] >= RANK[levels[other]] ? levels[self] : levels[other];
  el.hidden = parts.length === 0;
  el.dataset.level = worse;
  el.dataset.who = parts.length === 2 ? 'both' : levels[self] !== 'full' ? 'self' : 'other';
  el.textContent = parts.map((p) => t(`${prefix}.videoNotice.${p}`)).join(' ');
}
