// The whole suite: type checks per runtime, lint, format, builds, then every *.test.ts with Node's
// test runner (through tsx). `--no-e2e` leaves out the browser suites for a quick loop.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const noE2e = args.includes('--no-e2e');
const only = args.filter((a) => !a.startsWith('--'));

function run(title, cmd, cmdArgs, env = {}) {
  console.log(`\n▶ ${title}`);
  const r = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    console.error(`✖ ${title} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const bin = (n) => join(root, 'node_modules', '.bin', n);
if (only.length === 0) {
  run('type check (tsc -b, one project per runtime)', bin('tsc'), ['-b']);
  run('lint (eslint)', bin('eslint'), ['.', '--max-warnings=0']);
  run('format (prettier --check)', bin('prettier'), ['--check', '.', '--log-level=warn']);
  run('build pages (vite)', 'npm', ['run', 'build', '--workspace', 'app', '--silent']);
  run('build electron main and preload (esbuild)', 'npm', [
    'run',
    'build',
    '--workspace',
    'kiosk-shell',
    '--silent',
  ]);
}
let files = only.length > 0 ? only : findTests(root).sort();
if (noE2e) files = files.filter((f) => !f.startsWith('e2e/'));
// Unit suites first, the browser suites last: a broken contract fails fast.
files.sort((a, b) => Number(a.startsWith('e2e/')) - Number(b.startsWith('e2e/')) || a.localeCompare(b));
run(
  `tests (${files.length} files)`,
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    // A test file that hangs fails after this long instead of holding CI until its own limit. A
    // generous bound: on one busy core a whole browser file takes several minutes (README, tests).
    '--test-timeout=600000',
    ...files,
  ],
  {
    NODE_ENV: 'test',
  },
);
