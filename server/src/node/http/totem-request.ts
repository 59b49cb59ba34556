// The totem behind an HTTP request, verified once per request: the rate limit keys totem routes by
// the verified totem id (totems of one municipality often share one public address and must not
// starve each other), and the handler then reuses the same answer instead of checking twice.
import type { FastifyRequest } from 'fastify';
import { RATE_LIMITED, type TotemAuthenticator, type TotemIdentity } from '../auth/totem-auth.ts';
import { HttpError } from './errors.ts';
import { bearer } from './routes-operator.ts';

type Verdict = TotemIdentity | null | typeof RATE_LIMITED;
const verdicts = new WeakMap<FastifyRequest, Promise<Verdict>>();

/** The request's totem (or null, or RATE_LIMITED for an address refused too often), checked once. */
export function totemOfRequest(totems: TotemAuthenticator, req: FastifyRequest): Promise<Verdict> {
  let v = verdicts.get(req);
  if (!v) {
    v = totems.authenticateFrom(req.ip, bearer(req.headers.authorization, 'Totem'));
    verdicts.set(req, v);
  }
  return v;
}

/** The rate-limit key of a totem route: the verified totem, else the client address. */
export async function totemRateKey(totems: TotemAuthenticator, req: FastifyRequest): Promise<string> {
  const v = await totemOfRequest(totems, req);
  return v && v !== RATE_LIMITED ? `totem:${v.id}` : `address:${req.ip}`;
}

/** The verified totem of the request, or the HTTP error its caller should get. */
export async function requireTotem(
  totems: TotemAuthenticator,
  req: FastifyRequest,
  refused = 'This totem is not known, its token expired, or it was revoked.',
): Promise<TotemIdentity> {
  const v = await totemOfRequest(totems, req);
  if (v === RATE_LIMITED) {
    throw new HttpError(
      429,
      'rate-limited',
      'Too many refused totem credentials from this address: try again in a minute.',
    );
  }
  if (!v) throw new HttpError(401, 'totem-refused', refused);
  return v;
}
