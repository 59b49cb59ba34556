// Network faults for browser tests: Linux network namespaces, veth pairs, traffic shaping (tc) and
// packet filters (nft) inside a namespace, and Debian's Chromium launched inside one.
//
// Topology (one `NetLab` per test file):
//
//   root namespace (the test process: server, SFU, kiosk agent)
//   ┌────────────────────────────────────────────────────────────────────────────────┐
//   │ 127.0.0.1:P  HTTP/socket.io server, kiosk host (as in every other test)         │
//   │ bridge <prefix>-br  10.x.0.1/16  ← the SFU listens here (media.listenIp)         │
//   │   │  a relay per forwarded port: 10.x.0.1:P → 127.0.0.1:P                        │
//   │   ├── veth <prefix>-<i>h ═══ <prefix>-<i>n 10.x.<i>.2/16 in namespace <prefix>-<name>
//   │   └── …                                                                         │
//   └────────────────────────────────────────────────────────────────────────────────┘
//   namespace <prefix>-kiosk:   Chromium (kiosk page); socat 127.0.0.1:P → 10.x.0.1:P for each
//                               forwarded port, so the page keeps its http://127.0.0.1:P origins
//                               (a secure context, the kiosk host's same-origin check), while every
//                               byte crosses the veth where faults apply.
//   namespace <prefix>-console: Chromium (operator console), the same way.
//
// Media (UDP/TCP to the SFU) goes straight from a namespace to 10.x.0.1; HTTP and socket.io go
// through the namespace's socat and the root relay. So `block('all')` in the kiosk's namespace drops
// the kiosk page's media and sockets, and the server sees exactly what a street network does to it.
// Shaping applies to both ends of the namespace's veth (both directions); where the kernel has no
// netem (some CI kernels), rate uses tbf and loss uses nft's random drop, and delay is refused
// (`shapingSupport()` says what works).
//
// Everything is named with the lab's prefix and lives in its subnet; `NetLab.create` first deletes
// stale namespaces and links of that prefix, and `close()` (idempotent) deletes all it made. The root
// namespace's firewall and routes are never touched, apart from the bridge and veth ends made here.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM, STEP_TIMEOUT_MS, writeToneWav } from './browser.ts';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}
const ip = (...args: string[]) => run('ip', args);

/**
 * Undefined when namespaces, veth pairs, tc and nft work here; otherwise the reason, for a test's
 * `skip` (e.g. not root, no nft binary).
 */
export async function netnsAvailable(prefix: string): Promise<string | undefined> {
  const probe = `${prefix}-probe`;
  try {
    await ip('netns', 'del', probe).catch(() => {});
    await ip('netns', 'add', probe);
  } catch (e) {
    return `network namespaces unavailable (needs root and iproute2): ${(e as Error).message}`;
  }
  try {
    await run('ip', ['netns', 'exec', probe, 'nft', 'add', 'table', 'inet', prefix]);
    await run('ip', ['netns', 'exec', probe, 'tc', 'qdisc', 'show']);
    return undefined;
  } catch (e) {
    return `nft or tc unusable in a namespace (install nftables and iproute2): ${(e as Error).message}`;
  } finally {
    await ip('netns', 'del', probe).catch(() => {});
  }
}

let netemKnown: boolean | undefined;
/** Which shaping this kernel offers: netem (loss, delay, rate) or only tbf + nft (rate, loss). */
export async function shapingSupport(prefix: string): Promise<{ netem: boolean }> {
  if (netemKnown === undefined) {
    const probe = `${prefix}-probe2`;
    await ip('netns', 'del', probe).catch(() => {});
    await ip('netns', 'add', probe);
    try {
      await run('ip', [
        'netns',
        'exec',
        probe,
        'tc',
        'qdisc',
        'add',
        'dev',
        'lo',
        'root',
        'netem',
        'delay',
        '1ms',
      ]);
      netemKnown = true;
    } catch {
      netemKnown = false;
    } finally {
      await ip('netns', 'del', probe).catch(() => {});
    }
  }
  return { netem: netemKnown };
}

/** Deletes every namespace and link whose name starts with `<prefix>-` (left by a killed run). */
export async function cleanStale(prefix: string): Promise<void> {
  const mine = (name: string) => name.startsWith(`${prefix}-`);
  const spaces = (await ip('netns', 'list').catch(() => ''))
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(mine);
  for (const ns of spaces) await ip('netns', 'del', ns).catch(() => {});
  const links = (await ip('-o', 'link', 'show').catch(() => ''))
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter(mine);
  for (const link of links) await ip('link', 'del', link).catch(() => {});
}

