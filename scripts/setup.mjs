// Idempotent setup run before `npm start`, `npm test` and `npm run bench`: Debian packages, then
// npm dependencies (only when the lockfile or Node's major version changed). Setup that is already
// done costs about a second. Plain JavaScript: it runs before TypeScript tooling is installed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const say = (msg) => console.log(`setup: ${msg}`);

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

// 1. Debian packages (chromium, mediasoup-worker from experimental, socat, libusb, udev…).
if (process.platform === 'linux' && process.env.SPORTELLO_SKIP_SYSTEM_SETUP !== '1') {
  if (!run('bash', [join(root, 'scripts/setup-system.sh')])) {
    console.error(
      'setup: installing Debian packages failed (see above); set SPORTELLO_SKIP_SYSTEM_SETUP=1 to skip',
    );
    process.exit(1);
  }
}

// 2. The mediasoup worker comes from Debian: point the npm library at it, so its install step
//    neither downloads nor builds a worker of its own.
function workerBin() {
  if (process.env.MEDIASOUP_WORKER_BIN) return process.env.MEDIASOUP_WORKER_BIN;
  if (!existsSync('/usr/lib')) return undefined;
  for (const triplet of readdirSync('/usr/lib')) {
    const candidate = join('/usr/lib', triplet, 'mediasoup', 'mediasoup-worker');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
const worker = workerBin();
if (!worker) {
  console.error(
    'setup: mediasoup-worker not found; install it with: apt-get install -t experimental mediasoup-worker',
  );
  process.exit(1);
}

// 3. npm dependencies, when the lockfile or Node's major version changed since the last install.
const stampFile = join(root, 'node_modules', '.sportello-install-stamp');
const stamp = createHash('sha256')
  .update(readFileSync(join(root, 'package-lock.json')))
  .update(process.versions.node.split('.')[0])
  .digest('hex');
const current = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
if (current !== stamp) {
  say('installing npm dependencies (npm ci)');
  // Electron's binary is fetched by its own install step from outside the npm registry. It is
  // skipped during `npm ci` and tried once afterwards: where it cannot be fetched, the kiosk runs
  // in Debian's Chromium instead, which is what tests use anyway.
  const env = { MEDIASOUP_WORKER_BIN: worker, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  if (!run('npm', ['ci', '--no-audit', '--no-fund'], env)) {
    console.error('setup: npm ci failed (see above)');
    process.exit(1);
  }
  if (process.env.SPORTELLO_OFFLINE !== '1') {
    const electronInstall = join(root, 'node_modules', 'electron', 'install.js');
    const r = existsSync(electronInstall)
      ? spawnSync(process.execPath, [electronInstall], { cwd: root, stdio: 'pipe', timeout: 120_000 })
      : { status: 1 };
    say(
      r.status === 0
        ? 'Electron binary installed'
        : 'Electron binary could not be fetched here: the kiosk will open in Debian Chromium instead',
    );
  }
  writeFileSync(stampFile, stamp + '\n');
}
