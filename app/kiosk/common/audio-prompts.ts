// The kiosk's spoken prompts (U-2): one per screen and language, rendered to WAV by espeak-ng when
// the pages are built (app/kiosk/node/render-prompts.ts) and played by the page (audio-guide.ts).
// Nothing is synthesised at run time and nothing comes from the network.
import { kioskScreenSchema, type KioskScreen } from '@sportello/protocol';
import { PROMPT_LANGUAGES, type PromptLanguage } from './prompt-languages.ts';

export * from './prompt-languages.ts';

export type ScreenId = KioskScreen['screen'];

/** The screen ids: the kiosk state's screens, as declared once in the protocol. */
export const SCREEN_IDS: readonly ScreenId[] = kioskScreenSchema.options.map((o) => o.shape.screen.value);

export function isPromptLanguage(language: string): language is PromptLanguage {
  return (PROMPT_LANGUAGES as readonly string[]).includes(language);
}
