// How the totem's page lays itself out: which layout (portrait 1080×1920 or landscape 1920×1080),
// the physical display it runs on (so that targets can be sized in millimetres), the reach zone of
// the screen profile (EN 301 549 §8.3: the part of the display a seated or standing person can
// reach), the municipality's name and crest, and how long before a screen's timeout the page warns.
// Set in the kiosk configuration (kiosk-config.ts) and carried to the page in the kiosk state.
import { z } from 'zod';

export const KIOSK_LAYOUTS = ['portrait', 'landscape'] as const;
export type KioskLayout = (typeof KIOSK_LAYOUTS)[number];

/**
 * The screen profile: the display's visible size and how high it is mounted, and the reach range.
 * EN 301 549 §8.3.2 (forward reach, after ISO 21542 / ADA): operable parts between 380 mm and
 * 1 220 mm above the floor; the page puts every control inside that band of the display.
 */
export const screenProfileSchema = z.strictObject({
  /** A name for logs and the README's table, e.g. "floor-portrait-32". */
  name: z.string().min(1).max(64),
  /** Visible width of the display in millimetres, as mounted (portrait: the short side). */
  widthMm: z.number().positive().max(3000),
  /** Visible height of the display in millimetres, as mounted. */
  heightMm: z.number().positive().max(3000),
  /** Height of the display's lower visible edge above the floor, millimetres. */
  bottomAboveFloorMm: z.number().min(0).max(2500),
  /** Highest reachable point above the floor, millimetres (EN 301 549 §8.3.2.2: 1 220). */
  reachHighMm: z.number().min(0).max(2500),
  /** Lowest reachable point above the floor, millimetres (EN 301 549 §8.3.2.2: 380). */
  reachLowMm: z.number().min(0).max(2500),
  /** Smallest side of a touch target, millimetres (at least 20). */
  minTargetMm: z.number().min(20).max(100),
});
export type ScreenProfile = z.infer<typeof screenProfileSchema>;

export const kioskDisplaySchema = z.strictObject({
  layout: z.enum(KIOSK_LAYOUTS),
  profile: screenProfileSchema,
  municipality: z.strictObject({
    /** The municipality's name as shown in the header, e.g. "Comune di Gorizia". */
    name: z.string().min(1).max(80),
    /**
     * The crest: a path on the page's own origin (a file put beside the built pages), or a small
     * data: URL (SVG or PNG, base64). Absent: a neutral shield pictogram.
     */
    crest: z
      .string()
      .max(16_000)
      .regex(
        /^(\/[A-Za-z0-9/_.-]+\.(svg|png)|data:image\/(svg\+xml|png);base64,[A-Za-z0-9+/=]+)$/,
        'must be a path like /kiosk/crest.svg or a data:image/svg+xml;base64,… URL',
      )
      .refine((p) => !p.includes('..'), 'must not contain ..')
      .optional(),
  }),
  /** Milliseconds before a screen's timeout at which the page warns and offers more time. */
  warnBeforeMs: z.number().int().min(1000).max(120_000),
});
export type KioskDisplay = z.infer<typeof kioskDisplaySchema>;

/** The profiles the README documents; a configuration names one or gives its own. */
export const SCREEN_PROFILES = {
  /** A 32" display (398 × 708 mm) on a floor-standing totem, lower edge 700 mm above the floor. */
  'floor-portrait-32': {
    name: 'floor-portrait-32',
    widthMm: 398,
    heightMm: 708,
    bottomAboveFloorMm: 700,
    reachHighMm: 1220,
    reachLowMm: 380,
    minTargetMm: 20,
  },
  /** A 24" display (531 × 299 mm) on a wall or desk totem, lower edge 850 mm above the floor. */
  'wall-landscape-24': {
    name: 'wall-landscape-24',
    widthMm: 531,
    heightMm: 299,
    bottomAboveFloorMm: 850,
    reachHighMm: 1220,
    reachLowMm: 380,
    minTargetMm: 20,
  },
} as const satisfies Record<string, ScreenProfile>;

/** What the page uses when the configuration says nothing: portrait, the 32" floor totem. */
export const DEFAULT_KIOSK_DISPLAY: KioskDisplay = {
  layout: 'portrait',
  profile: SCREEN_PROFILES['floor-portrait-32'],
  municipality: { name: 'Comune' },
  warnBeforeMs: 15_000,
};

/**
 * The screen's timer as the page is told: armed `seq` (a new number at every arming, so that the page
 * restarts its warning), and how long it runs from the moment the state is sent.
 */
export const kioskTimerSchema = z.strictObject({
  seq: z.number().int().min(0),
  ms: z.number().int().min(0),
  /** Whether "more time" can extend it (the screens where a citizen is busy, not a message). */
  extendable: z.boolean(),
});
export type KioskTimer = z.infer<typeof kioskTimerSchema>;
