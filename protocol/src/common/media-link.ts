// Media-namespace contracts beyond the mediasoup sequence: the ICE servers a page uses (TURN with
// time-limited credentials), and the link-quality reports and notices of video degradation.
import { z } from 'zod';

export const MEDIA_LINK_EVENTS = {
  /** From a page: the ICE servers to use now (TURN credentials expire; ask again before expiresAt). */
  iceServers: 'media:ice-servers',
  /** From a page: the video level its own link allows (see app/shared/common/video-degradation.ts). */
  videoLevel: 'media:video-level',
  /** To both pages of a call: a side's video level changed (shown as a notice on both sides). */
  videoNotice: 'media:video-notice',
} as const;

/** One RTCIceServer as a page passes it to RTCPeerConnection. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface IceServersGrant {
  iceServers: IceServer[];
  /** When the credentials stop working (ISO, server clock); null when nothing expires. */
  expiresAt: string | null;
  /** Seconds the credentials are valid from now: the page refreshes after about two thirds of it. */
  ttlSeconds: number | null;
}

/**
 * How much video a side's link carries: 'full'; 'low', where only the lowest simulcast layer is sent
 * and received; 'paused', where video is paused both ways and only audio flows.
 */
export const videoLevelSchema = z.enum(['full', 'low', 'paused']);
export type VideoLevel = z.infer<typeof videoLevelSchema>;
export const videoLevelRequestSchema = z.strictObject({ level: videoLevelSchema });

export interface VideoNotice {
  /** Whose link it is. */
  role: 'kiosk' | 'operator';
  level: VideoLevel;
}

type Ack<T> = (res: ({ ok: true } & T) | { ok: false; error: string }) => void;

export interface MediaLinkClientEvents {
  [MEDIA_LINK_EVENTS.iceServers]: (req: Record<string, never>, ack: Ack<IceServersGrant>) => void;
  [MEDIA_LINK_EVENTS.videoLevel]: (req: z.infer<typeof videoLevelRequestSchema>, ack: Ack<object>) => void;
}
export interface MediaLinkServerEvents {
  [MEDIA_LINK_EVENTS.videoNotice]: (p: VideoNotice) => void;
}
