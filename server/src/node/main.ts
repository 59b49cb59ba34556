// `sportello-server [--config file.json]`: the central server under a supervisor (systemd).
// Exits non-zero on a bad configuration or a failed start-up step, naming the cause. A promise
// rejection or exception that nothing handled is logged and ends the process non-zero: the
// supervisor restarts it and recovery at start (calls/recovery.ts) puts the queue back together,
// which is safer than running on in a state nobody knows.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { installFatalHandlers } from './fatal-handlers.ts';
import { createLogger } from './logger.ts';
import { startServer } from './server.ts';

const { values } = parseArgs({ options: { config: { type: 'string' } } });
try {
  const config = loadConfig({ file: values.config, env: process.env });
  const log = createLogger(config.logLevel);
  installFatalHandlers(log);
  const server = await startServer(config, { log });
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `sportello-server: ${(err as Error).message}`);
  process.exit(1);
}
