// The time in the masthead, in the kiosk's language, from the totem's own clock and time zone.
import { byId } from '../../shared/browser/dom.ts';

let language = 'it';

function tick(): void {
  const now = new Date();
  const el = byId<HTMLTimeElement>('clock');
  el.textContent = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' }).format(now);
  el.dateTime = now.toISOString();
}

export function startClock(): void {
  tick();
  // A minute display needs no more than a few ticks a minute.
  setInterval(tick, 10_000);
}

export function setClockLanguage(l: string): void {
  language = l;
  tick();
}
