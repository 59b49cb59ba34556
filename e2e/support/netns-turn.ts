// A call across a restrictive or thin network (W-5, W-6), on top of netns.ts: the server and the
// SFU in the root namespace (the SFU on the lab's bridge address), the operator's console in a
// Chromium of the root namespace, the kiosk page in a Chromium inside namespace `spt-kiosk`, and,
// when asked, Debian's coturn serving TURN over TLS on the bridge address's port 443 with a
// self-signed certificate made by openssl in a temp dir.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import type { DegradationRules } from '../../app/shared/common/video-degradation.ts';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startKioskAgent, type KioskAgent } from '@sportello/kiosk-shell/host';
import {
  startTestServer,
  totemCredential,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { launchChromium } from './browser.ts';
import { NetLab, type Netns } from './netns.ts';
import { PAGES_DIR, nextWeekdayMorning } from './stack.ts';

export const PREFIX = 'spt';
export const SUBNET = '10.202.0.0/16';
export const TURN_BIN = '/usr/bin/turnserver';

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** Resolves once a TCP connection to host:port is accepted (polled: coturn says nothing when ready). */
async function waitForListener(host: string, port: number, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child.exitCode !== null) throw new Error(`turnserver exited (${child.exitCode}): ${log()}`);
    if (Date.now() > deadline) throw new Error(`turnserver never listened on ${host}:${port}: ${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface Coturn {
  url: string;
  /** base64 SHA-256 of the certificate's public key, for Chromium's SPKI allow-list. */
  spkiHash: string;
  close(): Promise<void>;
}

/**
 * coturn on `ip`:443, TLS only (no UDP, no plain TCP), REST-scheme credentials with `secret`, its
 * relay on the same address. Everything it writes stays in a temp dir removed by close().
 */
export async function startCoturn(ip: string, secret: string): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}-coturn-`));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=turn.sportello.test',
    '-addext',
    `subjectAltName=IP:${ip}`,
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  const child = spawn(
    TURN_BIN,
    [
      '-n',
      '--log-file=stdout',
      '--simple-log',
      `--listening-ip=${ip}`,
      `--relay-ip=${ip}`,
      '--tls-listening-port=443',
      '--no-udp',
      '--no-tcp',
      '--no-dtls',
      '--no-cli',
      '--fingerprint',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=sportello.test',
      `--cert=${cert}`,
      `--pkey=${key}`,
      '--min-port=49160',
      '--max-port=49260',
      `--pidfile=${join(dir, 'turnserver.pid')}`,
      `--userdb=${join(dir, 'turndb')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (process.env.SPORTELLO_E2E_CONSOLE) console.error(`[turnserver]\n${out}`);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForListener(ip, 443, child, () => out);
  } catch (err) {
    await close();
    throw err;
  }
  // The key's SPKI hash: Chromium accepts this one self-signed certificate and no other
  // (--ignore-certificate-errors-spki-list), as a totem trusts the municipality's real one.
  const spki = await run('sh', [
    '-c',
    `openssl x509 -in '${cert}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
  ]);
  return { url: `turns:${ip}:443?transport=tcp`, spkiHash: spki.trim(), close };
}

/** Lets TCP to the lab's `ports` through whatever `block` set (the namespace's own rules, mine). */
export async function allowTcpTo(ns: Netns, hostIp: string, ports: number[]): Promise<void> {
  const set = `{ ${ports.join(', ')} }`;
  await ns.exec('nft', [
    'insert',
    'rule',
    'inet',
    PREFIX,
    'out-block',
    'ip',
    'daddr',
    hostIp,
    'tcp',
    'dport',
    set,
    'accept',
  ]);
  await ns.exec('nft', [
    'insert',
    'rule',
    'inet',
    PREFIX,
    'in-block',
    'ip',
    'saddr',
    hostIp,
    'tcp',
    'sport',
    set,
    'accept',
  ]);
}

export interface NetStack {
  lab: NetLab;
  kioskNs: Netns;
  coturn: Coturn | undefined;
  t: TestServer;
  kiosk: KioskAgent;
  kioskBrowser: Browser;
  consoleBrowser: Browser;
  /** The server's HTTP port (through the veth) and the kiosk host's (shared loopback). */
  ports: { server: number; kioskHost: number };
  openKiosk(): Promise<Page>;
  openOperator(username: 'giulia' | 'marco'): Promise<Page>;
  close(): Promise<void>;
}

/** Drops TCP to and from these remote ports, on top of whatever `block` set. */
export async function dropTcpTo(ns: Netns, ports: number[]): Promise<void> {
  const set = `{ ${ports.join(', ')} }`;
  await ns.exec('nft', ['add', 'rule', 'inet', PREFIX, 'out-block', 'tcp', 'dport', set, 'drop']);
  await ns.exec('nft', ['add', 'rule', 'inet', PREFIX, 'in-block', 'tcp', 'sport', set, 'drop']);
}

/**
 * The stack; with `turnSecret`, coturn runs on the bridge address's port 443 and the server hands
 * out credentials for it.
 */
