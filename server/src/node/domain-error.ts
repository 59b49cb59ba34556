// Errors that domain modules raise for a person to read: a stable code and a sentence, no transport.
// The edges translate them — HTTP into a status (http/app.ts), signaling into an ack
// `{ ok: false, error }` (calls/signaling-handlers.ts) — so a module never knows who called it.
export type DomainErrorCode =
  | 'idempotency-key-reused'
  | 'no-such-call'
  | 'not-ringing-for-you'
  | 'operator-in-call'
  | 'operator-not-connected'
  | 'call-not-connected'
  | 'citizen-hung-up';

export class DomainError extends Error {
  override name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status of each domain error code. */
export const DOMAIN_HTTP_STATUS: Record<DomainErrorCode, number> = {
  'idempotency-key-reused': 409,
  'no-such-call': 404,
  'not-ringing-for-you': 409,
  'operator-in-call': 409,
  'operator-not-connected': 409,
  'call-not-connected': 502,
  'citizen-hung-up': 409,
};
