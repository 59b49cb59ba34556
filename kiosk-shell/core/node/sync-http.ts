// The totem's HTTP client for the sync endpoints (docs/sync-protocol.md): every answer is read with
// a deadline and a size bound, parsed, and checked against its zod schema before anything acts on
// it. Every failure becomes a SyncFault with a short machine reason, which the state reports.
import {
  SYNC_ROUTES,
  agendaChangesPageSchema,
  agendaSnapshotSchema,
  KIOSK_ROUTES,
  callbackReceiptSchema,
  checkInResponseSchema,
  syncPath,
  type AgendaChangesPage,
  type AgendaSnapshot,
  type CallbackReceipt,
  type CallbackRequest,
  type CheckInRequest,
  type CheckInResponse,
} from '@sportello/protocol';
import { z } from 'zod';
import { monotonicMs, type ServerClock } from './clock.ts';

export type FaultKind =
  | 'unreachable' // no connection (refused, reset, DNS)
  | 'timeout'
  | 'http' // an unexpected status, e.g. 500
  | 'gone' // 410: the cursor is too old or ahead, take a snapshot
  | 'refused' // 401: the credential was refused
  | 'wrong-site' // 403
  | 'rate-limited' // 429
  | 'bad-request' // 400: the server will never take this item
  | 'conflict' // 409: an idempotency key reused for something else
  | 'too-large'
  | 'bad-json'
  | 'bad-schema'
  | 'bad-page' // a page that breaks the feed's rules (cursor backwards, entries out of range)
  | 'snapshot-rejected';

export class SyncFault extends Error {
  constructor(
    readonly kind: FaultKind,
    message: string,
    readonly detail: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
  }

  /** The reason shown in the state: the kind, with the status for unexpected ones (`http-503`). */
  get reason(): string {
    return this.kind === 'http' && this.detail.status ? `http-${this.detail.status}` : this.kind;
  }
}

export interface SyncHttpOptions {
  serverUrl: string;
  /** Totem credential "<totem id>:<secret>", or a function read at each request (rotating tokens). */
  credential: string | (() => string);
  clock?: ServerClock;
  /** Deadline of one request, body included, ms. Default 10 000. */
  timeoutMs?: number;
  /** Largest feed page or outbox answer read, bytes. Default 4 MiB. */
  maxPageBytes?: number;
  /** Largest snapshot read, bytes. Default 256 MiB. */
  maxSnapshotBytes?: number;
  mono?: () => number;
}

const apiError = z.object({ code: z.string().optional(), message: z.string().optional() }).loose();

export class SyncHttp {
  private readonly mono: () => number;
  constructor(private readonly o: SyncHttpOptions) {
    this.mono = o.mono ?? monotonicMs;
  }

  changes(siteId: string, cursor: number, limit: number): Promise<AgendaChangesPage> {
    const path = `${syncPath(SYNC_ROUTES.changes, siteId)}?cursor=${cursor}&limit=${limit}`;
    return this.request(
      'GET',
      path,
      undefined,
      agendaChangesPageSchema,
      this.o.maxPageBytes ?? 4 << 20,
      (p) => Date.parse(p.serverTime),
    );
  }

  snapshot(siteId: string): Promise<AgendaSnapshot> {
    return this.request(
      'GET',
      syncPath(SYNC_ROUTES.snapshot, siteId),
      undefined,
      agendaSnapshotSchema,
      this.o.maxSnapshotBytes ?? 256 << 20,
      (s) => Date.parse(s.serverTime),
    );
  }

  checkIn(body: CheckInRequest): Promise<CheckInResponse> {
    return this.request(
      'POST',
      SYNC_ROUTES.checkIns,
      body,
      checkInResponseSchema,
      this.o.maxPageBytes ?? 4 << 20,
    );
  }

  callback(body: CallbackRequest): Promise<CallbackReceipt> {
    return this.request(
      'POST',
      SYNC_ROUTES.callbacks,
      body,
      callbackReceiptSchema,
      this.o.maxPageBytes ?? 4 << 20,
    );
  }

