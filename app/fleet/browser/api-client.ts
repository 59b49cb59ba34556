// The fleet page's view of the HTTP API: same origin, the session token as a bearer, every answer
// checked against the protocol's schema. Failures become one ApiFailure with the server's stable
// code, which the page turns into a sentence in the chosen language.
import {
  apiErrorSchema,
  enrollmentTokenSchema,
  fleetSiteSchema,
  fleetTotemDetailSchema,
  fleetTotemSchema,
  messageJobSchema,
  operatorSessionSchema,
  remoteActionSchema,
  type CreateEnrollment,
  type EnrollmentToken,
  type FleetTotem,
  type FleetTotemDetail,
  type MessageJob,
  type OperatorSession,
  type RemoteAction,
  type RemoteActionKind,
} from '@sportello/protocol';

interface Parser<T> {
  parse(data: unknown): T;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    /** The server's machine-readable code, 'network' or 'bad-response'. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const arrayOf = <T>(item: Parser<T>): Parser<T[]> => ({
  parse(data) {
    if (!Array.isArray(data)) throw new TypeError('expected a list');
    return data.map((d) => item.parse(d));
  },
});

export class FleetApi {
  /** The session token; set after sign-in. */
  token: string | undefined;

  private async call<T>(parser: Parser<T>, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, {
        method: body === undefined ? 'GET' : 'POST',
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
      throw new ApiFailure(res.status, parsed.success ? parsed.data.code : 'bad-response', res.statusText);
    }
    try {
      return parser.parse(data);
    } catch (err) {
      throw new ApiFailure(res.status, 'bad-response', err instanceof Error ? err.message : String(err));
    }
  }

  signIn(username: string, password: string): Promise<OperatorSession> {
    return this.call(operatorSessionSchema, '/api/operator/session', { username, password });
  }
  /** Messages to citizens that fail or are retried (supervisors and administrators). */
  failingMessages(): Promise<MessageJob[]> {
    return this.call(arrayOf(messageJobSchema), '/api/admin/messages?filter=failing&limit=50');
  }
  totems(): Promise<FleetTotem[]> {
    return this.call(arrayOf(fleetTotemSchema), '/api/admin/totems');
  }
  totem(id: string): Promise<FleetTotemDetail> {
    return this.call(fleetTotemDetailSchema, `/api/admin/totems/${encodeURIComponent(id)}?history=20`);
  }
  sites(): Promise<{ id: string; name: string }[]> {
    return this.call(arrayOf(fleetSiteSchema), '/api/admin/sites');
  }
  requestAction(id: string, kind: RemoteActionKind): Promise<RemoteAction> {
    return this.call(remoteActionSchema, `/api/admin/totems/${encodeURIComponent(id)}/actions`, { kind });
  }
  revoke(id: string, reason: string | undefined): Promise<FleetTotem> {
    return this.call(fleetTotemSchema, `/api/admin/totems/${encodeURIComponent(id)}/revoke`, {
      ...(reason ? { reason } : {}),
    });
  }
  createEnrollment(body: CreateEnrollment): Promise<EnrollmentToken> {
    return this.call(enrollmentTokenSchema, '/api/admin/enrollments', body);
  }
}
