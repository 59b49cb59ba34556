import { pino, type Logger } from 'pino';

export type { Logger };

/** One logger for the process; children carry the component name. */
export function createLogger(level: string, name = 'sportello-server'): Logger {
  return pino({ name, level });
}
