// i18next for every page: one JSON per language per page family, keys checked by a test so that
// every key exists in every language. Static text in HTML names its key in a data-i18n attribute.
import i18next, { type Resource } from 'i18next';

export async function initI18n(resources: Resource, language: string): Promise<void> {
  await i18next.init({
    resources,
    lng: language,
    fallbackLng: 'it',
    interpolation: { escapeValue: false },
    showSupportNotice: false,
  });
}

export function t(key: string, options?: Record<string, unknown>): string {
  return i18next.t(key, options);
}

export async function setLanguage(language: string): Promise<void> {
  if (i18next.language !== language) await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

/** Fills every element with data-i18n (text) or data-i18n-aria (aria-label) below root. */
export function applyTranslations(root: ParentNode = document): void {
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n!);
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-aria]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAria!));
  }
  for (const el of root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder!);
  }
}
