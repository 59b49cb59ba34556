// The citizen's booking page. Italian first, English on request (remembered on this device). The
// address decides what is shown: /booking/#manage=<token> is a booking's personal link, anything
// else is the booking form, whose steps are entries in the browser history.
import { byId } from '../../shared/browser/dom.ts';
import { applyTranslations, initI18n, setLanguage } from '../../shared/browser/i18n.ts';
import { storedLanguage, wireLanguageButtons, type PageLanguage } from '../../shared/browser/language.ts';
import it from '../common/locales/it.json';
import en from '../common/locales/en.json';
import { BookingFlow } from './flow.ts';
import { ManageView } from './manage.ts';
import { showStep } from './render.ts';

const LANGUAGE_KEY = 'sportello-booking-language';
let language: PageLanguage = 'it';
const currentLanguage = () => language;

function manageToken(): string | undefined {
  const match = /^#manage=(.*)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

async function main(): Promise<void> {
  language = storedLanguage(LANGUAGE_KEY);
  await initI18n({ it: { translation: it }, en: { translation: en } }, language);
  await setLanguage(language);
  applyTranslations();
  const flow = new BookingFlow(currentLanguage);
  const manage = new ManageView(currentLanguage);
  let view: 'flow' | 'manage' = 'flow';

  const route = (focus: boolean) => {
    const token = manageToken();
    if (token !== undefined) {
      view = 'manage';
      return manage.open(token);
    }
    view = 'flow';
    const step = (history.state as { step?: unknown } | null)?.step;
    if (step === undefined) history.replaceState({ step: 'office' }, '', location.pathname + location.search);
    flow.show(step ?? 'office', focus);
  };

  wireLanguageButtons(LANGUAGE_KEY, currentLanguage, (chosen) => {
    language = chosen;
    if (view === 'manage') manage.render();
    else flow.render();
    // The title follows the heading of the step on screen; focus stays on the language button.
    showStep(view === 'manage' ? 'manage' : flow.step, false);
  });
  byId('manage-new').addEventListener('click', (e) => {
    e.preventDefault();
    view = 'flow';
    flow.startOver();
  });
  window.addEventListener('popstate', () => route(true));
  route(false);
}

void main();