  /**
   * The totem's site, for the feed's address, when no configuration gave it: the older agenda pull
   * answers with it. Asked once; the cache keeps the answer.
   */
  async discoverSite(): Promise<string> {
    const r = await this.request(
      'GET',
      KIOSK_ROUTES.agenda.path,
      undefined,
      z.object({ siteId: z.string().min(1).max(64) }).loose(),
      this.o.maxSnapshotBytes ?? 256 << 20,
    );
    return r.siteId;
  }

  private async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: z.ZodType<T>,
    maxBytes: number,
    serverTimeOf?: (value: T) => number,
  ): Promise<T> {
    const sent = this.mono();
    let res: Response;
    const signal = AbortSignal.timeout(this.o.timeoutMs ?? 10_000);
    try {
      res = await fetch(this.o.serverUrl + path, {
        method,
        headers: {
          authorization: `Totem ${typeof this.o.credential === 'string' ? this.o.credential : this.o.credential()}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal,
      });
    } catch (err) {
      throw networkFault(err, signal);
    }
    const text = await readBounded(res, maxBytes, signal);
    const received = this.mono();
    // Any answer's Date header can set a clock that has nothing better (one-second resolution).
    const date = Date.parse(res.headers.get('date') ?? '');
    if (Number.isFinite(date) && !this.o.clock?.corrected) this.o.clock?.observe(date, sent, received, 1000);
    if (!res.ok) throw statusFault(res, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SyncFault('bad-json', `${path}: the answer is not JSON (${text.length} bytes)`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new SyncFault('bad-schema', `${path}: ${parsed.error.issues[0]?.message ?? 'schema mismatch'}`);
    }
    if (serverTimeOf) this.o.clock?.observe(serverTimeOf(parsed.data), sent, received);
    return parsed.data;
  }
}

function networkFault(err: unknown, signal: AbortSignal): SyncFault {
  if (signal.aborted) return new SyncFault('timeout', 'the server did not answer in time');
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return new SyncFault('unreachable', `the server cannot be reached${cause ? ` (${cause})` : ''}`);
}

/** Reads the body, giving up past `maxBytes` (a huge answer is refused, not buffered). */
async function readBounded(res: Response, maxBytes: number, signal: AbortSignal): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await res.body?.cancel().catch(() => {});
    throw new SyncFault('too-large', `the answer declares ${declared} bytes, more than ${maxBytes}`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new SyncFault('too-large', `the answer is larger than ${maxBytes} bytes`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof SyncFault) throw err;
    // A body cut short (connection reset mid-answer) or the deadline passing while reading.
    throw signal.aborted
      ? new SyncFault('timeout', 'the answer did not arrive in time')
      : new SyncFault('bad-json', 'the answer was cut short');
  }
  return Buffer.concat(chunks).toString('utf8');
}

function statusFault(res: Response, text: string): SyncFault {
  let code: string | undefined;
  try {
    code = apiError.parse(JSON.parse(text)).code;
  } catch {
    code = undefined;
  }
  const detail = { status: res.status, ...(code ? { code } : {}) };
  switch (res.status) {
    case 400:
      return new SyncFault(
        'bad-request',
        `the server refused the request as malformed (${code ?? 400})`,
        detail,
      );
    case 401:
      return new SyncFault('refused', 'the server refused this totem’s credential', detail);
    case 403:
      return new SyncFault('wrong-site', 'the server says this totem belongs to another site', detail);
    case 409:
      return new SyncFault('conflict', `the server refused the request (${code ?? 409})`, detail);
    case 410:
      return new SyncFault('gone', `the feed cursor is no longer served (${code ?? 410})`, detail);
    case 429: {
      const seconds = Number(res.headers.get('retry-after'));
      return new SyncFault('rate-limited', 'the server asks to slow down', {
        ...detail,
        ...(Number.isFinite(seconds) && seconds > 0 ? { retryAfterMs: seconds * 1000 } : {}),
      });
    }
    default:
      return new SyncFault('http', `the server answered HTTP ${res.status}`, detail);
  }
}
