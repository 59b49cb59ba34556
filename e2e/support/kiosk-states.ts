// One sample state per kiosk screen (the ids of app/kiosk/common/screens.ts), with citizen data in
// the ones that hold some, for the look, reach and accessibility suites.
import {
  DEFAULT_KIOSK_DISPLAY,
  SCREEN_PROFILES,
  type KioskDisplay,
  type KioskScreen,
  type KioskState,
  type Language,
} from '@sportello/protocol';
import type { KIOSK_SCREENS } from '../../app/kiosk/common/screens.ts';

type ScreenName = (typeof KIOSK_SCREENS)[number];

export const SAMPLE_SCREENS: { [N in ScreenName]: KioskScreen & { screen: N } } = {
  idle: { screen: 'idle' },
  'code-entry': { screen: 'code-entry', digits: '4821' },
  checking: { screen: 'checking' },
  rejected: { screen: 'rejected', reason: 'too-early' },
  waiting: {
    screen: 'waiting',
    kind: 'walk-in',
    queue: { phase: 'waiting', position: 2, estimatedWaitSeconds: 240 },
    callbackOffered: true,
  },
  'in-call': {
    screen: 'in-call',
    operatorName: 'Giulia Rossi',
    // A server that is not there: the call screen shows itself while media would connect.
    media: { callId: 'c1', serverUrl: 'http://127.0.0.1:9', token: 'sample' },
  },
  ended: { screen: 'ended', reason: 'hangup-operator' },
  'out-of-service': { screen: 'out-of-service', reason: 'disk-full' },
  'handset-off-hook': { screen: 'handset-off-hook' },
  'checked-in-offline': { screen: 'checked-in-offline' },
  'callback-entry': { screen: 'callback-entry', digits: '+39 040', inQueue: true },
  'callback-done': { screen: 'callback-done' },
};

export const DISPLAYS: Record<
  'portrait' | 'landscape',
  { viewport: { width: number; height: number }; display: KioskDisplay }
> = {
  portrait: {
    viewport: { width: 1080, height: 1920 },
    display: {
      ...DEFAULT_KIOSK_DISPLAY,
      layout: 'portrait',
      profile: SCREEN_PROFILES['floor-portrait-32'],
      municipality: { name: 'Comune di Gorizia' },
    },
  },
  landscape: {
    viewport: { width: 1920, height: 1080 },
    display: {
      ...DEFAULT_KIOSK_DISPLAY,
      layout: 'landscape',
      profile: SCREEN_PROFILES['wall-landscape-24'],
      municipality: { name: 'Comune di Gorizia' },
    },
  },
};

export function sampleState(
  screen: ScreenName,
  display: KioskDisplay,
  language: Language = 'it',
): KioskState {
  return {
    language,
    screen: SAMPLE_SCREENS[screen],
    online: true,
    devices: { handset: { state: 'ok', offHook: screen === 'waiting' } },
    display,
    citizenSeq: 0,
  };
}