export async function startNetStack(options: {
  turnSecret?: string;
  /** Video-degradation rules over the defaults for both pages (link-monitor.ts). */
  degradation?: Partial<DegradationRules>;
}): Promise<NetStack> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((e: unknown) => console.error('close:', e));
  };
  try {
    const lab = await NetLab.create({ prefix: PREFIX, subnet: SUBNET });
    closers.push(() => lab.close());
    const kioskNs = await lab.addNamespace('kiosk');
    let coturn: Coturn | undefined;
    if (options.turnSecret) {
      coturn = await startCoturn(lab.hostIp, options.turnSecret);
      closers.push(() => coturn!.close());
    }
    const trustTurn = coturn ? [`--ignore-certificate-errors-spki-list=${coturn.spkiHash}`] : [];
    const base = nextWeekdayMorning().getTime();
    const realStart = Date.now();
    const now = () => new Date(base + Date.now() - realStart);
    const t = await startTestServer(
      {
        pagesDir: PAGES_DIR,
        calls: { ringTimeoutSeconds: 600 },
        media: { listenIp: lab.hostIp },
        ...(coturn ? { turn: { urls: [coturn.url], secret: options.turnSecret } } : {}),
      },
      now,
    );
    closers.push(() => t.close());
    const kioskDir = mkdtempSync(join(tmpdir(), `${PREFIX}-kiosk-`));
    closers.push(async () => rmSync(kioskDir, { recursive: true, force: true }));
    const kiosk = await startKioskAgent({
      serverUrl: t.url,
      credential: totemCredential(t.seed),
      dataDir: kioskDir,
      pagesDir: PAGES_DIR,
      core: { endedScreenMs: 3_000 },
    });
    closers.push(() => kiosk.close());
    await kiosk.core.refreshAgenda();
    const ports = { server: Number(new URL(t.url).port), kioskHost: Number(new URL(kiosk.pageUrl).port) };
    await kioskNs.forwardLoopback(ports.server);
    // The kiosk host is on the totem's own loopback: no block or thin link touches it.
    await kioskNs.shareLoopback(ports.kioskHost);
    const kioskBrowser = await kioskNs.launchChromium(trustTurn);
    closers.push(() => kioskBrowser.close());
    const consoleBrowser = await launchChromium();
    closers.push(() => consoleBrowser.close());
    const contexts: BrowserContext[] = [];
    closers.push(async () => {
      for (const c of contexts) await c.close().catch(() => {});
    });
    const page = async (browser: Browser, label: string) => {
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(ctx);
      const p = await ctx.newPage();
      if (options.degradation)
        await p.addInitScript(`window.sportelloDegradationRules = ${JSON.stringify(options.degradation)};`);
      if (process.env.SPORTELLO_E2E_CONSOLE) p.on('console', (m) => console.error(`[${label}] ${m.text()}`));
      p.on('pageerror', (e) => console.error(`[${label} page error] ${e.message}`));
      return p;
    };
    return {
      lab,
      kioskNs,
      coturn,
      t,
      kiosk,
      kioskBrowser,
      consoleBrowser,
      ports,
      async openKiosk() {
        const p = await page(kioskBrowser, 'kiosk');
        await p.goto(kiosk.pageUrl);
        await p.locator('[data-screen="idle"]').waitFor({ state: 'visible' });
        return p;
      },
      async openOperator(username) {
        const p = await page(consoleBrowser, username);
        await p.goto(`${t.url}/operator/`);
        await p.fill('input[name=username]', username);
        await p.fill('input[name=password]', `${username}-test-password`);
        await p.click('#sign-in-form button[type=submit]');
        const badge = p.locator('#presence-badge:not([hidden])');
        await badge.waitFor();
        if ((await badge.getAttribute('data-status')) !== 'available') await p.click('#btn-presence');
        await p.locator('#presence-badge[data-status="available"]').waitFor();
        return p;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Why coturn cannot run here, or undefined. */
export function coturnMissing(): string | undefined {
  return existsSync(TURN_BIN) ? undefined : `coturn is not installed (${TURN_BIN}): apt-get install coturn`;
}

/** What the page's RoomClient says of its transports (call-diagnostics.ts). */
export interface Diagnostics {
  send: { localType: string; protocol: string; relayProtocol: string | null; remoteProtocol: string } | null;
  recv: { localType: string; protocol: string; relayProtocol: string | null; remoteProtocol: string } | null;
  received: { videoFramesDecoded: number; audioSamplesReceived: number; audioBytesReceived: number };
  levels: { kiosk: string; operator: string };
  ownLevel: string;
  switches: number;
  levelChanges: {
    level: string;
    sample: { atMs: number; loss: number | null; bandwidthKbps: number | null };
  }[];
}

type DiagWindow = { sportelloMedia?: { diagnostics(): Promise<Diagnostics> } };

export async function diagnostics(page: Page): Promise<Diagnostics | undefined> {
  return page.evaluate(() => (globalThis as unknown as DiagWindow).sportelloMedia?.diagnostics());
}

/**
 * Waits until the page's diagnostics satisfy `predicate`, read every 200 ms; the timeout is a
 * generous bound for a busy machine, never the thing tested. The error shows the last reading.
 */
export async function waitForDiagnostics(
  page: Page,
  what: string,
  predicate: (d: Diagnostics) => boolean,
  timeoutMs = 120_000,
): Promise<Diagnostics> {
  const deadline = Date.now() + timeoutMs;
  let last: Diagnostics | undefined;
  for (;;) {
    last = await diagnostics(page).catch(() => undefined);
    if (last && predicate(last)) return last;
    if (Date.now() > deadline) throw new Error(`${what}: not seen; last diagnostics ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
