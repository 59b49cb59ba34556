// The citizen's booking page. Italian first, English on request (remembered on this device). The
// address decides what is shown: /booking/#manage=<token> is a booking's personal link,
// #cancel=<token>, #reschedule=<token> and #join=<token> (video from home) are the links of the
// messages, #privacy the privacy
// notice, #legal-notes and #accessibility the legal notes and the accessibility statement; anything
// else is the booking form, whose steps are entries in the browser history. The look is
// bootstrap-italia's (style/kit.scss) with Titillium Web from the package (style/fonts.css).
import '../style/fonts.css';
import '../style/kit.scss';
import '../booking.css';
import { byId } from '../../shared/browser/dom.ts';
import { applyTranslations, initI18n, setLanguage } from '../../shared/browser/i18n.ts';
import { storedLanguage, wireLanguageButtons, type PageLanguage } from '../../shared/browser/language.ts';
import it from '../common/locales/it.json';
import en from '../common/locales/en.json';
import { BookingFlow } from './flow.ts';
import { ManageView } from './manage.ts';
import { LinkPage, type LinkAction } from './link-view.ts';
import type { JoinPage } from './join-view.ts';
import { setMessage, showStep } from './render.ts';
import { fontsReady, loadMunicipality, renderMunicipality, renderStepper, reveal } from './frame.ts';

const LANGUAGE_KEY = 'sportello-booking-language';
let language: PageLanguage = 'it';
const currentLanguage = () => language;

function fragment(name: string): string | undefined {
  const match = new RegExp(`^#${name}=(.*)$`).exec(location.hash);
  return match ? decodeURIComponent(match[1]!) : undefined;
}

async function main(): Promise<void> {
  language = storedLanguage(LANGUAGE_KEY);
  await Promise.all([
    initI18n({ it: { translation: it }, en: { translation: en } }, language),
    loadMunicipality(),
    fontsReady(),
  ]);
  await setLanguage(language);
  applyTranslations();
  renderMunicipality();
  const flow = new BookingFlow(currentLanguage);
  const manage = new ManageView(currentLanguage);
  const links = new LinkPage(currentLanguage);
  if (!location.hash) await flow.preload();
  let view: 'flow' | 'manage' | 'link' | 'page' | 'join' = 'flow';
  let join: JoinPage | undefined;
  /** The fixed pages of the family, by address. */
  const PAGES: Record<string, string> = {
    '#privacy': 'privacy',
    '#legal-notes': 'legal',
    '#accessibility': 'accessibility',
  };
  let page = 'privacy';
  const leaveFlow = () => {
    setMessage('progress', undefined);
    renderStepper([], -1);
  };

  const route = (focus: boolean) => {
    const token = fragment('manage');
    if (token !== undefined) {
      view = 'manage';
      leaveFlow();
      return manage.open(token);
    }
    const joinToken = fragment('join');
    if (joinToken !== undefined) {
      view = 'join';
      leaveFlow();
      // The media client is loaded only by the join page.
      return void import('./join-view.ts').then(({ JoinPage }) => {
        join ??= new JoinPage(currentLanguage);
        join.open(joinToken);
      });
    }
    for (const action of ['cancel', 'reschedule'] as LinkAction[]) {
      const linkToken = fragment(action);
      if (linkToken !== undefined) {
        view = 'link';
        leaveFlow();
        return links.open(action, linkToken);
      }
    }
    if (PAGES[location.hash]) {
      view = 'page';
      page = PAGES[location.hash]!;
      leaveFlow();
      return showStep(page, focus);
    }
    view = 'flow';
    const step = (history.state as { step?: unknown } | null)?.step;
    if (step === undefined) history.replaceState({ step: 'office' }, '', location.pathname + location.search);
    flow.show(step ?? 'office', focus);
  };

  wireLanguageButtons(LANGUAGE_KEY, currentLanguage, (chosen) => {
    language = chosen;
    renderMunicipality();
    if (view === 'manage') manage.render();
    else if (view === 'link') links.render();
    else if (view === 'join') join?.render();
    else if (view === 'flow') flow.render();
    // The title follows the heading of the step on screen; focus stays on the language button.
    showStep(view === 'flow' ? flow.step : view === 'page' ? page : view, false);
  });
  byId('manage-new').addEventListener('click', (e) => {
    e.preventDefault();
    view = 'flow';
    flow.startOver();
  });
  window.addEventListener('popstate', () => route(true));
  route(false);
  reveal();
}

void main();
