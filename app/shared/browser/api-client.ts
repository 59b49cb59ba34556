// The one HTTP client of the pages: calls an entry of the protocol's route table
// (protocol/src/common/http-routes.ts) — path, method, query and body from the entry, the session
// token as a bearer, the answer checked against the entry's response schema. Failures become one
// ApiFailure with the server's stable code and, for forms, the refused fields.
import {
  apiErrorSchema,
  routePath,
  routeQuery,
  type HttpRoute,
  type RouteInput,
  type RouteOutput,
} from '@sportello/protocol';

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    /** The server's machine-readable code, 'network' or 'bad-response'. */
    readonly code: string,
    message: string,
    /** Fields the server refused, by dotted path (`entries.0.end`), with its sentence. */
    readonly fields: { field: string; message: string }[] = [],
    /** The whole answer, for errors that carry more (the schedule conflicts of a 409). */
    readonly body: unknown = undefined,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

type Args<R extends HttpRoute> =
  object extends RouteInput<R> ? [input?: RouteInput<R>] : [input: RouteInput<R>];

export class ApiClient {
  /** The session token; set after sign-in. */
  token: string | undefined;

  constructor(private readonly baseUrl = '') {}

  async call<R extends HttpRoute>(route: R, ...[input]: Args<R>): Promise<RouteOutput<R>> {
    const { params, query, body } = (input ?? {}) as {
      params?: Record<string, unknown>;
      query?: Record<string, unknown>;
      body?: unknown;
    };
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${routePath(route, params)}${routeQuery(query)}`, {
        method: route.method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiFailure(0, 'network', err instanceof Error ? err.message : String(err));
    }
    const data: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const parsed = apiErrorSchema.safeParse(data);
      throw parsed.success
        ? new ApiFailure(res.status, parsed.data.code, parsed.data.message, parsed.data.fields, data)
        : new ApiFailure(res.status, 'bad-response', res.statusText);
    }
    const parsed = route.response.safeParse(data);
    if (!parsed.success) throw new ApiFailure(res.status, 'bad-response', parsed.error.message);
    return parsed.data as RouteOutput<R>;
  }
}
