// The client's address as every per-address limit sees it, HTTP and socket.io alike: the peer of
// the TCP connection, or — only when that peer is a proxy the configuration trusts — the address
// the proxy wrote in X-Forwarded-For. One trust function feeds Fastify (`trustProxy`) and the
// socket.io handshakes, so the two can never disagree about who a client is.
import proxyAddr from '@fastify/proxy-addr';
import type { IncomingMessage } from 'node:http';

export type TrustProxySetting = boolean | string | string[];
export type TrustFn = (address: string, hop: number) => boolean;

/** The trust function of a `trustProxy` setting ("loopback,10.0.0.0/8" or a list). */
export function trustFunction(setting: TrustProxySetting): TrustFn {
  if (setting === true) return () => true;
  if (setting === false) return () => false;
  const list = (Array.isArray(setting) ? setting : setting.split(',')).map((s) => s.trim()).filter(Boolean);
  return proxyAddr.compile(list);
}

/** The address of the client behind this request, as Fastify's `req.ip` gives it. */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  return proxyAddr(req, trust) ?? req.socket.remoteAddress ?? 'unknown';
}
