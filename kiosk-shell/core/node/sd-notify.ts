// sd_notify(3) for the kiosk agent: READY=1 once it serves, WATCHDOG=1 while its health check
// passes (K-2). The protocol is one datagram on the unix socket named by $NOTIFY_SOCKET, but Node
// has no unix datagram sockets, and the npm packages that add them (sd-notify, unix-dgram) are
// native addons that need a compiler and libsystemd headers on every machine. systemd-notify(1)
// exits at once, so systemd, which identifies the sender by its process, may drop its messages
// (the race its manual describes). So one long-lived socat (Debian) holds the socket instead: each
// message written to its standard input leaves as one datagram, from a process inside the unit,
// which NotifyAccess=all accepts (the agent is cage's child, not the unit's main process).
import { spawn, type ChildProcess } from 'node:child_process';

export interface Notifier {
  /** Sends "KEY=value" lines as one message; false when there is no service manager to tell. */
  notify(message: string): boolean;
  close(): void;
}

/** socat's address for $NOTIFY_SOCKET: a path, or "@name" for the abstract namespace. */
export function socatAddress(socket: string): string {
  return socket.startsWith('@') ? `ABSTRACT-SENDTO:${socket.slice(1)}` : `UNIX-SENDTO:${socket}`;
}

/** Half of $WATCHDOG_USEC in milliseconds (as sd_watchdog_enabled(3) advises), or undefined. */
export function watchdogPingMs(env: NodeJS.ProcessEnv): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  return Number.isFinite(usec) && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : undefined;
}

export function createNotifier(
  env: NodeJS.ProcessEnv = process.env,
  log?: (msg: string, detail?: unknown) => void,
): Notifier {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return { notify: () => false, close: () => {} };
  let child: ChildProcess | undefined;
  let closed = false;
  const open = (): ChildProcess => {
    const c = spawn('socat', ['-u', 'STDIN', socatAddress(socket)], { stdio: ['pipe', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-500)));
    c.on('error', (e) => log?.('sd_notify helper (socat) failed to start', e));
    c.stdin!.on('error', () => {});
    c.on('exit', (code) => {
      if (child === c) child = undefined;
      if (!closed) log?.(`sd_notify helper (socat) ended (${code}): ${err.trim()}`);
    });
    return c;
  };
  return {
    notify(message) {
      if (closed) return false;
      child ??= open();
      // One write, one read by socat, one datagram; the newline ends the last assignment.
      return (child.stdin!.write(`${message}\n`), true);
    },
    close() {
      if (closed) return;
      closed = true;
      // socat sends what it has read, then ends on end of input.
      child?.stdin!.end();
    },
  };
}
