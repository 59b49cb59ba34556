// The kiosk's footprint: cold start to an interactive idle screen, and the resident memory of all
// kiosk processes (the agent and every Chromium process under it) over 100 simulated calls.
// A real server runs in this process with a scripted operator console (not a kiosk process); the
// kiosk runs in a child started like the packaged unit (node on a bundle), its window headless
// Chromium with fake camera and microphone, so each call opens the camera, joins the call's room and
// sends audio and video until the operator hangs up. Memory is read from /proc (process-memory.ts):
// the processes' unique resident memory (each physical page once) against the target, split into
// the pages that map program files (Chromium's and Node's code) and the processes' own, with PSS
// and RSS sums and PSS per kind of process for reference. The cold starts print each phase.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import WebSocket from 'ws';
import type { HostServerMessage, KioskRequest, KioskState } from '@sportello/protocol';
import { agentBundleOptions } from '../../kiosk-shell/host/node/agent-bundle.ts';
import { HOST_PROTOCOL } from '../../kiosk-shell/host/node/host.ts';
import { CHROMIUM } from '../../e2e/support/browser.ts';
import { nextWeekdayMorning, PAGES_DIR } from '../../e2e/support/stack.ts';
import { TestOperator } from '../../server/src/node/testing/operator-client.ts';
import {
  startTestServer,
  TEST_PASSWORDS,
  totemCredential,
  type TestServer,
} from '../../server/src/node/testing/test-server.ts';
import { memory, tree, type Memory } from './process-memory.ts';
import { summarize, type Row } from './stats.ts';

