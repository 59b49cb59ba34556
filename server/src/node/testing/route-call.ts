// Calls an entry of the protocol's route table from a test, as the pages' client does: the path
// and query built from the entry, the answer returned with its status (errors too).
import { routePath, routeQuery, type HttpRoute } from '@sportello/protocol';

export interface RouteAnswer<T = unknown> {
  status: number;
  body: T;
}

export async function callRoute<T = Record<string, unknown>>(
  baseUrl: string,
  route: HttpRoute,
  input: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown } = {},
  token?: string,
): Promise<RouteAnswer<T>> {
  const res = await fetch(`${baseUrl}${routePath(route, input.params)}${routeQuery(input.query)}`, {
    method: route.method,
    headers: {
      ...(input.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(input.body === undefined ? {} : { body: JSON.stringify(input.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
