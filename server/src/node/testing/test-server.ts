// A real server for tests: temp data dir, port 0, one media worker, the demo seed with known
// passwords. Shared by the server's own tests and the end-to-end suites.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ServerConfigInput } from '../config.ts';
import { seedDemo, type DemoSeed } from '../db/seed-demo.ts';
import { startServer, type RunningServer, type StartOptions } from '../server.ts';

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
  options: Pick<StartOptions, 'log' | 'smsGateway' | 'tickMs'> & { dataDir?: string } = {},
): Promise<TestServer> {
  const { dataDir: givenDir, ...start } = options;
  const dataDir = givenDir ?? mkdtempSync(join(tmpdir(), 'sportello-server-'));
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      dataDir,
      logLevel: (process.env.SPORTELLO_TEST_LOG as 'info' | undefined) ?? 'silent',
      // The demo seed's totem signs in with its secret.
      demoSecrets: true,
      ...overrides,
      media: { workers: 1, ...overrides.media },
      // Every test connects from 127.0.0.1: the per-address limits apply only where a test asks.
      clientLimits: {
        handshakesPerAddressPerMinute: 100_000,
        failedAuthPerAddressPerMinute: 100_000,
        handshakesPerTotemPerMinute: 100_000,
        ...overrides.clientLimits,
      },
      abuse: { maxPerAddressPerDay: 10_000, verifyFromAddressBookings: 10_000, ...overrides.abuse },
    },
  });
  let seed!: DemoSeed;
  const server = await startServer(config, {
    ...start,
    ...(now ? { now } : {}),
    beforeListen: async ({ db }) => {
      seed = await seedDemo(db, now ? now() : new Date(), {
        passwords: TEST_PASSWORDS,
        timeZone: config.timeZone,
      });
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