const CHILD = fileURLToPath(new URL('./kiosk-footprint-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The node flags of the Chromium unit's ExecStart (between /usr/bin/node and the bundle). */
const UNIT_NODE_FLAGS = ((): string[] => {
  const unit = readFileSync(
    join(ROOT, 'kiosk-shell/packaging/systemd/sportello-kiosk-chromium.service'),
    'utf8',
  );
  const exec = /^ExecStart=.*?\/usr\/bin\/node((?: --\S+)*) \S+$/m.exec(unit);
  if (!exec)
    throw new Error('the Chromium unit no longer runs /usr/bin/node <flags> <bundle>: update the benchmark');
  return exec[1]!.trim().split(' ').filter(Boolean);
})();
/** Longest wait for any one step: a bound against a hang, never a figure. */
const STEP_BOUND_MS = 120_000;

export interface KioskFootprintOptions {
  /** Cold starts measured. Default 5. */
  starts?: number;
  /** Calls before the last memory reading. Default 100. */
  calls?: number;
  /** A memory reading every this many calls. Default 10. */
  every?: number;
}

interface Ready {
  idleMs: number;
  /** Milliseconds since the agent's process start: code loaded, agent started, window opened. */
  phases: { loaded: number; agent: number; window: number };
  agentPid: number;
  windowPid: number;
  origin: string;
  secret: string;
}

function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what}: nothing after ${STEP_BOUND_MS} ms`)),
        STEP_BOUND_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Chromium with fake camera and microphone (the launcher's own flags stay as they are), and V8's
 * --expose-gc added to whatever --js-flags the launcher gives (Chromium keeps only the last one).
 * `extraFlags` (space-separated, no spaces inside one flag) go before the launcher's.
 */
function fakeMediaChromium(dir: string, extraFlags = ''): string {
  const file = join(dir, 'chromium-fake-media');
  // --expose-gc: the benchmark collects garbage in the page before each memory reading.
  writeFileSync(
    file,
    [
      '#!/bin/sh',
      'js=--expose-gc',
      `set -- ${extraFlags} "$@"`,
      'for a in "$@"; do',
      '  shift',
      '  case "$a" in',
      '    --js-flags=*) js="$js ${a#--js-flags=}" ;;',
      '    *) set -- "$@" "$a" ;;',
      '  esac',
      'done',
      `exec ${CHROMIUM} --use-fake-device-for-media-stream "--js-flags=$js" "$@"`,
      '',
    ].join('\n'),
  );
  chmodSync(dir, 0o755);
  chmodSync(file, 0o755);
  return file;
}

interface Kiosk {
  child: ChildProcess;
  ready: Ready;
  /** Wall milliseconds from spawn to the ready line, measured here. */
  startMs: number;
  /** A full garbage collection in the page and the agent. */
  gc(): Promise<void>;
  stop(): Promise<void>;
}

/** The child bundled once as the unit's agent is (agent-bundle.ts), run by plain Node like the unit. */
async function bundleChild(outDir: string): Promise<string> {
  const outfile = join(outDir, 'kiosk-footprint-child.cjs');
  await build({ ...agentBundleOptions(CHILD, outfile), sourcemap: false, logLevel: 'silent' });
  return outfile;
}

/** How the kiosk child is started: bundled, as the packaged unit does, or with tsx (before). */
type Runner = { name: 'tsx' } | { name: 'bundle'; file: string };

async function startKiosk(t: TestServer, work: string, chromium: string, runner: Runner): Promise<Kiosk> {
  const dataDir = mkdtempSync(join(work, 'kiosk-'));
  const t0 = performance.now();
  // The unit's node flags, so that the agent runs here as on the totem; BENCH_KIOSK_NODE_FLAGS to try others.
  const nodeFlags = (process.env.BENCH_KIOSK_NODE_FLAGS ?? UNIT_NODE_FLAGS.join(' '))
    .split(' ')
    .filter(Boolean);
  const args = [
    '--expose-gc',
    ...nodeFlags,
    ...(runner.name === 'tsx' ? ['--import', 'tsx', CHILD] : [runner.file]),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      SPORTELLO_SERVER_URL: t.url,
      SPORTELLO_TOTEM_CREDENTIAL: totemCredential(t.seed),
      SPORTELLO_KIOSK_DATA_DIR: dataDir,
      SPORTELLO_KIOSK_PAGES_DIR: PAGES_DIR,
      BENCH_CHROMIUM: chromium,
      // The bundle leaves the native modules outside: they load from the checkout's node_modules.
      ...(runner.name === 'bundle' ? { NODE_PATH: join(ROOT, 'node_modules') } : {}),
      // The launcher wants a display even for a headless window; headless Chromium never opens it.
      DISPLAY: process.env.DISPLAY ?? ':99',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout! });
  const ready = await bounded(
    new Promise<Ready>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the kiosk exited (${code}):\n${stderr}`)));
      lines.once('line', (l) => resolve(JSON.parse(l) as Ready));
    }),
    'kiosk start',
  );
  const startMs = performance.now() - t0;
  return {
    child,
    ready,
    startMs,
    async gc() {
      const done = new Promise<void>((resolve) =>
        lines.on('line', function on(l) {
          if (l !== 'gc-done') return;
          lines.off('line', on);
          resolve();
        }),
      );
      child.stdin!.write('gc\n');
      await bounded(done, 'garbage collection');
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await bounded(exited, 'kiosk stop');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The kiosk API as a second page would use it: requests and the pushed states. */
class KioskApiClient {
  private nextId = 1;
  private readonly waiters: { pred: (s: KioskState) => boolean; resolve: (s: KioskState) => void }[] = [];
  state: KioskState | undefined;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const msg = JSON.parse(String(d)) as HostServerMessage;
      const state = msg.type === 'state' ? msg.state : msg.result.ok ? msg.result.value : undefined;
      if (!state) return;
      this.state = state;
      for (const w of [...this.waiters]) {
        if (!w.pred(state)) continue;
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(state);
      }
    });
  }
  static async open(ready: Ready): Promise<KioskApiClient> {
    const ws = new WebSocket(`${ready.origin.replace(/^http/, 'ws')}/api`, [HOST_PROTOCOL, ready.secret], {
      origin: ready.origin,
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    return new KioskApiClient(ws);
  }
  send(request: KioskRequest): void {
    this.ws.send(JSON.stringify({ id: this.nextId++, request }));
  }
  until(pred: (s: KioskState) => boolean): Promise<KioskState> {
    if (this.state && pred(this.state)) return Promise.resolve(this.state);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
  close(): void {
    this.ws.close();
  }
}

/** Resolves when the kiosk sends both its camera and its microphone into the call's room. */
async function kioskSending(t: TestServer, callId: string): Promise<void> {
  for (;;) {
    const producers = t.server.router.roomFor(callId)?.dump().peers.kiosk?.producers ?? 0;
    if (producers >= 2) return;
    // A poll of the server's own counts; the step's bound, not this pause, is what limits it.
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** "renderer 120 → 131 MB, agent 60 → 62 MB…", largest first. */
function byKind(from: Memory, to: Memory): string {
  return Object.entries(to.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, v]) => {
      const n = to.countByKind[kind] ?? 1;
      return `${kind}${n > 1 ? ` ×${n}` : ''} ${(from.byKind[kind] ?? 0).toFixed(0)} → ${v.toFixed(0)} MB`;
    })
    .join(', ');
}

export async function runKioskFootprintBench(options: KioskFootprintOptions = {}): Promise<Row[]> {
  const starts = options.starts ?? 5;
  const calls = options.calls ?? 100;
  const every = options.every ?? 10;
  const work = mkdtempSync(join(tmpdir(), 'sportello-bench-kiosk-'));
  // Its own folder, readable by the unprivileged user the window runs as.
  const binDir = mkdtempSync(join(tmpdir(), 'sportello-bench-chromium-'));
  // BENCH_KIOSK_CHROMIUM_FLAGS: flags to try beside the launcher's (a flag's effect, before adopting it).
  const chromium = fakeMediaChromium(binDir, process.env.BENCH_KIOSK_CHROMIUM_FLAGS ?? '');
  const base = nextWeekdayMorning().getTime();
  const realStart = Date.now();
  const t = await startTestServer(
    { pagesDir: PAGES_DIR, calls: { ringTimeoutSeconds: 600 } },
    () => new Date(base + Date.now() - realStart),
  );
  const rows: Row[] = [];
  try {
    // 1. Cold starts, each with a fresh data folder and a fresh Chromium profile: as the packaged
    // unit starts the agent (plain node on the bundle), and with tsx transpiling at start as the
    // unit did before (informative).
    const bundled: Runner = { name: 'bundle', file: await bundleChild(work) };
    for (const runner of [bundled, { name: 'tsx' } as Runner]) {
      const wall: number[] = [];
      const phases: Record<'loaded' | 'agent' | 'window' | 'idle', number[]> = {
        loaded: [],
        agent: [],
        window: [],
        idle: [],
      };
      for (let i = 0; i < starts; i++) {
        const k = await startKiosk(t, work, chromium, runner);
        wall.push(k.startMs);
        const p = k.ready.phases;
        phases.loaded.push(p.loaded);
        phases.agent.push(p.agent - p.loaded);
        phases.window.push(p.window - p.agent);
        phases.idle.push(k.ready.idleMs - p.window);
        await k.stop();
      }
      const w = summarize(wall);
      // Each phase's p50 and every start's figure: where the time goes.
      const phaseNote = Object.entries(phases)
        .map(([name, v]) => `${name} p50 ${Math.round(summarize(v).p50)} (${v.map(Math.round).join(' ')})`)
        .join(', ');
      rows.push(
        runner.name === 'bundle'
          ? {
              name: 'kiosk cold start → interactive idle',
              summary: w,
              target: 'p95 ≤ 2000 ms',
              pass: w.p95 <= 2000,
              note: `spawn of node on the agent bundle (as the unit runs it) → agent, host, runtime, with Chromium started meanwhile → headless Chromium takes the page → idle screen rendered from the core's state; ms: ${wall.map(Math.round).join(' ')}; phases in the agent process (ms): loaded = from the process's start to its first code run (Chromium is spawned then), agent = the agent's code loaded and the agent started, Chromium starting meanwhile, window = then until Chromium has loaded the page, idle = then until the idle screen shows: ${phaseNote}`,
            }
          : {
              name: '  the same with tsx transpiling at start (before)',
              summary: w,
              note: `node --import tsx on the sources; ms: ${wall.map(Math.round).join(' ')}; phases (ms): ${phaseNote}`,
            },
      );
    }

    // 2. Memory over the calls.
    const op = await TestOperator.signIn(t.url, 'giulia', TEST_PASSWORDS.giulia);
    await op.setPresence('available');
    const k = await startKiosk(t, work, chromium, bundled);
    const api = await KioskApiClient.open(k.ready);
    const samples: ({ calls: number } & Memory)[] = [];
    const sample = async (n: number) => {
      await k.gc();
      samples.push({ calls: n, ...memory(tree(k.ready.agentPid), k.ready.agentPid) });
    };
    try {
      api.send({ method: 'getState' });
      await bounded(
        api.until((s) => s.screen.screen === 'idle'),
        'idle',
      );
      await sample(0);
      for (let n = 1; n <= calls; n++) {
        const ring = op.nextRing();
        api.send({ method: 'startWalkIn' });
        const { callId } = await bounded(ring, `ring of call ${n}`);
        await op.accept(callId);
        await bounded(
          api.until((s) => s.screen.screen === 'in-call'),
          `in-call ${n}`,
        );
        await bounded(kioskSending(t, callId), `media of call ${n}`);
        await op.hangUp(callId);
        await bounded(
          api.until((s) => s.screen.screen === 'idle'),
          `idle after call ${n}`,
        );
        if (n % every === 0) await sample(n);
      }
    } finally {
      api.close();
      op.close();
      await k.stop();
    }
    const last = samples.at(-1)!;
    const steady = samples.find((s) => s.calls >= every) ?? samples[0]!;
    // The union of physical pages when readable (root), else PSS.
    const figure = (m: Memory) => m.unique ?? m.pss;
    const label = last.unique !== null ? 'unique resident' : 'PSS';
    const growth = figure(last) - figure(steady);
    const mb = (v: number) => `${v.toFixed(0)} MB`;
    rows.push(
      {
        name: `kiosk memory after ${last.calls} calls (${label}, all processes)`,
        value: figure(last),
        unit: 'MB',
        target: '≤ 300 MB',
        pass: figure(last) <= 300,
        note: `${last.processes} processes (agent + Chromium); ${
          last.uniqueFiles !== null
            ? `of the last reading, ${mb(last.uniqueFiles)} map program files (Chromium's and Node's code, libraries, fonts: shared with any other Chromium on the machine) and ${mb(last.unique! - last.uniqueFiles)} are the processes' own; `
            : ''
        }${label} at ${samples.map((s) => `${s.calls}: ${mb(figure(s))}`).join(', ')}; PSS ${mb(last.pss)}, RSS summed ${mb(last.rss)}; PSS by process at ${steady.calls} → ${last.calls} calls: ${byKind(steady, last)}`,
      },
      {
        name: `kiosk memory growth, call ${steady.calls} → ${last.calls}`,
        value: growth,
        unit: 'MB',
        // Allocators and caches move by a few MB either way; a leak of one call's media would not.
        target: 'no growth (≤ 5%)',
        pass: growth <= figure(steady) * 0.05,
      },
    );
    return rows;
  } finally {
    await t.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(binDir, { recursive: true, force: true });
  }
}
