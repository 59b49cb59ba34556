// The kiosk's spoken prompts (U-2): one per screen and language, rendered to WAV by espeak-ng when
// the pages are built (app/kiosk/node/render-prompts.ts) and played by the page (audio-guide.ts).
// Nothing is synthesised at run time and nothing comes from the network.
import { KIOSK_SCREEN_IDS, type KioskScreenId } from './screens.ts';
import { PROMPT_LANGUAGES, type PromptLanguage } from './prompt-languages.ts';

export * from './prompt-languages.ts';

export type ScreenId = KioskScreenId;

/** The screen ids the page announces: the kiosk state's screens and the page's overlays (screens.ts). */
export const SCREEN_IDS: readonly ScreenId[] = KIOSK_SCREEN_IDS;

export function isPromptLanguage(language: string): language is PromptLanguage {
  return (PROMPT_LANGUAGES as readonly string[]).includes(language);
}
