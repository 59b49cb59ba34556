// Signed token requests: the totem signs "sportello-totem-token\n<id>\n<timestamp>\n<nonce>" with
// its enrolled Ed25519 key and gets a short-lived bearer token. The timestamp bounds how long a
// captured request is worth anything (clock skew, 5 min by default) and each nonce is accepted once
// within that window, so a replayed request is refused. Renewal is the same request made again
// before the current token expires (after `renewAfter`); there is no refresh token to steal.
import { totemAssertionText, type TotemToken, type TotemTokenRequest } from '@sportello/protocol';
import type { TotemAuthenticator } from '../auth/totem-auth.ts';
import { HttpError } from '../http/errors.ts';
import type { AuditLog } from './audit.ts';
import type { FleetDb } from './fleet-db.ts';
import { verifySignature } from './totem-keys.ts';

export interface TotemTokensOptions {
  db: FleetDb;
  audit: AuditLog;
  totems: TotemAuthenticator;
  now: () => Date;
  tokenMinutes: number;
  clockSkewSeconds: number;
}

export class TotemTokens {
  constructor(private readonly o: TotemTokensOptions) {}

  async issue(req: TotemTokenRequest, address: string): Promise<TotemToken> {
    const refuse = async (code: string, message: string): Promise<never> => {
      await this.o.audit.record({
        actor: `anonymous@${address}`,
        action: 'totem-token',
        target: req.totemId,
        result: 'refused',
        detail: code,
      });
      throw new HttpError(401, code, message);
    };
    const now = this.o.now();
    const skewMs = this.o.clockSkewSeconds * 1000;
    const offset = Date.parse(req.timestamp) - now.getTime();
    if (Math.abs(offset) > skewMs) {
      return refuse(
        'clock-skew',
        `The request's time is ${Math.round(offset / 1000)} s off the server's: set the totem's clock (NTP).`,
      );
    }
    const totem = await this.o.db
      .selectFrom('totem_fleet')
      .select(['status', 'public_key', 'key_version'])
      .where('totem_id', '=', req.totemId)
      .executeTakeFirst();
    if (!totem || totem.status !== 'active' || !totem.public_key) {
      return refuse('totem-not-enrolled', 'This totem is not enrolled or was revoked: enroll it again.');
    }
    if (!verifySignature(totem.public_key, totemAssertionText(req), req.signature)) {
      return refuse('bad-signature', "The signature does not match this totem's enrolled key.");
    }
    // Nonces older than twice the skew can go: their timestamps would be refused anyway.
    await this.o.db
      .deleteFrom('totem_nonces')
      .where('seen_at', '<', new Date(now.getTime() - 2 * skewMs).toISOString())
      .execute();
    const stored = await this.o.db
      .insertInto('totem_nonces')
      .values({ totem_id: req.totemId, nonce: req.nonce, seen_at: now.toISOString() })
      .onConflict((oc) => oc.columns(['totem_id', 'nonce']).doNothing())
      .executeTakeFirst();
    if (Number(stored.numInsertedOrUpdatedRows ?? 0) !== 1) {
      return refuse('replayed', 'This signed request was already used: sign a new one with a fresh nonce.');
    }
    const lifetimeMs = this.o.tokenMinutes * 60_000;
    const { token, expiresAt } = this.o.totems.issueToken(req.totemId, totem.key_version, lifetimeMs);
    return {
      token,
      expiresAt: expiresAt.toISOString(),
      renewAfter: new Date(now.getTime() + (lifetimeMs * 2) / 3).toISOString(),
    };
  }
}
