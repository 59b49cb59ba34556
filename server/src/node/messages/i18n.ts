// The server's own i18next instance for messages to citizens: one JSON per language beside this
// file, loaded synchronously at start. Messages are plain text, so interpolation does not escape.
import { MESSAGE_LANGUAGES } from '@sportello/protocol';
import i18next, { type TFunction } from 'i18next';
import { readFileSync } from 'node:fs';

export type MessageLanguage = (typeof MESSAGE_LANGUAGES)[number];

export function loadMessageLocale(language: MessageLanguage): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./locales/${language}.json`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

const instance = i18next.createInstance();
void instance.init({
  initImmediate: false,
  showSupportNotice: false,
  lng: MESSAGE_LANGUAGES[0],
  fallbackLng: MESSAGE_LANGUAGES[0],
  supportedLngs: [...MESSAGE_LANGUAGES],
  interpolation: { escapeValue: false },
  resources: Object.fromEntries(MESSAGE_LANGUAGES.map((l) => [l, { translation: loadMessageLocale(l) }])),
});

export function isMessageLanguage(value: string): value is MessageLanguage {
  return (MESSAGE_LANGUAGES as readonly string[]).includes(value);
}

/** The translator for a citizen's language (unknown languages get the default). */
export function messageT(language: string): TFunction {
  return instance.getFixedT(isMessageLanguage(language) ? language : MESSAGE_LANGUAGES[0]);
}
