// Time-limited TURN credentials in the "TURN REST API" scheme that coturn checks with
// `use-auth-secret` + `static-auth-secret`: the user name is "<unix expiry>:<label>", the password
// is base64(HMAC-SHA1(secret, user name)). coturn needs no database and no call to this server;
// a credential that leaks stops working at its expiry. The secret is configuration, never the repo.
import { createHmac } from 'node:crypto';
import type { IceServer, IceServersGrant } from '@sportello/protocol';

export interface TurnSettings {
  /** TURN URLs, e.g. "turns:turn.comune.example:443?transport=tcp". */
  urls: string[];
  /** The secret shared with coturn (its static-auth-secret). */
  secret?: string | undefined;
  /** Seconds a credential lasts. */
  credentialSeconds: number;
}

/** The REST-scheme credential for `label` valid until `expiresAtSeconds` (unix time). */
export function turnRestCredential(
  secret: string,
  label: string,
  expiresAtSeconds: number,
): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${label}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

export class TurnCredentials {
  constructor(
    private readonly settings: TurnSettings,
    private readonly now: () => Date,
  ) {}

  /** Whether any TURN server is configured. */
  get enabled(): boolean {
    return this.settings.urls.length > 0 && !!this.settings.secret;
  }

  /**
   * The ICE servers for one side of one call. The label names the call and side so that coturn's
   * log ties an allocation to a call, and carries nothing about the citizen.
   */
  grant(label: string): IceServersGrant {
    if (!this.enabled) return { iceServers: [], expiresAt: null, ttlSeconds: null };
    const ttl = this.settings.credentialSeconds;
    const expires = Math.floor(this.now().getTime() / 1000) + ttl;
    const server: IceServer = {
      urls: [...this.settings.urls],
      ...turnRestCredential(this.settings.secret!, label, expires),
    };
    return { iceServers: [server], expiresAt: new Date(expires * 1000).toISOString(), ttlSeconds: ttl };
  }
}
