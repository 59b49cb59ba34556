// The kiosk page's screen ids, for everything that follows the page's screens (the audio guidance
// listens to the `kiosk-screen` event, the tests walk the list): the kiosk machine's screen names
// (kiosk-shell/core/node/kiosk-machine.ts), plus the page's own overlay, the timeout warning.
// Also the geometry of the screen profile: how many pixels a millimetre is on the configured
// display, and which band of the viewport lies in the reach zone (EN 301 549 §8.3).
import type { KioskScreen, Language, ScreenProfile } from '@sportello/protocol';

/** Every screen of the kiosk machine, in the order of its table. */
export const KIOSK_SCREENS = [
  'idle',
  'code-entry',
  'checking',
  'rejected',
  'waiting',
  'in-call',
  'ended',
  'out-of-service',
  'handset-off-hook',
  'checked-in-offline',
  'callback-entry',
  'callback-done',
] as const satisfies readonly KioskScreen['screen'][];

// The list above names every screen of the protocol's union, and nothing else.
type Listed = (typeof KIOSK_SCREENS)[number];
const everyScreenListed: [KioskScreen['screen']] extends [Listed] ? true : false = true;
void everyScreenListed;

/** The page's own overlay: "are you still there?" before a screen's timer ends. */
export const KIOSK_OVERLAYS = ['timeout-warning'] as const;

/** Every id the page announces with the `kiosk-screen` event. */
export const KIOSK_SCREEN_IDS = [...KIOSK_SCREENS, ...KIOSK_OVERLAYS] as const;
export type KioskScreenId = (typeof KIOSK_SCREEN_IDS)[number];

/** The event the page dispatches on `document` at every screen change (and overlay). */
export const KIOSK_SCREEN_EVENT = 'kiosk-screen';
export interface KioskScreenEventDetail {
  screen: KioskScreenId;
  language: Language;
}

/** The reach zone of a profile on a viewport, in CSS pixels from the top. */
export interface ReachBand {
  /** CSS pixels per millimetre of the physical display. */
  pxPerMm: number;
  /** The smallest side of a touch target, CSS pixels. */
  minTargetPx: number;
  /** First reachable pixel row from the top (0: the whole height is in reach from the top). */
  topPx: number;
  /** Last reachable pixel row from the top (the viewport's height: reachable to the bottom). */
  bottomPx: number;
}

/**
 * The band of the viewport a person can reach: the display shows `heightMm` of height, its lower
 * edge `bottomAboveFloorMm` above the floor; rows above `reachHighMm` or below `reachLowMm` are out
 * of reach. The pixel scale comes from the width, as the viewport fills the display.
 */
export function reachBand(p: ScreenProfile, viewport: { width: number; height: number }): ReachBand {
  const pxPerMm = viewport.width / p.widthMm;
  const topAboveFloor = p.bottomAboveFloorMm + p.heightMm;
  const clamp = (v: number) => Math.min(viewport.height, Math.max(0, v));
  return {
    pxPerMm,
    minTargetPx: Math.ceil(p.minTargetMm * pxPerMm),
    topPx: clamp((topAboveFloor - p.reachHighMm) * pxPerMm),
    bottomPx: clamp((topAboveFloor - p.reachLowMm) * pxPerMm),
  };
}
