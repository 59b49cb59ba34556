// Crash safety with a real child process killed at injected points (S-2) and at random moments,
// hundreds of times (S-8). The child is bundled once (esbuild) so that each start is a plain Node
// start, not a TypeScript compile.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { AgendaCache } from './agenda-cache.ts';
import { Outbox } from './outbox.ts';
import { expectedRows } from './testing/crash-pages.ts';

let work: string;
let bundle: string;
const nodeModules = fileURLToPath(new URL('../../../node_modules', import.meta.url));
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'sportello-crash-'));
  bundle = join(work, 'crash-child.cjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./testing/crash-child.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    external: ['better-sqlite3'],
    logLevel: 'silent',
  });
});
after(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  lines: string[];
  signal: NodeJS.Signals | null;
}

/** Runs the child; `killAfter` lines of output (if given) it is killed with SIGKILL. */
function runChild(dir: string, env: Record<string, string>, killAfter?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      env: { PATH: process.env.PATH ?? '', NODE_PATH: nodeModules, SPORTELLO_CRASH_DIR: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buf = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (killAfter !== undefined && lines.length === killAfter) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === null && code !== 0) reject(new Error(`child failed (${code}): ${err}`));
      else resolve({ lines, signal });
    });
  });
}

function state(dir: string) {
  const cache = new AgendaCache(dir);
  const outbox = new Outbox(dir);
  try {
    assert.equal(cache.quarantinedTo, undefined, 'the agenda file survived');
    assert.equal(outbox.quarantinedTo, undefined, 'the outbox file survived');
    assert.equal(cache.sqlite.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(outbox.sqlite.pragma('integrity_check', { simple: true }), 'ok');
    const rows = new Map(
      (
        cache.sqlite.prepare('SELECT booking_id, version FROM entries').all() as {
          booking_id: string;
          version: number;
        }[]
      ).map((r) => [r.booking_id, r.version]),
    );
    return { cursor: cache.cursor, rows, keys: outbox.items().map((i) => i.key) };
  } finally {
    cache.close();
    outbox.close();
  }
}

describe('crashes', { timeout: 600_000 }, () => {
  for (const point of ['after-rows', 'after-cursor'] as const) {
    test(`S-2 killed ${point === 'after-rows' ? 'between "rows written" and "cursor written"' : 'after the cursor, before the commit'}: neither after restart, then both`, async () => {
      const dir = mkdtempSync(join(work, 's2-'));
      const crashed = await runChild(dir, { SPORTELLO_CRASH_AT: point, SPORTELLO_CRASH_PAGES: '1' });
      assert.equal(crashed.signal, 'SIGKILL');
      const s = state(dir);
      assert.equal(s.cursor, 0, 'the cursor did not move');
      assert.equal(s.rows.size, 0, 'and no row of the page is there');
      await runChild(dir, { SPORTELLO_CRASH_PAGES: '1' });
      const done = state(dir);
      assert.equal(done.cursor, 2);
      assert.deepEqual(done.rows, expectedRows(2));
    });
  }

  test('S-8 200 hard kills during sync applies and outbox writes: opens, integrity ok, nothing acknowledged lost, nothing applied twice', async () => {
    const dir = mkdtempSync(join(work, 's8-'));
    const acked = new Set<string>();
    let seed = 8;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 200; i++) {
      // Killed after 1 to 40 lines: anywhere between two commits, or inside one.
      const run = await runChild(dir, {}, 1 + Math.floor(random() * 40));
      for (const line of run.lines) if (line.startsWith('ack ')) acked.add(line.slice(4));
      const s = state(dir);
      assert.ok(s.cursor !== undefined && s.cursor % 2 === 0, `cursor ${s.cursor}`);
      assert.deepEqual(s.rows, expectedRows(s.cursor), `rows match cursor ${s.cursor} exactly`);
      const keys = new Set(s.keys);
      assert.equal(keys.size, s.keys.length, 'no item twice');
      for (const k of acked) assert.ok(keys.has(k), `acknowledged item ${k} is still there`);
    }
    assert.ok(acked.size > 100, `${acked.size} acknowledged items`);
  });
});
