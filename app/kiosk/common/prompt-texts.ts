// The prompts' texts, one file per language keyed by screen id, for the build (rendering) and the
// check that every screen has a prompt in every language. The page itself only plays the files.
import it from './prompts/it.json';
import en from './prompts/en.json';
import de from './prompts/de.json';
import fr from './prompts/fr.json';
import sl from './prompts/sl.json';
import type { PromptLanguage } from './prompt-languages.ts';

export const PROMPT_TEXTS: Record<PromptLanguage, Record<string, string>> = { it, en, de, fr, sl };
