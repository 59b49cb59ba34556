// What can be checked of the installed totem without installing it: the systemd units pass
// `systemd-analyze verify` without a word, the udev rules parse under udev(7)'s grammar and grant
// exactly the configured devices to the kiosk user, and the package maps every appliance file to
// its place, with the data apart from the program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { AGENT_BUNDLE } from '../../host/node/agent-bundle.ts';
import { DEFAULT_DEVICES, KIOSK_USER, parseDeviceArg, udevRules } from './udev-rules.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const packaging = join(root, 'kiosk-shell', 'packaging');
const UNITS = ['sportello-kiosk.service', 'sportello-kiosk-chromium.service'].map((u) =>
  join(packaging, 'systemd', u),
);
const RULES = join(packaging, 'udev', '70-sportello-kiosk.rules');
const hasVerify = spawnSync('systemd-analyze', ['--version']).status === 0;

test(
  'the systemd units pass systemd-analyze verify with no warning',
  { skip: !hasVerify && 'systemd-analyze is missing (scripts/setup-system.sh installs systemd)' },
  () => {
    const r = spawnSync('systemd-analyze', ['verify', ...UNITS], { encoding: 'utf8' });
    // verify only warns about unknown keys and goes on: any word from it is a fault.
    assert.equal(`${r.stdout}${r.stderr}`.trim(), '');
    assert.equal(r.status, 0);
  },
);

/** Every "KEY=value" of a unit, repeated keys included. */
function directives(unit: string): [string, string][] {
  return readFileSync(unit, 'utf8')
    .split('\n')
    .filter((l) => /^[A-Za-z]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]);
}

test('both variants run as the kiosk user in cage, restart always, and keep their data in /var/lib', () => {
  for (const unit of UNITS) {
    const d = directives(unit);
    const get = (k: string) => d.filter(([key]) => key === k).map(([, v]) => v);
    assert.deepEqual(get('User'), [KIOSK_USER], unit);
    assert.match(get('ExecStart')[0]!, /^\/usr\/bin\/cage -s -- /, `${unit} runs in a cage session`);
    assert.ok(!get('ExecStart')[0]!.includes('--no-sandbox'));
    assert.deepEqual(get('Restart'), ['always']);
    assert.deepEqual(get('StateDirectory'), ['sportello-kiosk']);
    assert.deepEqual(get('StateDirectoryMode'), ['0700']);
    assert.ok(get('Environment').includes('SPORTELLO_KIOSK_DATA_DIR=/var/lib/sportello-kiosk'));
    assert.deepEqual(get('NoNewPrivileges'), ['yes']);
    assert.deepEqual(get('ProtectSystem'), ['strict'], 'the program is read-only to the kiosk');
    // The Chromium sandbox needs user namespaces: the unit must not take them away.
    assert.deepEqual(get('RestrictNamespaces'), []);
    assert.deepEqual(get('PrivateUsers'), []);
  }
});

test('K-2 both units wait for READY=1 and keep a watchdog the kiosk feeds from under cage; K-1 they never give up', () => {
  for (const unit of UNITS) {
    const d = directives(unit);
    const get = (k: string) => d.filter(([key]) => key === k).map(([, v]) => v);
    assert.deepEqual(get('Type'), ['notify'], unit);
    // The kiosk is cage's child, not the main process: its notifications must be accepted.
    assert.deepEqual(get('NotifyAccess'), ['all'], unit);
    const watchdog = Number(get('WatchdogSec')[0]);
    assert.ok(watchdog >= 10 && watchdog <= 120, `${unit} WatchdogSec=${watchdog}`);
    // K-1: back within 10 s after one crash; the kiosk backs off by itself after more.
    assert.ok(Number(get('RestartSec')[0]) <= 10, unit);
    assert.deepEqual(get('StartLimitIntervalSec'), ['0'], unit);
    // A start after repeated crashes waits up to a minute (agent-run.ts) before READY=1.
    assert.ok(Number(get('TimeoutStartSec')[0]) > 60, unit);
  }
});

const MATCH_KEYS =
  /^(ACTION|DEVPATH|KERNELS?|NAME|SYMLINK|SUBSYSTEMS?|DRIVERS?|ATTRS?\{[^}]+\}|ENV\{[^}]+\}|TAGS?|TEST|PROGRAM|RESULT|CONST\{[^}]+\})$/;
const ASSIGN_KEYS =
  /^(NAME|SYMLINK|OWNER|GROUP|MODE|SECLABEL\{[^}]+\}|ATTR\{[^}]+\}|SYSCTL\{[^}]+\}|ENV\{[^}]+\}|TAG|RUN(\{[^}]+\})?|LABEL|GOTO|IMPORT\{[^}]+\}|OPTIONS)$/;

