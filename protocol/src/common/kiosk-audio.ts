// The totem's audio guidance as the page is told it (U-2): whether spoken prompts play at all, and
// which audio outputs are the handset's earpiece and the speaker. Outputs are named by a part of the
// label the browser gives them (e.g. "USB Audio Handset"), because device ids are salted per origin
// and profile and so cannot be written in a configuration file.
import { z } from 'zod';

const outputLabel = z.string().trim().min(1).max(200);

export const kioskAudioSchema = z.strictObject({
  /** Spoken prompts on every screen. Default true. */
  guidance: z.boolean().optional(),
  /**
   * A part of the label of the handset's audio output (case-insensitive). Prompts play there while
   * the handset is lifted. Default: none, the prompts stay on the speaker.
   */
  handsetOutput: outputLabel.optional(),
  /**
   * A part of the label of the handset's microphone, for a handset whose input the browser does not
   * group with its output (kiosk audio-inputs.ts). Default: the input grouped with, or named like,
   * the handset's output.
   */
  handsetInput: outputLabel.optional(),
  /** A part of the label of the speaker's audio output. Default: the system's default output. */
  speakerOutput: outputLabel.optional(),
  /** Prompt volume from 0 to 1. Default 1. */
  volume: z.number().min(0).max(1).optional(),
});
export type KioskAudio = z.infer<typeof kioskAudioSchema>;
