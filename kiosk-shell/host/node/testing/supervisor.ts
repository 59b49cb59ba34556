// A small supervisor for the K-1 test, playing systemd's part for the kiosk unit: Restart=always
// with the unit's RestartSec (read from the unit file, scaled down by the test), every exit told as
// an event, every start's first output line (the agent's "page served") told as another.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';

/** A [Service] setting of a unit file, e.g. RestartSec. */
export function unitSetting(unitFile: string, key: string): string | undefined {
  const line = readFileSync(unitFile, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}=`));
  return line?.slice(key.length + 1).trim();
}

export interface SupervisorOptions {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** The unit's RestartSec, in milliseconds after the test's scaling. */
  restartMs: number;
}

export interface Started {
  child: ChildProcess;
  /** The child's first line of output, parsed as JSON. */
  ready: Record<string, unknown>;
}

export class Supervisor extends EventEmitter<{
  ready: [Started];
  exit: [{ pid: number; code: number | null; signal: NodeJS.Signals | null }];
  failed: [Error];
}> {
  private child: ChildProcess | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  stderr = '';

  constructor(private readonly o: SupervisorOptions) {
    super();
  }

  start(): void {
    const child = spawn(this.o.command, this.o.args, { env: this.o.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let out = '';
    let told = false;
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (!told && nl >= 0) {
        told = true;
        this.emit('ready', { child, ready: JSON.parse(out.slice(0, nl)) as Record<string, unknown> });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-20_000)));
    child.on('exit', (code, signal) => {
      this.emit('exit', { pid: child.pid!, code, signal });
      // A start that fails before serving the page is a fault of the test's setup: said at once.
      if (!told && code !== 0 && signal !== 'SIGKILL') {
        this.emit(
          'failed',
          new Error(`the agent exited with ${code ?? signal} before serving: ${this.stderr}`),
        );
      }
      if (this.stopped) return;
      this.timer = setTimeout(() => this.start(), this.o.restartMs);
    });
  }

  /** The next start's "page served" line. */
  nextReady(): Promise<Started> {
    return new Promise((resolve, reject) => {
      const onFailed = (err: Error) => {
        this.off('ready', onReady);
        reject(err);
      };
      const onReady = (s: Started) => {
        this.off('failed', onFailed);
        resolve(s);
      };
      this.once('ready', onReady);
      this.once('failed', onFailed);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this.child;
    if (c && c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await gone;
    }
  }
}
