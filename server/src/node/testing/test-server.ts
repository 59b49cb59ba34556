// A real server for tests: temp data dir, port 0, one media worker, the demo seed with known
// passwords. Shared by the server's own tests and the end-to-end suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ServerConfigInput } from '../config.ts';
import { seedDemo, type DemoSeed } from '../db/seed-demo.ts';
import { startServer, type RunningServer } from '../server.ts';

export const TEST_PASSWORDS = {
  giulia: 'giulia-test-password',
  marco: 'marco-test-password',
  admin: 'admin-test-password',
};

export interface TestServer {
  server: RunningServer;
  seed: DemoSeed;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestServer(
  overrides: ServerConfigInput = {},
  now?: () => Date,
  options: { tickMs?: number; dataDir?: string; seed?: boolean } = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'sportello-server-'));
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      dataDir,
      logLevel: (process.env.SPORTELLO_TEST_LOG as 'info' | undefined) ?? 'silent',
      ...overrides,
      media: { workers: 1, ...overrides.media },
    },
  });
  let seed!: DemoSeed;
  const server = await startServer(config, {
    ...(now ? { now } : {}),
    ...(options.tickMs !== undefined ? { tickMs: options.tickMs } : {}),
    beforeListen: async ({ db }) => {
      seed = await seedDemo(db, now ? now() : new Date(), { passwords: TEST_PASSWORDS });
    },
  });
  let closed = false;
  return {
    server,
    seed,
    url: server.url,
    dataDir,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function totemCredential(seed: DemoSeed): string {
  return `${seed.totem.id}:${seed.totem.secret}`;
}
