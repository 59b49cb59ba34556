// Totem credentials. Two kinds are accepted wherever a totem authenticates (kiosk namespace, kiosk
// and sync routes, heartbeats):
// - short-lived bearer tokens "st1.<payload>.<hmac>", issued after the totem signs a challenge with
//   its enrolled Ed25519 key (fleet/totem-tokens.ts). They carry the key version, so revoking or
//   re-enrolling a totem invalidates every token it holds at once;
// - demo and development secrets "<totem id>:<secret>", checked with argon2 (slow on purpose), the
//   result cached per process so a reconnecting totem does not pay argon2 again. Only when the
//   configuration says `demoSecrets: true`; never for an id that has no secret (unknown or
//   enrolled), so a flood of made-up ids costs one indexed read each, not 64 MiB of argon2.
// Either way the totem's current status is read on every call: a revoked totem is refused at once.
// Refusals are counted per client address; an address over its limit is refused unheard.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { fleetDb, type FleetDb } from '../fleet/fleet-db.ts';
import { sha256Hex, verifyPassword } from './secrets.ts';
import type { WindowLimiter } from './window-limiter.ts';

export interface TotemIdentity {
  id: string;
  siteId: string;
  name: string;
  /** How this identity was proven; absent on identities made elsewhere (tests, older callers). */
  credential?: 'secret' | 'token';
}

export const TOTEM_TOKEN_PREFIX = 'st1.';

interface TokenPayload {
  /** Totem id. */
  t: string;
  /** Key version at issue. */
  v: number;
  /** Expiry, epoch milliseconds. */
  e: number;
}

export interface TotemAuthenticatorOptions {
  /** HMAC key of bearer tokens; without it only demo secrets are accepted. */
  tokenSecret?: Buffer;
  now?: () => Date;
  /** Accept "<id>:<secret>" demo secrets (config `demoSecrets`). Default false. */
  demoSecrets?: boolean;
  /** Refused credentials per client address (shared with the media tokens). */
  failures?: WindowLimiter;
}

/** The answer when an address has been refused too often: it is not even checked. */
export const RATE_LIMITED = 'rate-limited' as const;

export class TotemAuthenticator {
  /** sha256(credential) → the secret hash it was verified against. */
  private readonly verified = new Map<string, { id: string; secretHash: string }>();
  private readonly db: FleetDb;
  private readonly now: () => Date;
  /** argon2 verifications run so far (diagnostics; the abuse tests check a flood adds none). */
  secretVerifications = 0;

  constructor(
    db: Db,
    private readonly options: TotemAuthenticatorOptions = {},
  ) {
    this.db = fleetDb(db);
    this.now = options.now ?? (() => new Date());
  }

  async authenticate(credential: string | undefined): Promise<TotemIdentity | null> {
    if (!credential || credential.length > 1000) return null;
    if (credential.startsWith(TOTEM_TOKEN_PREFIX)) return this.fromToken(credential);
    return this.fromSecret(credential);
  }

  /**
   * As authenticate(), from a client address. Secrets are what can be guessed (and what costs
   * argon2), so refused secrets count against the address, and an address with too many in the
   * last minute gets RATE_LIMITED for its next secret without it being looked at. Bearer tokens
   * are signed and cannot be guessed: they neither count nor are blocked, so someone guessing
   * secrets from a mall's Wi-Fi cannot lock out the enrolled totems behind the same address.
   */
  async authenticateFrom(
    address: string,
    credential: string | undefined,
  ): Promise<TotemIdentity | null | typeof RATE_LIMITED> {
    const failures = this.options.failures;
    const secret = credential !== undefined && !credential.startsWith(TOTEM_TOKEN_PREFIX);
    if (secret && failures?.blocked(address)) return RATE_LIMITED;
    const totem = await this.authenticate(credential);
    if (!totem && secret) failures?.hit(address);
    return totem;
  }

  /** Signs a bearer token for this totem at this key version. */
  issueToken(totemId: string, keyVersion: number, lifetimeMs: number): { token: string; expiresAt: Date } {
    if (!this.options.tokenSecret) throw new Error('no key for totem tokens is configured');
    const expiresAt = new Date(this.now().getTime() + lifetimeMs);
    const payload: TokenPayload = { t: totemId, v: keyVersion, e: expiresAt.getTime() };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { token: `${TOTEM_TOKEN_PREFIX}${body}.${this.mac(body)}`, expiresAt };
  }

  /** Drops cached secret checks of a totem (its secret was cleared or it was revoked). */
  forget(totemId: string): void {
    for (const [key, entry] of this.verified) if (entry.id === totemId) this.verified.delete(key);
  }

  private mac(body: string): string {
    return createHmac('sha256', this.options.tokenSecret!).update(body).digest('base64url');
  }

  private async fromToken(token: string): Promise<TotemIdentity | null> {
    if (!this.options.tokenSecret) return null;
    const [body, mac, extra] = token.slice(TOTEM_TOKEN_PREFIX.length).split('.');
    if (!body || !mac || extra !== undefined) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    let payload: TokenPayload;
    try {
      payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenPayload;
    } catch {
      return null;
    }
    if (typeof payload.e !== 'number' || payload.e <= this.now().getTime()) return null;
    const row = await this.db
      .selectFrom('totems')
      .innerJoin('totem_fleet', 'totem_fleet.totem_id', 'totems.id')
      .select(['totems.id', 'totems.site_id', 'totems.name', 'totem_fleet.status', 'totem_fleet.key_version'])
      .where('totems.id', '=', String(payload.t))
      .executeTakeFirst();
    if (!row || row.status !== 'active' || row.key_version !== payload.v) return null;
    return { id: row.id, siteId: row.site_id, name: row.name, credential: 'token' };
  }

  private async fromSecret(credential: string): Promise<TotemIdentity | null> {
    if (!this.options.demoSecrets) return null;
    const sep = credential.indexOf(':');
    if (sep <= 0) return null;
    const id = credential.slice(0, sep);
    const secret = credential.slice(sep + 1);
    const totem = await this.db
      .selectFrom('totems')
      .leftJoin('totem_fleet', 'totem_fleet.totem_id', 'totems.id')
      .select(['totems.id', 'totems.site_id', 'totems.name', 'totems.secret_hash', 'totem_fleet.status'])
      .where('totems.id', '=', id)
      .executeTakeFirst();
    const cacheKey = sha256Hex(credential);
    const cached = this.verified.get(cacheKey);
    let ok = cached !== undefined && totem !== undefined && cached.secretHash === totem.secret_hash;
    // An unknown id, or an enrolled totem (empty hash), has no secret to check: refused without
    // argon2. Totem ids are not secrets (they are printed in the fleet page), so answering these
    // faster tells an attacker nothing worth the 64 MiB each attempt would otherwise cost.
    if (!ok && totem?.secret_hash) {
      this.secretVerifications += 1;
      ok = await verifyPassword(totem.secret_hash, secret);
      if (ok) this.verified.set(cacheKey, { id, secretHash: totem.secret_hash });
    }
    if (!ok || !totem || totem.status === 'revoked') return null;
    return { id: totem.id, siteId: totem.site_id, name: totem.name, credential: 'secret' };
  }
}
