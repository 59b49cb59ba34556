// The totem's way to the server: the HTTP API (health), the clock against the server's, signaling
// (socket.io on the kiosk namespace, as this totem), and each configured TURN server over UDP, TCP
// and TLS on 443.
import { NAMESPACES, PUBLIC_ROUTES, type SelfTestCheck, type TurnServer } from '@sportello/protocol';
import { io } from 'socket.io-client';
import { parseTurnUrl, stunOverTcp, stunOverUdp, tlsHandshake } from './stun.ts';

const NETWORK_FIX = 'check the network (cable, SIM/APN), the address in the identity, DNS and the firewall';

export async function checkServer(
  serverUrl: string,
): Promise<{ check: SelfTestCheck; clock: SelfTestCheck }> {
  const sent = Date.now();
  try {
    const res = await fetch(`${serverUrl}${PUBLIC_ROUTES.health.path}`, {
      signal: AbortSignal.timeout(10_000),
    });
    const received = Date.now();
    const body = (await res.json().catch(() => ({}))) as { status?: string; version?: string };
    const check: SelfTestCheck = res.ok
      ? {
          name: 'server',
          status: body.status === 'ok' ? 'pass' : 'warn',
          detail: `${serverUrl} answers in ${received - sent} ms (status ${body.status ?? '?'}, version ${body.version ?? '?'})`,
          ...(body.status === 'ok' ? {} : { fix: 'the server runs degraded: tell municipal IT' }),
        }
      : {
          name: 'server',
          status: 'fail',
          detail: `${serverUrl}${PUBLIC_ROUTES.health.path} answered HTTP ${res.status}`,
          fix: 'tell municipal IT: the server is not healthy',
        };
    return { check, clock: clockCheck(res.headers.get('date'), sent, received) };
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
    return {
      check: {
        name: 'server',
        status: 'fail',
        detail: `${serverUrl} cannot be reached: ${cause}`,
        fix: NETWORK_FIX,
      },
      clock: { name: 'clock', status: 'skipped', detail: 'skipped: the server cannot be reached' },
    };
  }
}

/** The offset from the HTTP Date header (1 s resolution): fine to catch a clock minutes off. */
function clockCheck(date: string | null, sent: number, received: number): SelfTestCheck {
  const server = date ? Date.parse(date) : NaN;
  if (Number.isNaN(server))
    return { name: 'clock', status: 'skipped', detail: 'skipped: the server sent no Date' };
  const offsetMs = Math.round((sent + received) / 2 - (server + 500));
  const detail = `this totem's clock is ${(offsetMs / 1000).toFixed(1)} s ${offsetMs >= 0 ? 'ahead of' : 'behind'} the server's`;
  const off = Math.abs(offsetMs);
  if (off > 300_000)
    return {
      name: 'clock',
      status: 'fail',
      detail,
      fix: 'set the clock: enable NTP (timedatectl set-ntp true); tokens are refused beyond 5 minutes',
    };
  if (off > 5_000)
    return { name: 'clock', status: 'warn', detail, fix: 'enable NTP (timedatectl set-ntp true)' };
  return { name: 'clock', status: 'pass', detail };
}

/** Connects to the kiosk namespace with this totem's token, and leaves at once. */
export async function checkSignaling(
  serverUrl: string,
  credential: string | undefined,
): Promise<SelfTestCheck> {
  if (!credential)
    return {
      name: 'signaling',
      status: 'skipped',
      detail: 'skipped: this totem is not enrolled (no identity to connect with)',
    };
  const socket = io(serverUrl + NAMESPACES.kiosk, {
    auth: { credential },
    transports: ['websocket'],
    reconnection: false,
    timeout: 10_000,
  });
  try {
    const error = await new Promise<string | undefined>((resolve) => {
      socket.on('connect', () => resolve(undefined));
      socket.on('connect_error', (err) => resolve(err.message));
    });
    if (error === undefined)
      return { name: 'signaling', status: 'pass', detail: 'connected to the kiosk namespace as this totem' };
    const clone = /already connected/i.test(error);
    return {
      name: 'signaling',
      status: 'fail',
      detail: `the connection was refused: ${error}`,
      fix: clone
        ? 'the kiosk is running with this identity: stop it during the self-test (systemctl stop sportello-kiosk)'
        : 'a proxy or firewall may block WebSocket: allow it to the server; or enroll again',
    };
  } finally {
    socket.close();
  }
}

export async function checkTurn(servers: TurnServer[], tlsPort = 443): Promise<SelfTestCheck[]> {
  const urls = servers.flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
  if (urls.length === 0)
    return [{ name: 'turn', status: 'skipped', detail: 'skipped: no TURN server configured' }];
  const checks: SelfTestCheck[] = [];
  const hosts = new Map<string, { udp?: number; tcp?: number }>();
  for (const url of urls) {
    const t = parseTurnUrl(url);
    if (!t) {
      checks.push({
        name: 'turn',
        status: 'fail',
        detail: `cannot read the TURN URL "${url}"`,
        fix: 'correct fleet.turnServers on the server',
      });
      continue;
    }
    const entry = hosts.get(t.host) ?? {};
    if (t.transports.includes('udp')) entry.udp = t.port;
    if (t.transports.includes('tcp')) entry.tcp = t.port;
    hosts.set(t.host, entry);
  }
  for (const [host, ports] of hosts) {
    const probes: [string, () => Promise<number>, string][] = [];
    if (ports.udp)
      probes.push([
        `turn-udp ${host}:${ports.udp}`,
        () => stunOverUdp(host, ports.udp!),
        'UDP to this port is blocked: open it outbound, or calls fall back to TCP/TLS (worse quality)',
      ]);
    if (ports.tcp)
      probes.push([
        `turn-tcp ${host}:${ports.tcp}`,
        () => stunOverTcp(host, ports.tcp!),
        'TCP to this port is blocked: open it outbound',
      ]);
    probes.push([
      `turn-tls ${host}:${tlsPort}`,
      () => tlsHandshake(host, tlsPort),
      'TLS on 443 fails: a proxy intercepts TLS or the certificate is wrong; calls behind strict firewalls will fail',
    ]);
    for (const [name, probe, fix] of probes) {
      try {
        checks.push({ name, status: 'pass', detail: `answered in ${await probe()} ms` });
      } catch (err) {
        checks.push({ name, status: 'fail', detail: (err as Error).message.slice(0, 300), fix });
      }
    }
  }
  return checks;
}
