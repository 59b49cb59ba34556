// `sportello-server [--config file.json]`: the central server under a supervisor (systemd).
// Exits non-zero on a bad configuration or a failed start-up step, naming the cause.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { startServer } from './server.ts';

const { values } = parseArgs({ options: { config: { type: 'string' } } });
try {
  const config = loadConfig({ file: values.config, env: process.env });
  const server = await startServer(config);
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
