// The languages the kiosk speaks and espeak-ng's voice for each. Kept free of imports so that the
// page build (app/vite.config.ts, run by plain Node) can load it.

/** Every language the kiosk speaks. Each has app/kiosk/common/prompts/<lang>.json. */
export const PROMPT_LANGUAGES = ['it', 'en', 'de', 'fr', 'sl'] as const;
export type PromptLanguage = (typeof PROMPT_LANGUAGES)[number];

/** espeak-ng's voice for each language (`espeak-ng --voices`). */
export const ESPEAK_VOICES: Record<PromptLanguage, string> = {
  it: 'it',
  en: 'en-gb',
  de: 'de',
  fr: 'fr-fr',
  sl: 'sl',
};

/** Where the rendered prompts live inside the built kiosk page folder (app/dist/kiosk). */
export const PROMPTS_DIR = 'prompts';

/** The prompt's file, relative to the kiosk page (and to app/dist/kiosk). */
export function promptPath(language: string, screen: string): string {
  return `${PROMPTS_DIR}/${language}/${screen}.wav`;
}
