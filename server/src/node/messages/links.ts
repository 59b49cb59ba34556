// Signed, single-purpose, expiring link tokens for the cancel, reschedule and join links of the
// messages. A token is `payload.signature` (base64url), the payload naming the purpose, the
// booking, the booking's link generation and the expiry; the HMAC key is derived from the server's
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

export class LinkSigner {
  private readonly key: Buffer;

  constructor(secret: Buffer) {
    this.key = createHmac('sha256', secret).update('sportello booking links v1').digest();
  }

  sign(claims: LinkClaims): string {
    const payload = Buffer.from(
      JSON.stringify({ p: claims.purpose, b: claims.bookingId, g: claims.generation, e: claims.expiresAt }),
    ).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** Checks signature, purpose and expiry; the generation is the caller's to compare. */
  verify(token: string, purpose: LinkPurpose, now: Date): LinkCheck {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) return { ok: false, reason: 'link-invalid' };
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { ok: false, reason: 'link-invalid' };
    }
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'link-invalid' };
    }
    const d = data as { p?: unknown; b?: unknown; g?: unknown; e?: unknown };
    if (d.p !== purpose || typeof d.b !== 'string' || typeof d.g !== 'number' || typeof d.e !== 'number') {
      return { ok: false, reason: 'link-invalid' };
    }
    if (now.getTime() >= d.e) return { ok: false, reason: 'link-expired' };
    return { ok: true, claims: { purpose, bookingId: d.b, generation: d.g, expiresAt: d.e } };
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

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