export interface Shape {
  /** Percentage of packets dropped, each direction. */
  lossPercent?: number;
  /** One-way delay added in each direction (needs netem). */
  delayMs?: number;
  /** Rate limit in each direction, kbit/s. */
  rateKbit?: number;
}

/**
 * What `block` drops, both directions, in the namespace (its loopback always passes):
 * 'all' every packet; 'udp' all UDP; 'all-but-tcp-443' everything but TCP to/from port 443;
 * `{ tcpPorts }` / `{ udpPorts }` only traffic to/from those remote ports.
 */
export type Block = 'all' | 'udp' | 'all-but-tcp-443' | { tcpPorts: number[] } | { udpPorts: number[] };

/** Splits '10.201.0.0/16' into its first two octets ('10.201'); the lab needs a /16. */
function base16(subnet: string): string {
  const m = /^(\d+)\.(\d+)\.0\.0\/16$/.exec(subnet);
  if (!m) throw new Error(`NetLab needs a /16 subnet like 10.201.0.0/16, got ${subnet}`);
  return `${m[1]}.${m[2]}`;
}

/** A TCP relay from `listen` to `target`, in the test process. */
export interface TcpRelay {
  port: number;
  /** Destroys every relayed connection now (both sockets see a reset). */
  cutAll(): void;
  close(): Promise<void>;
}

