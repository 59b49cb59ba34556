// The enrolled totem's identity: its Ed25519 key and who it is, as `provisioning enroll` left them in
// the data directory, and the short-lived bearer tokens it mints with them (POST /api/totem/token).
// A token is renewed from its `renewAfter` on, well before it expires; when the endpoint cannot be
// reached the current token is kept, renewal is retried with backoff, and after a few failures a
// warning is raised for the log and the next heartbeat (P-4). A refusal that says the totem is not
// enrolled any more means it was revoked (P-3).
import {
  TOTEM_FILES,
  totemAssertionText,
  totemIdentityFileSchema,
  totemTokenSchema,
  type TotemIdentityFile,
  type TotemToken,
  TOTEM_ROUTES,
} from '@sportello/protocol';
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Backoff, realTimers, type BackoffOptions, type Timers } from './backoff.ts';
import type { CredentialProvider } from './server-link.ts';

export interface TotemIdentityOptions {
  /** Wall clock used to sign (the server allows 5 minutes of skew) and to plan renewals. Default Date.now. */
  now?: () => number;
  timers?: Timers;
  /** Spacing of renewal retries. Default 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
  /** Consecutive failed renewals before a warning. Default 3. */
  warnAfterFailures?: number;
  /** Deadline of one token request, ms. Default 10 000. */
  timeoutMs?: number;
  /** The HTTP client (tests inject faults). Default the global fetch. */
  fetch?: typeof fetch;
  log?: (msg: string, detail?: unknown) => void;
}

export interface TotemIdentityEvents {
  /** A new bearer token was obtained. */
  token: [token: TotemToken];
  /** Renewal keeps failing (message for the log and the heartbeat); null when it works again. */
  warning: [message: string | null];
  /** The server says this totem is not enrolled any more (revoked or re-enrolled elsewhere). */
  revoked: [reason: string];
}

/** Refusal codes of POST /api/totem/token that mean the key is no longer valid. */
const REVOKED_CODES = new Set(['totem-not-enrolled', 'totem-revoked']);

export class TotemIdentity extends EventEmitter<TotemIdentityEvents> {
  private token: TotemToken | undefined;
  private minting: Promise<string> | undefined;
  private timer: unknown;
  private readonly backoff: Backoff;
  private readonly now: () => number;
  private readonly timers: Timers;
  private failures = 0;
  private closed = false;
  /** The current renewal warning, reported in heartbeats; null while renewal works. */
  warning: string | null = null;
  /** Set once the server said this totem is not enrolled any more. */
  revokedReason: string | undefined;

  private constructor(
    readonly dataDir: string,
    readonly info: TotemIdentityFile,
    private readonly key: KeyObject,
    private readonly o: TotemIdentityOptions,
  ) {
    super();
    this.now = o.now ?? Date.now;
    this.timers = o.timers ?? realTimers;
    this.backoff = new Backoff({ baseMs: 1_000, maxMs: 60_000, ...o.backoff });
  }

  /** Whether `provisioning enroll` left an identity in this directory. */
  static present(dataDir: string): boolean {
    return (
      existsSync(join(dataDir, TOTEM_FILES.identity)) && existsSync(join(dataDir, TOTEM_FILES.privateKey))
    );
  }

