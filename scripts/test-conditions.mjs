// The suite under the conditions a fresh CI machine or a late evening brings, so that a test that
// measures this machine's speed or the time of day fails here first:
//   node scripts/test-conditions.mjs busy-core        the whole suite on one core shared with a CPU hog
//   node scripts/test-conditions.mjs clock [FILE…]    the time-sensitive files at hours that trip
//                                                     date arithmetic (Europe/Rome midnight, DST nights)
// Needs Debian's `stress-ng`, `faketime` and `util-linux` (taskset); setup installs them.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const [mode, ...rest] = process.argv.slice(2);

/**
 * Instants as UTC wall-clock times (faketime reads them in the process's zone, UTC here) and what
 * they are in Rome, where the demo municipality keeps its hours.
 */
const INSTANTS = [
  ['2026-12-01 22:55:00', '23:55 in Rome'],
  ['2026-12-01 23:05:00', '00:05 in Rome'],
  ['2026-03-29 00:55:00', '01:55 in Rome, five minutes before the clocks go forward'],
  ['2026-03-29 01:05:00', '03:05 in Rome, just after the clocks went forward'],
  ['2026-10-25 00:35:00', '02:35 in Rome, the hour that repeats when the clocks go back'],
  // Office hours: the demo seed books from two hours ago to tomorrow at this time, so its bookings
  // fall on the day's and tomorrow's first slots, or on Saturday's last ones with Sunday closed.
  ['2026-12-02 07:25:00', "08:25 in Rome on a Wednesday, by the office's first slots"],
  ['2026-12-05 16:15:00', '17:15 in Rome on a Saturday, by the last slots of the week'],
];

/** A test file is time-sensitive when it deals in bookings, slots, check-ins, calls or zones. */
const TIME_WORDS =
  /startTestServer|startStack|seedDemo|slotStart|checkIn|booking|Europe\/Rome|localDate|zonedToUtc/;

function testFiles(dir = root, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

function need(cmd) {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    console.error(`test-conditions: ${cmd} is missing; run \`npm run setup\` (it installs it)`);
    process.exit(2);
  }
}

function runSuite(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

if (mode === 'busy-core') {
  need('taskset');
  need('stress-ng');
  // The hog and the suite share core 0: every test gets half a core at best, as on a loaded CI host.
  const hog = spawn('taskset', ['-c', '0', 'stress-ng', '--cpu', '1', '--quiet'], {
    stdio: 'ignore',
    detached: true,
  });
  const started = Date.now();
  const status = runSuite('taskset', ['-c', '0', process.execPath, 'scripts/test.mjs', ...rest]);
  try {
    process.kill(-hog.pid, 'SIGTERM');
  } catch {
    // The hog may already be gone; nothing else to stop.
  }
  console.log(`\nbusy core: exit ${status} after ${Math.round((Date.now() - started) / 1000)} s`);
  process.exit(status);
} else if (mode === 'clock') {
  need('faketime');
  const files =
    rest.length > 0 ? rest : testFiles().filter((f) => TIME_WORDS.test(readFileSync(join(root, f), 'utf8')));
  // Chromium hangs under libfaketime (its pages never load), so browsers run on the machine's own
  // clock: SPORTELLO_CHROMIUM points at a wrapper that drops the preload. Servers, kiosk cores and
  // tests, where bookings and windows are decided, run on the moved clock.
  const chromium = process.env.SPORTELLO_CHROMIUM ?? '/usr/bin/chromium';
  const wrapperDir = mkdtempSync(join(tmpdir(), 'sportello-clock-'));
  // The kiosk launcher starts Chromium as the unprivileged kiosk user: it must reach the wrapper.
  chmodSync(wrapperDir, 0o755);
  const wrapper = join(wrapperDir, 'chromium');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nunset LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC\nexec ${chromium} "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  // The browser suites load the built pages: build them once, as the whole suite does.
  if (runSuite('npm', ['run', 'build', '--workspace', 'app', '--silent']) !== 0) process.exit(1);
  let failed = 0;
  // SPORTELLO_CLOCK_AT=2026-12-05 runs only the instants that start so, while iterating.
  const only = process.env.SPORTELLO_CLOCK_AT ?? '';
  for (const [at, what] of INSTANTS.filter(([at]) => at.startsWith(only))) {
    console.log(`\n▶ ${files.length} time-sensitive files at ${at} UTC (${what})`);
    // An offset from the real clock, not a start time: every process the suite starts (servers
    // killed and restarted, Chromium) then shares one clock that moves on, as a real one does.
    const offsetSeconds = Math.round((Date.parse(`${at.replace(' ', 'T')}Z`) - Date.now()) / 1000);
    const offset = `${offsetSeconds >= 0 ? '+' : ''}${offsetSeconds}`;
    const status = runSuite('faketime', ['-f', offset, process.execPath, 'scripts/test.mjs', ...files], {
      TZ: 'UTC',
      SPORTELLO_CHROMIUM: wrapper,
      // Only the wall clock moves: monotonic time stays the machine's, as it does at any real hour.
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    });
    console.log(`${status === 0 ? '✔' : '✖'} at ${at} UTC (${what}): exit ${status}`);
    if (status !== 0) failed++;
  }
  process.exit(failed === 0 ? 0 : 1);
} else {
  console.error(
    'usage: node scripts/test-conditions.mjs busy-core [FILE…] | clock [FILE…]\n' +
      '  busy-core  the suite (or the files) on one core beside a CPU hog (taskset + stress-ng)\n' +
      '  clock      time-sensitive test files at Rome midnight and on DST nights (faketime)',
  );
  process.exit(2);
}
