// The server as a child process for the kill -9 test: started on a data dir given by the
// parent, seeded with the demo and two more totems on the first start only, then it prints one
// JSON line with its URL (and the seed) and runs until it is killed.
import { hashPassword } from '../auth/secrets.ts';
import { loadConfig } from '../config.ts';
import { seedDemo, type DemoSeed } from '../db/seed-demo.ts';
import { startServer } from '../server.ts';
import { TEST_PASSWORDS } from './test-server.ts';

const dataDir = process.env.SPORTELLO_DATA_DIR!;
const first = process.env.SPORTELLO_SEED === '1';
const config = loadConfig({
  env: {},
  overrides: {
    port: 0,
    dataDir,
    logLevel: 'silent',
    demoSecrets: true,
    media: { workers: 1 },
    rateLimitPerMinute: 100_000,
    calls: { recoveryGraceSeconds: 120, ringTimeoutSeconds: 600 },
  },
});
let seed: DemoSeed | undefined;
const server = await startServer(config, {
  beforeListen: async ({ db }) => {
    if (!first) return;
    seed = await seedDemo(db, new Date(), { passwords: TEST_PASSWORDS, totemSecret: 'totem-secret-1' });
    for (const n of [2, 3]) {
      await db
        .insertInto('totems')
        .values({
          id: `totem-centro-${n}`,
          site_id: 'centro',
          name: `Totem ${n}`,
          secret_hash: await hashPassword(`totem-secret-${n}`),
          created_at: new Date().toISOString(),
        })
        .execute();
    }
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url, seed })}\n`);
