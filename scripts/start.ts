// `npm start`: the whole system on one machine with embedded defaults — central server (SQLite,
// SFU), a freshly seeded demo agenda for today, operator console, booking page, and one kiosk.
// Ctrl-C stops everything cleanly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, seedDemo, startServer, type DemoSeed } from '@sportello/server';
import { startKioskAgent } from '@sportello/kiosk-shell/host';
import { formatBookingCode } from '@sportello/protocol';

const root = fileURLToPath(new URL('..', import.meta.url));
const pagesDir = join(root, 'app', 'dist');
const demoDir = join(root, '.data', 'demo');

/** Newest modification time below a folder, skipping build output and dependencies. */
function newest(dir: string): number {
  let latest = 0;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    const st = statSync(p);
    latest = Math.max(latest, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return latest;
}

function buildPagesIfStale(): void {
  const marker = join(pagesDir, 'kiosk', 'index.html');
  const stale =
    !existsSync(marker) ||
    Math.max(newest(join(root, 'app')), newest(join(root, 'protocol'))) > statSync(marker).mtimeMs;
  if (!stale) return;
  console.log('building the pages…');
  const r = spawnSync('npm', ['run', 'build', '--workspace', 'app', '--silent'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('building the pages failed (see above)');
}

function printWelcome(serverUrl: string, kioskUrl: string, seed: DemoSeed): void {
  const label: Record<DemoSeed['bookings'][number]['label'], string> = {
    now: 'valid now',
    soon: 'valid now (in 5 minutes)',
    'later-today': 'too early (in 3 hours)',
    'earlier-today': 'too late (2 hours ago)',
    tomorrow: 'another day (tomorrow)',
  };
  const lines = [
    '',
    'Sportello demo is running. Ctrl-C stops it.',
    '',
    `  Operator console  ${serverUrl}/operator/`,
    `  Booking page      ${serverUrl}/booking/`,
    `  Kiosk page        ${kioskUrl}`,
    `  API (OpenAPI)     ${serverUrl}/api/openapi.json`,
    '',
    '  Operators (sign in on the console, then press "Become available"):',
    ...seed.operators.map((o) => `    ${o.username.padEnd(8)} password ${o.password}   (${o.displayName})`),
    '',
    '  Booking codes for today at the demo totem:',
    ...seed.bookings.map((b) => `    ${formatBookingCode(b.code)}   ${label[b.label]}`),
    '',
    '  Or press "Talk to an operator" on the kiosk for a walk-in call.',
    '',
  ];
  console.log(lines.join('\n'));
}

async function main(): Promise<void> {
  buildPagesIfStale();
  // The demo starts from a fresh agenda every time, so today's codes always work.
  rmSync(demoDir, { recursive: true, force: true });
  mkdirSync(demoDir, { recursive: true });
  const config = loadConfig({
    env: process.env,
    overrides: {
      dataDir: process.env.SPORTELLO_DATA_DIR ?? join(demoDir, 'server'),
      pagesDir,
      logLevel: (process.env.SPORTELLO_LOG_LEVEL as 'warn' | undefined) ?? 'warn',
    },
  });
  let seed!: DemoSeed;
  const server = await startServer(config, {
    beforeListen: async ({ db }) => {
      seed = await seedDemo(db, new Date());
    },
  });
  const kiosk = await startKioskAgent({
    serverUrl: server.url,
    credential: `${seed.totem.id}:${seed.totem.secret}`,
    dataDir: join(demoDir, 'kiosk'),
    pagesDir,
  });
  printWelcome(server.url, kiosk.pageUrl, seed);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    await kiosk.close();
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `npm start: ${(err as Error).message}`);
  process.exit(1);
});
