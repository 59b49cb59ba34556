import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SOCAT } from './socat.ts';

const CLI = fileURLToPath(new URL('./simulator-cli.ts', import.meta.url));

function runCli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

test(
  'the simulator CLI runs a script on its pty link and removes socat and the link on exit',
  { skip: !existsSync(DEFAULT_SOCAT) },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sportello-cli-'));
    const link = join(dir, 'handset');
    try {
      const { code, out, err } = await runCli(['--link', link, '--script', 'lift; type 12; hangup']);
      assert.equal(code, 0, err);
      assert.match(out, new RegExp(`open ${link}`));
      assert.match(out, /"op":"type","keys":"12"/);
      assert.equal(existsSync(link), false, 'socat left its link behind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test('the simulator CLI refuses a bad script with a clear message', async () => {
  const { code, err } = await runCli(['--script', 'lift; dance']);
  assert.equal(code, 2);
  assert.match(err, /--script: step 2 \("dance"\): unknown step/);
});
