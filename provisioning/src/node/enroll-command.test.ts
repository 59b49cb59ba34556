// `enroll` and `self-test` as a technician runs them, against a real server: the CLI as a child
// process on a temp data dir, the server's refusals with their exit codes and advice (P-1), an
// unreachable server, re-enrollment with --force, and a non-interactive self-test with Chromium's
// fake media and the simulated handset whose report reaches the totem's detail.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@sportello/devices';
import { FLEET_ROUTES, routePath, TOTEM_FILES, type FleetTotemDetail } from '@sportello/protocol';
import {
  startTestServer,
  TEST_PASSWORDS,
  type TestServer,
} from '../../../server/src/node/testing/test-server.ts';
import { createEnrollment, requestJson, signInAccount } from '../../../server/src/node/testing/test-totem.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let t: TestServer;
let admin: string;
const dirs: string[] = [];
before(async () => {
  t = await startTestServer();
  admin = await signInAccount(t.url, 'admin', TEST_PASSWORDS.admin);
});
after(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  await t.close();
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sportello-enroll-'));
  dirs.push(d);
  return d;
}

function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'provisioning/src/node/cli.ts', ...args],
      { cwd: ROOT, timeout: 300_000 },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

const token = async (totemName: string, validMinutes?: number) =>
  (
    await createEnrollment(t.url, admin, {
      siteId: 'centro',
      totemName,
      ...(validMinutes ? { validMinutes } : {}),
    })
  ).token;

describe('provisioning enroll', () => {
  test('enrolls on a temp data dir: identity and 0600 files, a summary without the secret', async () => {
    const dir = tempDir();
    const secret = await token('Totem CLI');
    const r = await cli(['enroll', '--server', t.url, '--token', secret, '--data-dir', dir, '--json']);
    assert.equal(r.code, 0, r.err);
    const summary = JSON.parse(r.out) as { totemId: string; token: string; siteId: string };
    assert.equal(summary.siteId, 'centro');
    assert.equal(summary.token, `${secret.slice(0, 6)}…`);
    assert.ok(!r.out.includes(secret) && !r.err.includes(secret), 'the token is never printed whole');
    const key = readFileSync(join(dir, TOTEM_FILES.privateKey), 'utf8');
    assert.ok(!r.out.includes(key.split('\n')[1]!), 'the private key is never printed');
    for (const f of Object.values(TOTEM_FILES)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600);

    // Already enrolled: refused without --force (2); with --force, replaced.
    const again = await cli([
      'enroll',
      '--server',
      t.url,
      '--token',
      await token('Totem CLI'),
      '--data-dir',
      dir,
    ]);
    assert.equal(again.code, 2);
    assert.match(again.err, /already enrolled as Totem CLI .*--force/s);
    const forced = await cli([
      'enroll',
      '--server',
      t.url,
      '--token',
      await token('Totem CLI'),
      '--data-dir',
      dir,
      '--force',
    ]);
    assert.equal(forced.code, 0, forced.err);
    assert.match(forced.out, new RegExp(`Enrolled: Totem CLI \\(${summary.totemId}\\)`));
    assert.notEqual(readFileSync(join(dir, TOTEM_FILES.privateKey), 'utf8'), key);
  });

  test('P-1 a used, unknown or mismatched token is refused with exit 3 and what to do', async () => {
    const used = await token('Totem Usato');
    assert.equal(
      (await cli(['enroll', '--server', t.url, '--token', used, '--data-dir', tempDir()])).code,
      0,
    );
    const reused = await cli(['enroll', '--server', t.url, '--token', used, '--data-dir', tempDir()]);
    assert.equal(reused.code, 3);
    assert.match(reused.err, /enrollment-token-used[\s\S]*what to do: .*ask the administrator for a new one/);
    const unknown = await cli([
      'enroll',
      '--server',
      t.url,
      '--token',
      'spe1-' + 'x'.repeat(32),
      '--data-dir',
      tempDir(),
    ]);
    assert.equal(unknown.code, 3);
    assert.match(unknown.err, /copied whole/);
    const dir = tempDir();
    const wrong = await cli([
      'enroll',
      '--server',
      t.url,
      '--token',
      await token('Totem Sito'),
      '--site',
      'altrove',
      '--data-dir',
      dir,
    ]);
    assert.equal(wrong.code, 3);
    assert.match(wrong.err, /enrollment-wrong-site/);
    assert.ok(
      !existsSync(join(dir, TOTEM_FILES.privateKey)) &&
        !existsSync(join(dir, `${TOTEM_FILES.privateKey}.new`)),
    );
  });

  test('an unreachable server is exit 4; a bad command line is exit 2 with the help', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const r = await cli([
      'enroll',
      '--server',
      `http://127.0.0.1:${port}`,
      '--token',
      'spe1-' + 'y'.repeat(32),
      '--data-dir',
      tempDir(),
    ]);
    assert.equal(r.code, 4);
    assert.match(r.err, /cannot be reached/);
    const bad = await cli(['enroll', '--server', 'ftp://x', '--token', 'z']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /usage: sportello-provisioning enroll/);
    const help = await cli(['self-test', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.out, /exit codes/);
    const slow = await cli(['self-test', '--server', t.url, '--media-timeout', 'soon']);
    assert.equal(slow.code, 2);
    assert.match(slow.err, /--media-timeout takes a number of seconds/);
  });
});

describe('provisioning self-test', () => {
  test('non-interactive with fake media and the simulated handset: automatic checks pass, report reaches the server', async () => {
    const dir = tempDir();
    assert.equal(
      (await cli(['enroll', '--server', t.url, '--token', await token('Totem Prova'), '--data-dir', dir]))
        .code,
      0,
    );
    const sim = await startSimulator();
    try {
      const r = await cli([
        'self-test',
        '--data-dir',
        dir,
        '--serial',
        sim.kioskPath,
        '--fake-media',
        // A generous bound: Chromium starts slowly on a busy machine; the check is not about speed.
        '--media-timeout',
        '240',
        '--json',
      ]);
      assert.ok(r.out.trim().startsWith('{'), `self-test printed no report (exit ${r.code}): ${r.err}`);
      const report = JSON.parse(r.out) as {
        totemId: string;
        sent: boolean;
        checks: { name: string; status: string }[];
      };
      const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
      assert.equal(r.code, 0, JSON.stringify(report.checks, null, 1));
      assert.deepEqual(
        { ...status },
        {
          handset: 'pass',
          keypad: 'skipped',
          camera: 'pass',
          microphone: 'pass',
          speaker: 'skipped',
          printer: 'skipped',
          clock: 'pass',
          server: status.server === 'warn' ? 'warn' : 'pass',
          signaling: 'pass',
          turn: 'skipped',
          disk: status.disk,
        },
      );
      assert.equal(report.sent, true);
      const detail = await requestJson<FleetTotemDetail>(
        t.url + routePath(FLEET_ROUTES.readTotem, { id: report.totemId }),
        {
          authorization: `Bearer ${admin}`,
        },
      );
      assert.equal(detail.body.lastSelfTest?.report.checks.length, report.checks.length);
      assert.equal(detail.body.lastSelfTest?.passed, true);
    } finally {
      await sim.close();
    }
  });
});