  /** Loads the identity; throws with the file and the fix when it is missing or damaged. */
  static load(dataDir: string, o: TotemIdentityOptions = {}): TotemIdentity {
    const identityFile = join(dataDir, TOTEM_FILES.identity);
    const keyFile = join(dataDir, TOTEM_FILES.privateKey);
    if (!TotemIdentity.present(dataDir)) {
      throw new Error(`no totem identity in ${dataDir}: enroll the totem (provisioning enroll)`);
    }
    const parsed = totemIdentityFileSchema.safeParse(JSON.parse(readFileSync(identityFile, 'utf8')));
    if (!parsed.success) throw new Error(`${identityFile} is damaged: enroll the totem again (--force)`);
    const key = createPrivateKey(readFileSync(keyFile, 'utf8'));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${keyFile} is not an Ed25519 key`);
    return new TotemIdentity(dataDir, parsed.data, key, o);
  }

  get totemId(): string {
    return this.info.totemId;
  }

  get serverUrl(): string {
    return this.info.serverUrl;
  }

  /** The bearer token for ServerLink: the current one, or a fresh one when none is valid. */
  readonly credential: CredentialProvider = Object.assign(() => this.current(), {
    current: () => this.validToken(),
  });

  /** Mints the first token and keeps renewing ahead of expiry until closed. */
  async start(): Promise<void> {
    await this.current().catch(() => undefined);
  }

  private validToken(): string | undefined {
    return this.token && Date.parse(this.token.expiresAt) > this.now() ? this.token.token : undefined;
  }

  private current(): Promise<string> {
    const valid = this.validToken();
    if (valid) return Promise.resolve(valid);
    return this.mint();
  }

  /** One token request at a time; every caller waits on the same one. */
  private mint(): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the totem identity is closed'));
    if (!this.minting) {
      const p: Promise<string> = this.request().finally(() => {
        if (this.minting === p) this.minting = undefined;
      });
      this.minting = p;
    }
    return this.minting;
  }

  private async request(): Promise<string> {
    this.cancelTimer();
    try {
      const token = await this.requestOnce();
      // Done: whoever reacts to the events below may start the next request.
      this.minting = undefined;
      this.token = token;
      this.failures = 0;
      this.backoff.reset();
      if (this.warning !== null) {
        this.warning = null;
        this.o.log?.('totem token renewal works again');
        this.emit('warning', null);
      }
      this.emit('token', token);
      // Renewal from renewAfter on, so the totem always holds a valid token.
      this.schedule(Math.max(0, Date.parse(token.renewAfter) - this.now()));
      return token.token;
    } catch (err) {
      this.minting = undefined;
      if (err instanceof RevokedError) {
        this.token = undefined;
        this.revokedReason = err.message;
        this.emit('revoked', err.message);
        throw err;
      }
      this.failures++;
      const message = `totem token renewal failed ${this.failures} time(s): ${(err as Error).message}`;
      this.o.log?.(message);
      if (this.failures >= (this.o.warnAfterFailures ?? 3)) {
        const expires = this.token ? ` (current token expires at ${this.token.expiresAt})` : '';
        this.warning = `credential renewal failing since ${this.failures} attempts${expires}: ${(err as Error).message}`;
        this.emit('warning', this.warning);
      }
      this.schedule(this.backoff.next());
      throw err;
    }
  }

  private async requestOnce(): Promise<TotemToken> {
    const claim = {
      totemId: this.info.totemId,
      timestamp: new Date(this.now()).toISOString(),
      nonce: randomBytes(24).toString('base64url'),
    };
    const signature = sign(null, Buffer.from(totemAssertionText(claim)), this.key).toString('base64url');
    const res = await (this.o.fetch ?? fetch)(`${this.info.serverUrl}${TOTEM_ROUTES.token.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...claim, signature }),
      signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
    if (res.ok) return totemTokenSchema.parse(body);
    if ((res.status === 401 || res.status === 403) && body.code && REVOKED_CODES.has(body.code)) {
      throw new RevokedError(body.message ?? 'this totem is no longer enrolled');
    }
    throw new Error(
      `HTTP ${res.status}${body.code ? ` ${body.code}` : ''}${body.message ? `: ${body.message}` : ''}`,
    );
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    if (this.closed) return;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.mint().catch(() => undefined);
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Deletes the key, the identity and the site configuration (revocation, P-3). */
  wipe(): void {
    this.close();
    wipeIdentityFiles(this.dataDir);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimer();
    this.token = undefined;
  }
}

class RevokedError extends Error {
  override readonly name = 'RevokedError';
}

/** Removes what enrollment wrote; safe when the files are already gone. */
export function wipeIdentityFiles(dataDir: string): void {
  for (const file of Object.values(TOTEM_FILES)) rmSync(join(dataDir, file), { force: true });
}
