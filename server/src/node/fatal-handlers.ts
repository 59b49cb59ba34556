// The process-level safety net: a promise rejection or exception that nothing handled is logged
// and ends the process with exit code 70 (EX_SOFTWARE). The supervisor restarts the server and
// recovery at start (calls/recovery.ts) puts the queue back together — safer than running on in a
// state nobody knows. Every known fire-and-forget path catches and logs its own errors; this is
// only for the ones nobody foresaw.
import type { Logger } from './logger.ts';

export const FATAL_EXIT_CODE = 70;

export function installFatalHandlers(log: Logger, exit: (code: number) => void = process.exit): void {
  const fatal = (kind: string) => (err: unknown) => {
    log.fatal({ err }, `${kind}: exiting so that the supervisor restarts the server`);
    process.exitCode = FATAL_EXIT_CODE;
    // Let the log line reach its destination, but never hang on it.
    setTimeout(() => exit(FATAL_EXIT_CODE), 200).unref();
  };
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
  process.on('uncaughtException', fatal('uncaught exception'));
}
