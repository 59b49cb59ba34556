// systemd's end of sd_notify for tests: a unix datagram socket (socat UNIX-RECV, since Node cannot
// bind one) whose messages arrive as "KEY=value" events, and an optional watchdog that, like
// systemd's WatchdogSec, fires when no WATCHDOG=1 came for that long after READY=1.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export class NotifyListener extends EventEmitter<{ message: [string]; timeout: [] }> {
  readonly messages: string[] = [];
  private watchdogTimer: NodeJS.Timeout | undefined;
  private constructor(
    private readonly socat: ChildProcess,
    private readonly watchdogMs: number | undefined,
  ) {
    super();
    let buf = '';
    socat.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const line of lines) this.take(line);
    });
  }

  /** Listens on `socket` (a path); resolves once the socket exists. */
  static async open(socket: string, watchdogMs?: number): Promise<NotifyListener> {
    const appeared = new Promise<void>((resolve) => {
      const w = watch(dirname(socket), (_, name) => {
        if (name === basename(socket) && existsSync(socket)) {
          w.close();
          resolve();
        }
      });
    });
    const socat = spawn('socat', ['-u', `UNIX-RECV:${socket}`, 'STDOUT'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await appeared;
    return new NotifyListener(socat, watchdogMs);
  }

  private take(line: string): void {
    this.messages.push(line);
    if (this.watchdogMs !== undefined && (line === 'READY=1' || line === 'WATCHDOG=1')) this.arm();
    this.emit('message', line);
  }

  private arm(): void {
    clearTimeout(this.watchdogTimer);
    this.watchdogTimer = setTimeout(() => this.emit('timeout'), this.watchdogMs);
  }

  /** Resolves with the next message that matches. */
  next(pred: (m: string) => boolean): Promise<string> {
    return new Promise((resolve) => {
      const on = (m: string) => {
        if (!pred(m)) return;
        this.off('message', on);
        resolve(m);
      };
      this.on('message', on);
    });
  }

  close(): void {
    clearTimeout(this.watchdogTimer);
    this.socat.kill();
  }
}
