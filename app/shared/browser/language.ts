// The language switch of the pages a person opens in their own browser (booking page, fleet page):
// buttons with class "lang" and data-lang, the choice remembered on the device. The kiosk does not
// use it: there the language belongs to the kiosk core and is forgotten after every citizen.
import { applyTranslations, setLanguage } from './i18n.ts';

export type PageLanguage = 'it' | 'en';

/** The language this page last used on this device; Italian when none, or when storage is off. */
export function storedLanguage(key: string): PageLanguage {
  try {
    return localStorage.getItem(key) === 'en' ? 'en' : 'it';
  } catch {
    return 'it';
  }
}

/**
 * Wires the page's language buttons: the pressed state follows `current()`; a click remembers the
 * choice, translates the static text, then lets the page redraw what it built itself.
 */
export function wireLanguageButtons(
  key: string,
  current: () => PageLanguage,
  onChange: (language: PageLanguage) => void | Promise<void>,
): void {
  const buttons = [...document.querySelectorAll<HTMLButtonElement>('button.lang')];
  const mark = () => {
    for (const b of buttons) b.setAttribute('aria-pressed', String(b.dataset.lang === current()));
  };
  for (const b of buttons) {
    b.addEventListener('click', async () => {
      const language: PageLanguage = b.dataset.lang === 'en' ? 'en' : 'it';
      try {
        localStorage.setItem(key, language);
      } catch {
        // Not remembered across visits; the switch still works for this one.
      }
      await setLanguage(language);
      applyTranslations();
      await onChange(language);
      mark();
    });
  }
  mark();
}
