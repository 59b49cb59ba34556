// The order in which the keypad's '*' '#' steps the citizen's reading modes (U-1): each step
// changes one mode, large text first (the commonest need), so that four steps come back to none
// and a citizen who overshoots only has to go on.
export interface ReadingModes {
  contrast: boolean;
  text: boolean;
}

export const READING_MODE_CYCLE: readonly ReadingModes[] = [
  { contrast: false, text: false },
  { contrast: false, text: true },
  { contrast: true, text: true },
  { contrast: true, text: false },
];

/** The modes after one '*' '#', from any combination (set by touch or by keys). */
export function nextReadingModes(now: ReadingModes): ReadingModes {
  const i = READING_MODE_CYCLE.findIndex((m) => m.contrast === now.contrast && m.text === now.text);
  return READING_MODE_CYCLE[(i + 1) % READING_MODE_CYCLE.length]!;
}
