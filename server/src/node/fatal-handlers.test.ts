// The safety net of main.ts, in a child process: an unhandled rejection and an uncaught exception
// are each logged and end the process non-zero, so that the supervisor restarts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FATAL_EXIT_CODE } from './fatal-handlers.ts';

const handlers = fileURLToPath(new URL('./fatal-handlers.ts', import.meta.url));
const logger = fileURLToPath(new URL('./logger.ts', import.meta.url));

function run(failure: string): Promise<{ code: number | null; out: string }> {
  const script = `
    const { installFatalHandlers } = await import(${JSON.stringify(handlers)});
    const { createLogger } = await import(${JSON.stringify(logger)});
    installFatalHandlers(createLogger('info'));
    ${failure}
    setInterval(() => {}, 1000); // a server would keep running`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

test('an unhandled rejection is logged and ends the process non-zero', { timeout: 60_000 }, async () => {
  const r = await run("Promise.reject(new Error('disk full'));");
  assert.equal(r.code, FATAL_EXIT_CODE);
  assert.match(r.out, /unhandled promise rejection/);
  assert.match(r.out, /disk full/);
});

test('an uncaught exception is logged and ends the process non-zero', { timeout: 60_000 }, async () => {
  const r = await run("setTimeout(() => { throw new Error('database is locked'); }, 0);");
  assert.equal(r.code, FATAL_EXIT_CODE);
  assert.match(r.out, /uncaught exception/);
  assert.match(r.out, /database is locked/);
});
