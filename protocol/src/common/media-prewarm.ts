// Fast call setup: a call's media room exists from the request, and both sides join it
// before the answer — the kiosk while the citizen waits, the console while it rings (if the
// operator allows it). Nothing crosses between the sides until the call is accepted: the room
// resumes no consumer before then (they are made paused), and each page keeps its audio paused.
// `media:live` is the server telling a joined page that the call was answered: it sends audio too.
import { z } from 'zod';

export const MEDIA_PREWARM_EVENTS = {
  /** Operator → server while a call rings for them: a media token to that call's room. */
  prepare: 'call:prepare-media',
  /** Server → media socket: the call was answered; resume what you send. Sent again on reconnect. */
  live: 'media:live',
} as const;

export const prepareMediaSchema = z.strictObject({ callId: z.string().max(64) });

export interface MediaPrewarmOperatorEvents {
  [MEDIA_PREWARM_EVENTS.prepare]: (
    req: z.infer<typeof prepareMediaSchema>,
    ack: (res: { ok: true; mediaToken: string } | { ok: false; error: string }) => void,
  ) => void;
}

export interface MediaPrewarmServerEvents {
  [MEDIA_PREWARM_EVENTS.live]: (p: Record<string, never>) => void;
}
