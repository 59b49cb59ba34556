// The `display` part of the kiosk configuration (kiosk-config.ts): the layout, the screen profile
// (one of SCREEN_PROFILES by name, or one's own measurements), the municipality and the warning
// time, each optional, resolved into the complete KioskDisplay the page is given.
import {
  DEFAULT_KIOSK_DISPLAY,
  KIOSK_LAYOUTS,
  SCREEN_PROFILES,
  screenProfileSchema,
  kioskDisplaySchema,
  type KioskDisplay,
  type KioskLayout,
  type ScreenProfile,
} from '@sportello/protocol';
import { z } from 'zod';

const profileNames = Object.keys(SCREEN_PROFILES) as [keyof typeof SCREEN_PROFILES];

export const displayConfigSchema = z.strictObject({
  /** 'portrait' (1080×1920) or 'landscape' (1920×1080). Default portrait. */
  layout: z.enum(KIOSK_LAYOUTS).optional(),
  /** A profile's name, or its measurements. Default: the layout's profile (DEFAULT_PROFILE_FOR). */
  profile: z.union([z.enum(profileNames), screenProfileSchema]).optional(),
  municipality: kioskDisplaySchema.shape.municipality.optional(),
  warnBeforeMs: kioskDisplaySchema.shape.warnBeforeMs.optional(),
});
export type DisplayConfig = z.infer<typeof displayConfigSchema>;

/** The profile a layout gets when the configuration names none. */
export const DEFAULT_PROFILE_FOR: Record<KioskLayout, keyof typeof SCREEN_PROFILES> = {
  portrait: 'floor-portrait-32',
  landscape: 'wall-landscape-24',
};

export function resolveDisplay(c: DisplayConfig | undefined): KioskDisplay {
  const layout = c?.layout ?? DEFAULT_KIOSK_DISPLAY.layout;
  const p = c?.profile ?? DEFAULT_PROFILE_FOR[layout];
  const profile: ScreenProfile = typeof p === 'string' ? SCREEN_PROFILES[p] : p;
  return {
    layout,
    profile,
    municipality: c?.municipality ?? DEFAULT_KIOSK_DISPLAY.municipality,
    warnBeforeMs: c?.warnBeforeMs ?? DEFAULT_KIOSK_DISPLAY.warnBeforeMs,
  };
}
