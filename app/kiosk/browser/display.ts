// The configured display on the page: the layout (portrait or landscape), the physical scale and
// the reach zone of the screen profile as CSS variables (kiosk.css), the municipality's name and
// crest. Applied again when the viewport or the text size changes, since the masthead's height
// decides how much information fits above the reach line.
import type { KioskDisplay } from '@sportello/protocol';
import { t } from '../../shared/browser/i18n.ts';
import { byId } from '../../shared/browser/dom.ts';
import { reachBand, type ReachBand } from '../common/screens.ts';

let current: KioskDisplay | undefined;

/** The reach band now in force (read by the end-to-end tests, U-4). */
export let band: ReachBand | undefined;

export function applyDisplay(display: KioskDisplay): void {
  const changed = JSON.stringify(display) !== JSON.stringify(current);
  current = display;
  if (changed) {
    document.documentElement.dataset.layout = display.layout;
    byId('municipality').textContent = display.municipality.name;
    const image = byId<HTMLImageElement>('crest-image');
    const drawn = byId('crest');
    const crest = display.municipality.crest;
    image.hidden = crest === undefined;
    drawn.hidden = crest !== undefined;
    if (crest !== undefined && image.getAttribute('src') !== crest) image.src = crest;
  }
  translateDisplay();
  layout();
}

/** The crest's text alternative follows the language. */
export function translateDisplay(): void {
  if (!current) return;
  const alt = t('kiosk.header.crest', { name: current.municipality.name });
  byId<HTMLImageElement>('crest-image').alt = alt;
  byId('crest').setAttribute('aria-label', alt);
}

/** Sets the millimetre scale and the reach line from the viewport as it is now. */
export function layout(): void {
  if (!current) return;
  const root = document.documentElement;
  band = reachBand(current.profile, { width: window.innerWidth, height: window.innerHeight });
  root.style.setProperty('--mm', `${band.pxPerMm}px`);
  root.style.setProperty('--target', `${band.minTargetPx}px`);
  root.style.setProperty('--below-reach', `${Math.max(0, window.innerHeight - band.bottomPx)}px`);
  // The screens start below the masthead and banners: the reach line is measured from there.
  const top = document.querySelector('main')!.getBoundingClientRect().top;
  root.style.setProperty('--info-min', `${Math.max(0, Math.ceil(band.topPx - top))}px`);
}

window.addEventListener('resize', layout);
