// The citizen's reading modes: high contrast and large text, a toggle each on every screen. They
// belong to one citizen: the page drops them when the kiosk forgets that citizen (citizenSeq).
import { byId } from '../../shared/browser/dom.ts';

type Mode = 'contrast' | 'text';
const MODES: Record<Mode, { button: string; on: string }> = {
  contrast: { button: 'btn-contrast', on: 'high' },
  text: { button: 'btn-large-text', on: 'large' },
};

function set(mode: Mode, on: boolean, after: () => void): void {
  const root = document.documentElement;
  if (on) root.dataset[mode] = MODES[mode].on;
  else delete root.dataset[mode];
  byId(MODES[mode].button).setAttribute('aria-pressed', String(on));
  after();
}

/** Wires the toggles; `after` runs once a mode changed (the layout depends on the text size). */
export function wireModes(after: () => void): void {
  for (const mode of Object.keys(MODES) as Mode[]) {
    byId(MODES[mode].button).addEventListener('click', () =>
      set(mode, document.documentElement.dataset[mode] === undefined, after),
    );
  }
}

export function resetModes(after: () => void): void {
  for (const mode of Object.keys(MODES) as Mode[]) set(mode, false, after);
}
