// The agent bundle the Chromium unit runs: it leaves only native modules and Node built-ins outside,
// and plain node runs it through the whole agent start (configuration, crash record, databases,
// local host) to the window, which it reports missing without a display.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { AGENT_BUNDLE, AGENT_EXTERNALS, buildKioskAgent } from './agent-bundle.ts';

// Inside the checkout (dist/ is ignored by git), so that the native modules resolve from node_modules.
mkdirSync(dirname(AGENT_BUNDLE), { recursive: true });
const outDir = mkdtempSync(join(dirname(AGENT_BUNDLE), 'test-'));
const dataDir = mkdtempSync(join(tmpdir(), 'sportello-agent-bundle-'));
let bundle: string;
before(async () => {
  bundle = await buildKioskAgent(join(outDir, 'agent-cli.cjs'));
});
after(() => {
  rmSync(outDir, { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test('the agent bundle leaves only native modules and Node built-ins outside', () => {
  const allowed = new Set([...AGENT_EXTERNALS, ...builtinModules]);
  const code = readFileSync(bundle, 'utf8');
  for (const m of code.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)) {
    const name = m[1]!.replace(/^node:/, '');
    const pkg = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
    assert.ok(allowed.has(pkg) || allowed.has(`${pkg.split('/')[0]}/*`), `the bundle requires ${m[1]}`);
  }
});

test('plain node runs the bundled agent up to its window, and says why there is none without a display', () => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // Nothing listens on the discard port: the agent starts from its (empty) cache regardless.
    SPORTELLO_SERVER_URL: 'http://127.0.0.1:9',
    SPORTELLO_TOTEM_CREDENTIAL: 'totem-1:secret',
    SPORTELLO_KIOSK_DATA_DIR: dataDir,
  };
  const r = spawnSync(process.execPath, [bundle], { env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /no kiosk window: no display/);
  // The agent itself ran: its databases and its crash record are in the data directory.
  for (const file of ['agenda.db', 'outbox.db', 'runs.json'])
    assert.ok(existsSync(join(dataDir, file)), file);
});