/** One rule line as udev(7) reads it: comma-separated KEY OP "value" pairs; throws on bad syntax. */
function parseRule(line: string): { key: string; op: string; value: string }[] {
  const pairs: { key: string; op: string; value: string }[] = [];
  const re = /\s*([A-Z_]+(?:\{[^}"]+\})?)\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,|$)/y;
  let at = 0;
  while (at < line.length) {
    re.lastIndex = at;
    const m = re.exec(line);
    if (!m) throw new Error(`cannot parse at column ${at + 1}: ${line.slice(at)}`);
    const [, key, op, value] = m;
    const isMatch = op === '==' || op === '!=';
    if (isMatch ? !MATCH_KEYS.test(key!) : !ASSIGN_KEYS.test(key!)) {
      throw new Error(`${key}${op} is not a udev ${isMatch ? 'match' : 'assignment'}`);
    }
    pairs.push({ key: key!, op: op!, value: value! });
    at = re.lastIndex;
    if (m[4] === '') break;
  }
  return pairs;
}

test('the udev rules parse, and grant exactly the configured devices to the kiosk user', () => {
  const text = readFileSync(RULES, 'utf8');
  assert.equal(text, udevRules(DEFAULT_DEVICES), 'the shipped file is the generator output for the defaults');
  const custom = udevRules([
    parseDeviceArg('hid:0b0e:0412'),
    parseDeviceArg('serial:1209:5e11:SN-42'),
    parseDeviceArg('hid:05f3:0007'),
  ]);
  for (const file of [text, custom]) {
    const rules = file.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    assert.ok(rules.length > 0);
    for (const rule of rules) {
      const pairs = parseRule(rule);
      const get = (k: string) => pairs.find((p) => p.key === k);
      // No broad grant: one subsystem, one USB identity, one owner, mode 0600.
      assert.ok(['hidraw', 'tty'].includes(get('SUBSYSTEM')?.value ?? ''), rule);
      assert.match(get('ATTRS{idVendor}')?.value ?? '', /^[0-9a-f]{4}$/);
      assert.match(get('ATTRS{idProduct}')?.value ?? '', /^[0-9a-f]{4}$/);
      assert.equal(get('OWNER')?.value, KIOSK_USER);
      assert.equal(get('MODE')?.value, '0600');
    }
  }
  assert.match(custom, /SUBSYSTEM=="hidraw", ATTRS\{idVendor\}=="0b0e", ATTRS\{idProduct\}=="0412"/);
  assert.match(custom, /ATTRS\{serial\}=="SN-42"/);
  assert.throws(() => parseRule('SUBSYSTEM="tty", MODE=="0600"'), /not a udev/);
  assert.throws(() => parseRule('SUBSYSTEM=="tty" MODE="0600"'), /cannot parse/);
  assert.throws(() => parseDeviceArg('usb:1:2'), /hid or serial/);
  assert.throws(() => parseDeviceArg('hid:0b0e:04122'), /product id/);
});

test('the .deb maps every appliance file to its place, the data apart from the program', () => {
  const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as {
    deb: { fpm: string[]; afterInstall: string; afterRemove: string; depends: string[] };
  };
  const mapped = new Map(config.deb.fpm.map((m) => m.split('=') as [string, string]));
  assert.deepEqual([...mapped.values()].sort(), [
    '/etc/sportello-kiosk/kiosk.example.json',
    '/lib/systemd/system/sportello-kiosk.service',
    '/lib/udev/rules.d/70-sportello-kiosk.rules',
    '/usr/share/doc/sportello-kiosk/totem-install.md',
  ]);
  for (const source of mapped.keys()) assert.ok(existsSync(join(root, source)), source);
  for (const script of [config.deb.afterInstall, config.deb.afterRemove]) {
    assert.ok(statSync(join(root, script)).mode & 0o100, `${script} is executable`);
    assert.equal(spawnSync('sh', ['-n', join(root, script)]).status, 0, `${script} is valid sh`);
  }
  const postinst = readFileSync(join(root, config.deb.afterInstall), 'utf8');
  assert.match(postinst, /useradd --system .* sportello-kiosk/s);
  assert.match(
    postinst,
    /install -d -m 0700 -o sportello-kiosk -g sportello-kiosk \/var\/lib\/sportello-kiosk/,
  );
  for (const dep of ['cage', 'systemd', 'udev']) assert.ok(config.deb.depends.includes(dep), dep);
  // The example configuration is one the kiosk accepts.
  const example = JSON.parse(readFileSync(join(packaging, 'config', 'kiosk.example.json'), 'utf8')) as {
    device: { match: { vendorId: number; productId: number } };
  };
  assert.ok(DEFAULT_DEVICES.some((d) => d.vendorId === example.device.match.vendorId));
});

test('the Chromium unit runs the agent bundle that `npm run build` writes, with plain node', () => {
  const unit = UNITS[1]!;
  const exec = directives(unit).find(([k]) => k === 'ExecStart')![1];
  const [, node, flags, bundle, rest] =
    /^\/usr\/bin\/cage -s -- (\S+)((?: --\S+)*) (\S+)(.*)$/.exec(exec) ?? [];
  assert.equal(node, '/usr/bin/node', exec);
  assert.equal(rest, '', `${exec}: nothing after the bundle`);
  // Only V8 memory settings for node: nothing that loads code (--import, --require) or opens a port.
  for (const flag of flags!.trim().split(' ').filter(Boolean))
    assert.match(flag, /^--max-[a-z-]+-size=\d+$/, flag);
  assert.ok(!exec.includes('tsx'), `${exec}: no transpiler at start`);
  // The unit's checkout is /opt/sportello: the bundle's path in it is the build's.
  assert.equal(bundle, join('/opt/sportello', relative(root, AGENT_BUNDLE)));
  const build = (
    JSON.parse(readFileSync(join(root, 'kiosk-shell', 'package.json'), 'utf8')) as {
      scripts: { build: string };
    }
  ).scripts.build;
  assert.match(
    build,
    /host\/node\/agent-bundle\.ts/,
    'npm run build --workspace kiosk-shell builds the agent',
  );
});
