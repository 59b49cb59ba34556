// The Electron shell through @doyensec/electronegativity (41 checks, offline: the release check that
// needs the network is left out). Every finding must be in the reviewed allow-list with its reason,
// and every allow-list entry must still match a finding, so the list cannot rot into a blanket pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const electronVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies.electron!;

interface Finding {
  id: string;
  file: string;
  line: number;
  severity: string;
  description: string;
}

test('E-1 electronegativity finds nothing in the Electron shell that the reviewed allow-list does not explain', () => {
  const r = spawnSync(
    process.execPath,
    [`${here}scan/electronegativity-offline.mjs`, here, electronVersion],
    {
      encoding: 'utf8',
      timeout: 600_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { checks: number; errors: unknown[]; issues: Finding[] };
  assert.ok(result.checks >= 30, `only ${result.checks} checks loaded`);
  assert.deepEqual(result.errors, [], 'every file parsed');
  const allow = (
    JSON.parse(readFileSync(`${here}scan/electronegativity-allowlist.json`, 'utf8')) as {
      reviewed: { id: string; file: string; reason: string }[];
    }
  ).reviewed;
  const listed = (f: Finding) => allow.some((a) => a.id === f.id && a.file === f.file);
  const unexplained = result.issues.filter((f) => !listed(f));
  assert.deepEqual(
    unexplained.map((f) => `${f.id} ${f.file}:${f.line} (${f.severity}) ${f.description}`),
    [],
    'review each new finding: fix it, or add it to scan/electronegativity-allowlist.json with the reason',
  );
  const stale = allow.filter((a) => !result.issues.some((f) => f.id === a.id && f.file === a.file));
  assert.deepEqual(stale, [], 'allow-list entries that no finding matches any more: remove them');
  for (const a of allow) assert.ok(a.reason.length > 40, `a real reason for ${a.id}`);
});
