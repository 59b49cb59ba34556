export {
  loadConfig,
  ConfigError,
  CONFIG_ENV_VARS,
  type ServerConfig,
  type ServerConfigInput,
} from './config.ts';
export { startServer, type RunningServer } from './server.ts';
export { seedDemo, type DemoSeed } from './db/seed-demo.ts';
export { createLogger } from './logger.ts';
export { codeHash } from './agenda/kiosk-agenda.ts';
