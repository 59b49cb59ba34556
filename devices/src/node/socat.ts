// Spawns `socat` to make a connected pair of pseudo-terminals, the build machine's stand-in for a
// USB-serial cable: what one end writes, the other reads. Used by the simulator and the real-port tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export const DEFAULT_SOCAT = '/usr/bin/socat';

export interface PtyPair {
  /** Symlinks to the two pty ends. */
  readonly a: string;
  readonly b: string;
  readonly pid: number;
  /** Resolves when socat has exited. */
  readonly exited: Promise<void>;
  /**
   * Stops socat; safe to call twice. SIGTERM (default) lets it remove its links; SIGKILL simulates a
   * crash and leaves them dangling, which the next socat on the same paths replaces.
   */
  close(signal?: NodeJS.Signals): Promise<void>;
}

// Children still running, killed if the process exits without closing them (a crashed CLI or test).
const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill('SIGTERM');
};

/** Starts socat and resolves once both links exist and data flows ("starting data transfer loop"). */
export function startPtyPair(options: { a: string; b: string; socat?: string }): Promise<PtyPair> {
  const { a, b } = options;
  const child = spawn(
    options.socat ?? DEFAULT_SOCAT,
    ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (live.size === 0) process.on('exit', killAll);
  live.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      if (live.size === 0) process.off('exit', killAll);
      resolve();
    });
    child.once('error', () => {
      live.delete(child);
      if (live.size === 0) process.off('exit', killAll);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  const pair: PtyPair = {
    a,
    b,
    pid: child.pid ?? -1,
    exited,
    close: (signal = 'SIGTERM') => {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
        child.stderr?.destroy();
      })();
      return closing;
    },
  };
  return new Promise<PtyPair>((resolve, reject) => {
    let log = '';
    const onData = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
      if (log.includes('starting data transfer loop')) {
        child.stderr?.off('data', onData);
        // Keep draining stderr so socat never blocks on a full pipe.
        child.stderr?.resume();
        resolve(pair);
      }
    };
    child.stderr?.on('data', onData);
    child.once('error', (error) =>
      reject(
        new Error(`cannot run socat (${error.message}): install it (apt-get install socat)`, {
          cause: error,
        }),
      ),
    );
    child.once('exit', (code) =>
      reject(new Error(`socat exited with code ${code} before the ptys were ready: ${log.trim()}`)),
    );
  });
}
