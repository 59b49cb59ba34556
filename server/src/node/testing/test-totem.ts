// A scripted totem identity for tests, as the provisioning CLI and the kiosk core will behave: an
// Ed25519 key pair made locally, enrollment with a single-use token, signed token requests,
// heartbeats and action results over HTTP. Also signs in accounts for the admin endpoints.
import {
  FLEET_ROUTES,
  OPERATOR_ROUTES,
  TOTEM_ROUTES,
  totemAssertionText,
  type EnrollmentToken,
  type Heartbeat,
  type SiteConfiguration,
  type TotemToken,
} from '@sportello/protocol';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

export async function requestJson<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; authorization?: string; forwardedFor?: string } = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.authorization ? { authorization: init.authorization } : {}),
      // A client address as a trusted proxy would report it (servers with trustProxy set).
      ...(init.forwardedFor ? { 'x-forwarded-for': init.forwardedFor } : {}),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Signs in any account (operator, supervisor, administrator) and returns its session token. */
export async function signInAccount(url: string, username: string, password: string): Promise<string> {
  const res = await requestJson<{ token: string }>(`${url}${OPERATOR_ROUTES.signIn.path}`, {
    body: { username, password },
  });
  if (res.status !== 200) throw new Error(`sign-in of ${username} failed: ${res.status}`);
  return res.body.token;
}

/** An administrator's enrollment token for a site and slot. */
export async function createEnrollment(
  url: string,
  adminToken: string,
  body: { siteId: string; totemName: string; validMinutes?: number },
): Promise<EnrollmentToken> {
  const res = await requestJson<EnrollmentToken>(`${url}${FLEET_ROUTES.createEnrollment.path}`, {
    body,
    authorization: `Bearer ${adminToken}`,
  });
  if (res.status !== 201)
    throw new Error(`enrollment token refused: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export class TestTotem {
  readonly publicKey: KeyObject;
  private readonly privateKey: KeyObject;
  totemId: string | undefined;
  configuration: SiteConfiguration | undefined;
  /** The address this totem speaks from, told to a server that trusts loopback as its proxy. */
  forwardedFor: string | undefined;

  constructor(
    readonly url: string,
    /** The server's clock as the totem sees it (tests move it). */
    private readonly now: () => Date = () => new Date(),
  ) {
    const pair = generateKeyPairSync('ed25519');
    this.publicKey = pair.publicKey;
    this.privateKey = pair.privateKey;
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  async enroll(
    token: string,
    extra: { siteId?: string; totemName?: string; jwk?: boolean } = {},
  ): Promise<JsonResponse<SiteConfiguration & { code?: string }>> {
    const { jwk, ...checks } = extra;
    const res = await requestJson<SiteConfiguration & { code?: string }>(
      `${this.url}${TOTEM_ROUTES.enroll.path}`,
      {
        body: {
          token,
          publicKey: jwk ? this.publicKey.export({ format: 'jwk' }) : this.publicKeyPem(),
          versions: { kiosk: '0.1.0' },
          ...checks,
        },
        ...(this.forwardedFor ? { forwardedFor: this.forwardedFor } : {}),
      },
    );
    if (res.status === 200) {
      this.totemId = res.body.totemId;
      this.configuration = res.body;
    }
    return res;
  }

  /** A signed token request; `timestamp` and `nonce` may be forced to test skew and replay. */
  signedRequest(over: { timestamp?: string; nonce?: string; totemId?: string } = {}) {
    const a = {
      totemId: over.totemId ?? this.totemId ?? 'not-enrolled',
      timestamp: over.timestamp ?? this.now().toISOString(),
      nonce: over.nonce ?? randomBytes(16).toString('base64url'),
    };
    return {
      ...a,
      signature: sign(null, Buffer.from(totemAssertionText(a)), this.privateKey).toString('base64url'),
    };
  }

  async requestToken(body: ReturnType<TestTotem['signedRequest']> = this.signedRequest()) {
    return requestJson<TotemToken & { code?: string }>(`${this.url}${TOTEM_ROUTES.token.path}`, {
      body,
      ...(this.forwardedFor ? { forwardedFor: this.forwardedFor } : {}),
    });
  }

  /** A fresh bearer token, or an error naming the refusal. */
  async token(): Promise<string> {
    const res = await this.requestToken();
    if (res.status !== 200) throw new Error(`token refused: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }
}

export function heartbeatWith(state: Heartbeat['state'], extra: Partial<Heartbeat> = {}): Heartbeat {
  return {
    state,
    versions: { kiosk: '0.1.0', shell: '0.1.0' },
    lastSync: { at: null, ageSeconds: null },
    devices: { handset: { status: 'ok' }, keypad: { status: 'ok' } },
    health: 'ok',
    clockOffsetMs: 0,
    diskFreeBytes: 10_000_000_000,
    lastError: null,
    ...extra,
  };
}

export async function sendHeartbeat(url: string, credential: string, heartbeat: Heartbeat) {
  return requestJson<{ heartbeatSeconds: number; actions: { id: string; kind: string }[] }>(
    `${url}${TOTEM_ROUTES.heartbeat.path}`,
    { body: heartbeat, authorization: `Totem ${credential}` },
  );
}
