// Reachability of a TURN server the way a call needs it: a STUN Binding request over UDP and over
// TCP to its port (TURN servers answer STUN), and a TLS handshake on 443 (the fallback through
// firewalls that let only HTTPS out). Each probe answers within its timeout and leaves no handle.
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

const MAGIC = 0x2112a442;

/** A STUN Binding request (RFC 5389): 20-byte header, no attributes. */
export function bindingRequest(): { bytes: Buffer; transactionId: Buffer } {
  const transactionId = randomBytes(12);
  const bytes = Buffer.alloc(20);
  bytes.writeUInt16BE(0x0001, 0);
  bytes.writeUInt16BE(0, 2);
  bytes.writeUInt32BE(MAGIC, 4);
  transactionId.copy(bytes, 8);
  return { bytes, transactionId };
}

/** True when `data` starts with a Binding success (or error) response to this transaction. */
export function isBindingResponse(data: Buffer, transactionId: Buffer): boolean {
  if (data.length < 20) return false;
  const type = data.readUInt16BE(0);
  return (
    (type === 0x0101 || type === 0x0111) &&
    data.readUInt32BE(4) === MAGIC &&
    data.subarray(8, 20).equals(transactionId)
  );
}

export interface TurnTarget {
  host: string;
  port: number;
  /** From the URL's scheme and ?transport=: what the configuration asks for. */
  transports: ('udp' | 'tcp' | 'tls')[];
}

/** turn:host[:port][?transport=udp|tcp] and turns:host[:port] → host, port and transports. */
export function parseTurnUrl(url: string): TurnTarget | undefined {
  const m = /^(turns?|stun):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url.trim());
  if (!m) return undefined;
  const secure = m[1]!.toLowerCase() === 'turns';
  const host = m[2]!.replace(/^\[|\]$/g, '');
  const port = m[3] ? Number(m[3]) : secure ? 5349 : 3478;
  return {
    host,
    port,
    transports: secure ? ['tls'] : m[4] ? [m[4].toLowerCase() as 'udp' | 'tcp'] : ['udp', 'tcp'],
  };
}

export async function stunOverUdp(host: string, port: number, timeoutMs = 3_000): Promise<number> {
  const { bytes, transactionId } = bindingRequest();
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const started = performance.now();
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no STUN answer over UDP within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('message', (data) => {
        if (!isBindingResponse(data, transactionId)) return;
        clearTimeout(timer);
        resolve(Math.round(performance.now() - started));
      });
      // Sent twice: a single UDP datagram may be lost.
      socket.send(bytes, port, host);
      socket.send(bytes, port, host);
    });
  } finally {
    socket.close();
  }
}

export async function stunOverTcp(host: string, port: number, timeoutMs = 3_000): Promise<number> {
  const { bytes, transactionId } = bindingRequest();
  const started = performance.now();
  const socket = tcpConnect({ host, port });
  try {
    return await new Promise<number>((resolve, reject) => {
      let received = Buffer.alloc(0);
      const timer = setTimeout(
        () => reject(new Error(`no STUN answer over TCP within ${timeoutMs} ms`)),
        timeoutMs,
      );
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('connect', () => socket.write(bytes));
      socket.on('data', (data) => {
        received = Buffer.concat([received, data]).subarray(0, 2048);
        if (!isBindingResponse(received, transactionId)) return;
        clearTimeout(timer);
        resolve(Math.round(performance.now() - started));
      });
    });
  } finally {
    socket.destroy();
  }
}

/** A TLS handshake with the server's name checked (certificate valid for it). */
export async function tlsHandshake(host: string, port = 443, timeoutMs = 5_000): Promise<number> {
  const started = performance.now();
  const socket = tlsConnect({ host, port, servername: host, ALPNProtocols: ['h2', 'http/1.1'] });
  try {
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('secureConnect', () => {
        clearTimeout(timer);
        resolve(Math.round(performance.now() - started));
      });
    });
  } finally {
    socket.destroy();
  }
}
