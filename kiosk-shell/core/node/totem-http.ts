// JSON requests of the totem to its fleet endpoints (heartbeat, action results), authenticated with
// the link's current credential ("Authorization: Totem <token or secret>").
import type { ServerLink } from './server-link.ts';

export interface TotemHttpOptions {
  /** The HTTP client (tests inject faults). Default the global fetch. */
  fetch?: typeof fetch;
  /** Deadline of one request, ms. Default 10 000. */
  timeoutMs?: number;
}

export class TotemHttpError extends Error {
  override readonly name = 'TotemHttpError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export async function postTotemJson(
  link: Pick<ServerLink, 'serverUrl' | 'bearer'>,
  path: string,
  body: unknown,
  o: TotemHttpOptions = {},
): Promise<unknown> {
  const res = await (o.fetch ?? fetch)(link.serverUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Totem ${await link.bearer()}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const err = (parsed ?? {}) as { code?: string; message?: string };
    throw new TotemHttpError(
      res.status,
      err.code,
      `HTTP ${res.status} ${err.code ?? ''} ${err.message ?? ''}`.trim(),
    );
  }
  return parsed;
}