export async function startTcpRelay(
  listen: { host: string; port: number },
  target: { host: string; port: number },
): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection(target);
    sockets.add(inbound);
    sockets.add(outbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const cutAll = () => {
    for (const s of sockets) s.resetAndDestroy();
    sockets.clear();
  };
  return {
    port,
    cutAll,
    async close() {
      cutAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export class Netns {
  /** The namespace's current address (without the /16). */
  address: string;
  private readonly children = new Set<ChildProcess>();
  private wrapperDir: string | undefined;
  private moves = 0;
  private closed = false;

  constructor(
    private readonly lab: NetLab,
    readonly name: string,
    /** The veth end in the root namespace (on the bridge). */
    readonly hostVeth: string,
    /** The veth end inside the namespace. */
    readonly nsVeth: string,
    private readonly index: number,
  ) {
    this.address = `${lab.base}.${index}.2`;
  }

  /** Runs a command inside the namespace. */
  exec(cmd: string, args: string[]): Promise<string> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args]);
  }

  private nft(...args: string[]): Promise<string> {
    return this.exec('nft', args);
  }

  /** @internal */
  async setUp(): Promise<void> {
    const p = this.lab.prefix;
    await ip('netns', 'add', this.name);
    await ip('link', 'add', this.hostVeth, 'type', 'veth', 'peer', 'name', this.nsVeth);
    await ip('link', 'set', this.nsVeth, 'netns', this.name);
    await ip('link', 'set', this.hostVeth, 'master', this.lab.bridge);
    await ip('link', 'set', this.hostVeth, 'up');
    await this.exec('sysctl', ['-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1']).catch(() => {});
    await this.exec('ip', ['link', 'set', 'lo', 'up']);
    await this.exec('ip', ['addr', 'add', `${this.address}/16`, 'dev', this.nsVeth]);
    await this.exec('ip', ['link', 'set', this.nsVeth, 'up']);
    await this.exec('ip', ['route', 'add', 'default', 'via', this.lab.hostIp]);
    // One table: `block` rules in one chain, random loss in another, the namespace's loopback free.
    await this.nft('add', 'table', 'inet', p);
    for (const [chain, hook] of [
      ['in', 'input'],
      ['out', 'output'],
    ] as const) {
      await this.nft(
        'add',
        'chain',
        'inet',
        p,
        chain,
        `{ type filter hook ${hook} priority 0; policy accept; }`,
      );
      await this.nft('add', 'rule', 'inet', p, chain, hook === 'input' ? 'iif' : 'oif', 'lo', 'accept');
      await this.nft('add', 'chain', 'inet', p, `${chain}-block`);
      await this.nft('add', 'chain', 'inet', p, `${chain}-loss`);
      await this.nft('add', 'rule', 'inet', p, chain, 'jump', `${chain}-block`);
      await this.nft('add', 'rule', 'inet', p, chain, 'jump', `${chain}-loss`);
    }
  }

  /** Drops traffic as `rule` says, replacing any earlier block. */
  async block(rule: Block): Promise<void> {
    await this.unblock();
    const p = this.lab.prefix;
    const add = (chain: 'in-block' | 'out-block', ...expr: string[]) =>
      this.nft('add', 'rule', 'inet', p, chain, ...expr);
    if (rule === 'all') {
      await add('in-block', 'drop');
      await add('out-block', 'drop');
    } else if (rule === 'udp') {
      await add('in-block', 'meta', 'l4proto', 'udp', 'drop');
      await add('out-block', 'meta', 'l4proto', 'udp', 'drop');
    } else if (rule === 'all-but-tcp-443') {
      await add('in-block', 'tcp', 'sport', '443', 'accept');
      await add('in-block', 'drop');
      await add('out-block', 'tcp', 'dport', '443', 'accept');
      await add('out-block', 'drop');
    } else {
      const proto = 'tcpPorts' in rule ? 'tcp' : 'udp';
      const ports = `{ ${('tcpPorts' in rule ? rule.tcpPorts : rule.udpPorts).join(', ')} }`;
      await add('in-block', proto, 'sport', ports, 'drop');
      await add('out-block', proto, 'dport', ports, 'drop');
    }
  }

  /**
   * Traffic to/from these remote TCP ports is never blocked nor lost by nft (shaping by tc still
   * applies): e.g. the kiosk page's own kiosk host, which a real totem reaches on its loopback.
   */
  async exempt(rule: { tcpPorts: number[] }): Promise<void> {
    const p = this.lab.prefix;
    const ports = `{ ${rule.tcpPorts.join(', ')} }`;
    await this.nft('insert', 'rule', 'inet', p, 'in', 'tcp', 'sport', ports, 'accept');
    await this.nft('insert', 'rule', 'inet', p, 'out', 'tcp', 'dport', ports, 'accept');
  }

  /** Lets everything through again (shaping stays). */
  async unblock(): Promise<void> {
    const p = this.lab.prefix;
    await this.nft('flush', 'chain', 'inet', p, 'in-block');
    await this.nft('flush', 'chain', 'inet', p, 'out-block');
  }

  /** Loss, delay and rate on both directions of the namespace's link, replacing earlier shaping. */
  async shape(shape: Shape): Promise<void> {
    await this.clearShape();
    const { netem } = await shapingSupport(this.lab.prefix);
    const loss = shape.lossPercent ?? 0;
    if (netem) {
      const args = ['root', 'netem'];
      if (shape.delayMs) args.push('delay', `${shape.delayMs}ms`);
      if (loss) args.push('loss', `${loss}%`);
      if (shape.rateKbit) args.push('rate', `${shape.rateKbit}kbit`);
      await this.exec('tc', ['qdisc', 'add', 'dev', this.nsVeth, ...args]);
      await run('tc', ['qdisc', 'add', 'dev', this.hostVeth, ...args]);
      return;
    }
    if (shape.delayMs)
      throw new Error('this kernel has no netem (sch_netem): delay cannot be shaped; see shapingSupport()');
    if (shape.rateKbit) {
      // Burst of ~20 ms at the rate (at least one full packet); 100 ms of queue before drops.
      const burst = Math.max(1600, Math.round((shape.rateKbit * 1000) / 8 / 50));
      const tbf = ['root', 'tbf', 'rate', `${shape.rateKbit}kbit`, 'burst', `${burst}`, 'latency', '100ms'];
      await this.exec('tc', ['qdisc', 'add', 'dev', this.nsVeth, ...tbf]);
      await run('tc', ['qdisc', 'add', 'dev', this.hostVeth, ...tbf]);
    }
    if (loss) {
      const p = this.lab.prefix;
      for (const chain of ['in-loss', 'out-loss'])
        await this.nft(
          'add',
          'rule',
          'inet',
          p,
          chain,
          'numgen',
          'random',
          'mod',
          '100',
          '<',
          `${Math.round(loss)}`,
          'drop',
        );
    }
  }

  async clearShape(): Promise<void> {
    await this.exec('tc', ['qdisc', 'del', 'dev', this.nsVeth, 'root']).catch(() => {});
    await run('tc', ['qdisc', 'del', 'dev', this.hostVeth, 'root']).catch(() => {});
    const p = this.lab.prefix;
    await this.nft('flush', 'chain', 'inet', p, 'in-loss');
    await this.nft('flush', 'chain', 'inet', p, 'out-loss');
  }

  /**
   * Moves the namespace to another address of its block (the old one disappears, as when a 4G
   * router reconnects or DHCP hands out a new lease). Returns the new address.
   */
  async changeAddress(next?: string): Promise<string> {
    this.moves += 1;
    const to = next ?? `${this.lab.base}.${this.index}.${2 + (this.moves % 250)}`;
    const from = this.address;
    // The old address goes first (deleting a primary address also drops its secondaries and routes).
    await this.exec('ip', ['addr', 'del', `${from}/16`, 'dev', this.nsVeth]);
    await this.exec('ip', ['addr', 'add', `${to}/16`, 'dev', this.nsVeth]);
    await this.exec('ip', ['route', 'replace', 'default', 'via', this.lab.hostIp]);
    this.address = to;
    return to;
  }

  /**
   * Makes root's 127.0.0.1:`port` reachable as 127.0.0.1:`port` inside the namespace, through the
   * veth (socat here, a relay on the bridge address in the root namespace).
   */
  async forwardLoopback(port: number): Promise<void> {
    await this.lab.relayFor(port);
    await this.socat(port, `TCP4:${this.lab.hostIp}:${port}`);
  }

  /**
   * Makes root's 127.0.0.1:`port` reachable as 127.0.0.1:`port` inside the namespace WITHOUT the
   * veth (through a unix socket, which namespaces do not separate): no fault, block or address
   * change touches it. For what a real totem reaches on its own loopback (the kiosk host).
   */
  async shareLoopback(port: number): Promise<void> {
    const path = await this.lab.unixRelayFor(port);
    await this.socat(port, `UNIX-CONNECT:${path}`);
  }

  private async socat(port: number, target: string): Promise<void> {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.name, 'socat', `TCP4-LISTEN:${port},bind=127.0.0.1,fork,reuseaddr`, target],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    // Wait until socat listens (a condition, polled; bounded generously).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const out = await this.exec('ss', ['-Hltn', `sport = :${port}`]).catch(() => '');
      if (out.includes(`:${port}`)) return;
      if (child.exitCode !== null) throw new Error(`socat in ${this.name} exited: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`socat in ${this.name} never listened on ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** A script that runs Debian's Chromium in this namespace, for playwright-core's executablePath. */
  chromiumWrapper(): string {
    if (!this.wrapperDir) {
      this.wrapperDir = mkdtempSync(join(tmpdir(), `${this.name}-chromium-`));
      chmodSync(this.wrapperDir, 0o755);
    }
    const file = join(this.wrapperDir, 'chromium');
    writeFileSync(file, `#!/bin/sh\nexec ip netns exec ${this.name} ${CHROMIUM} "$@"\n`);
    chmodSync(file, 0o755);
    return file;
  }

  /**
   * Debian's Chromium inside the namespace, with the same fake camera, tone microphone and flags as
   * `launchChromium()` in browser.ts, and the generous step timeout on every context.
   */
  async launchChromium(extraArgs: string[] = []): Promise<Browser> {
    const wav = join(this.wrapperDir ?? mkdtempSync(join(tmpdir(), `${this.name}-wav-`)), 'tone.wav');
    writeToneWav(wav);
    const browser = await chromium.launch({
      executablePath: this.chromiumWrapper(),
      headless: true,
      args: [
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}`,
        '--allow-loopback-in-peer-connection',
        '--autoplay-policy=no-user-gesture-required',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        ...extraArgs,
      ],
    });
    const newContext = browser.newContext.bind(browser);
    browser.newContext = async (options) => {
      const ctx = await newContext(options);
      ctx.setDefaultTimeout(STEP_TIMEOUT_MS);
      ctx.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
      return ctx;
    };
    return browser;
  }

  /** Stops this namespace's socat, deletes the namespace and its veth pair. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const child of this.children) {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    }
    this.children.clear();
    await ip('netns', 'del', this.name).catch(() => {});
    await ip('link', 'del', this.hostVeth).catch(() => {});
    if (this.wrapperDir) rmSync(this.wrapperDir, { recursive: true, force: true });
  }
}

export class NetLab {
  readonly base: string;
  /** The root namespace's address on the bridge: where the SFU listens (media.listenIp). */
  readonly hostIp: string;
  readonly bridge: string;
  private readonly spaces: Netns[] = [];
  private readonly relays = new Map<number, Promise<TcpRelay>>();
  private readonly unixRelays = new Map<number, Promise<{ path: string; server: Server }>>();
  private unixDir: string | undefined;
  private readonly unixSockets = new Set<Socket>();
  private closed = false;

  private constructor(
    readonly prefix: string,
    subnet: string,
  ) {
    this.base = base16(subnet);
    this.hostIp = `${this.base}.0.1`;
    this.bridge = `${prefix}-br`;
  }

  /** Cleans stale namespaces/links of `prefix`, then makes the bridge on `<subnet>.0.1/16`. */
  static async create(options: { prefix: string; subnet: string }): Promise<NetLab> {
    if (!/^[a-z][a-z0-9]{1,5}$/.test(options.prefix))
      throw new Error(`prefix must be 2-6 lowercase letters/digits: ${options.prefix}`);
    const lab = new NetLab(options.prefix, options.subnet);
    await cleanStale(options.prefix);
    await ip('link', 'add', lab.bridge, 'type', 'bridge');
    await ip('addr', 'add', `${lab.hostIp}/16`, 'dev', lab.bridge);
    await ip('link', 'set', lab.bridge, 'up');
    return lab;
  }

  /** A namespace `<prefix>-<name>` on the bridge, at `<subnet>.<i>.2` (i = 1, 2, …). */
  async addNamespace(name: string): Promise<Netns> {
    if (!/^[a-z0-9]{1,8}$/.test(name))
      throw new Error(`namespace name must be 1-8 lowercase letters/digits: ${name}`);
    const i = this.spaces.length + 1;
    const ns = new Netns(this, `${this.prefix}-${name}`, `${this.prefix}-${i}h`, `${this.prefix}-${i}n`, i);
    this.spaces.push(ns);
    await ns.setUp();
    return ns;
  }

  /** @internal the root-side relay for a forwarded loopback port (one per port). */
  relayFor(port: number): Promise<TcpRelay> {
    let relay = this.relays.get(port);
    if (!relay) {
      relay = startTcpRelay({ host: this.hostIp, port }, { host: '127.0.0.1', port });
      this.relays.set(port, relay);
    }
    return relay;
  }

  /** @internal a unix-socket relay to root's 127.0.0.1:`port` (one per port); its path. */
  async unixRelayFor(port: number): Promise<string> {
    let relay = this.unixRelays.get(port);
    if (!relay) {
      this.unixDir ??= mkdtempSync(join(tmpdir(), `${this.prefix}-lo-`));
      const path = join(this.unixDir, `${port}.sock`);
      relay = new Promise<{ path: string; server: Server }>((resolve, reject) => {
        const server = createServer((inbound) => {
          const outbound = createConnection({ host: '127.0.0.1', port });
          this.unixSockets.add(inbound).add(outbound);
          const drop = () => {
            this.unixSockets.delete(inbound);
            this.unixSockets.delete(outbound);
            inbound.destroy();
            outbound.destroy();
          };
          inbound.on('error', drop).on('close', drop);
          outbound.on('error', drop).on('close', drop);
          inbound.pipe(outbound);
          outbound.pipe(inbound);
        });
        server.once('error', reject);
        server.listen(path, () => resolve({ path, server }));
      });
      this.unixRelays.set(port, relay);
    }
    return (await relay).path;
  }

  /** Destroys every connection relayed to root's 127.0.0.1:`port` (sockets see a reset at once). */
  async cutConnections(port: number): Promise<void> {
    (await this.relays.get(port))?.cutAll();
  }

  /** Deletes every namespace, veth, relay and the bridge. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const ns of this.spaces) await ns.close();
    for (const relay of this.relays.values()) await (await relay.catch(() => undefined))?.close();
    for (const s of this.unixSockets) s.destroy();
    for (const relay of this.unixRelays.values()) {
      const r = await relay.catch(() => undefined);
      if (r) await new Promise<void>((resolve) => r.server.close(() => resolve()));
    }
    if (this.unixDir) rmSync(this.unixDir, { recursive: true, force: true });
    await ip('link', 'del', this.bridge).catch(() => {});
    await cleanStale(this.prefix);
  }
}
