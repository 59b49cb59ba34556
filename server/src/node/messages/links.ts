// Signed, single-purpose, expiring link tokens for the cancel, reschedule and join links of the
// messages. A token is `purpose.generation.expiry.booking.signature` (URL-safe characters only):
// the purpose letter, the booking's link generation and the expiry in base 36, the booking id, and
// a truncated HMAC over the rest; the HMAC key is derived from the server's
// token secret so no new secret needs managing. Nothing is stored per link: a reschedule bumps the
// booking's generation, which makes every link sent before it stale ("already used").
// The pages put the token in the URL fragment and POST it, so it never reaches a request log.
import type { LinkPurpose } from '@sportello/protocol';
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  purpose: LinkPurpose;
  bookingId: string;
  generation: number;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type LinkCheck =
  { ok: true; claims: LinkClaims } | { ok: false; reason: 'link-invalid' | 'link-expired' };

/** One letter per purpose in the token: short links fit an SMS. */
const PURPOSE_CODE: Record<LinkPurpose, string> = { cancel: 'c', reschedule: 'r', join: 'j' };

export class LinkSigner {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('sportello booking links v1').digest();
  }

  sign(claims: LinkClaims): string {
    const payload = [
      PURPOSE_CODE[claims.purpose],
      claims.generation.toString(36),
      Math.ceil(claims.expiresAt / 1000).toString(36),
      claims.bookingId,
    ].join('.');
    return `${payload}.${this.mac(payload)}`;
  }

  /** Checks signature, purpose and expiry; the generation is the caller's to compare. */
  verify(token: string, purpose: LinkPurpose, now: Date): LinkCheck {
    const cut = token.lastIndexOf('.');
    const payload = token.slice(0, cut);
    const given = Buffer.from(token.slice(cut + 1));
    const expected = Buffer.from(this.mac(payload));
    if (cut < 0 || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'link-invalid' };
    }
    const [p, g, e, ...rest] = payload.split('.');
    const bookingId = rest.join('.');
    if (p !== PURPOSE_CODE[purpose] || !g || !e || !bookingId) return { ok: false, reason: 'link-invalid' };
    const expiresAt = parseInt(e, 36) * 1000;
    if (now.getTime() >= expiresAt) return { ok: false, reason: 'link-expired' };
    return { ok: true, claims: { purpose, bookingId, generation: parseInt(g, 36), expiresAt } };
  }

  /** The 6-digit verification code of a booking: derived, so it is never stored in clear. */
  verificationCode(bookingId: string): string {
    const n = createHmac('sha256', this.key).update(`verify:${bookingId}`).digest().readUInt32BE(0);
    return String(n % 1_000_000).padStart(6, '0');
  }

  /** A keyed hash of a client address: the per-address limit counts it, nobody can read it back. */
  addressHash(address: string): string {
    return createHmac('sha256', this.key).update(`address:${address}`).digest('base64url');
  }

  /** HMAC-SHA256 cut to 128 bits: short enough for an SMS, far beyond guessing. */
  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest().subarray(0, 16).toString('base64url');
  }
}
