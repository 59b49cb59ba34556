// The citizen's reading modes: high contrast and large text, a toggle each on every screen, and
// the keypad's '*' '#' stepping through them (reading-modes.ts). They belong to one citizen: the
// page drops them when the kiosk forgets that citizen (citizenSeq).
import { byId } from '../../shared/browser/dom.ts';
import { nextReadingModes } from '../common/reading-modes.ts';

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

/** The keypad's '*' '#': the next combination of the modes (U-1). */
export function stepModes(after: () => void): void {
  const root = document.documentElement;
  const next = nextReadingModes({
    contrast: root.dataset.contrast !== undefined,
    text: root.dataset.text !== undefined,
  });
  set('contrast', next.contrast, () => {});
  set('text', next.text, after);
}
