// The `devices` command as a technician runs it: listing on mock bindings, live events from the
// simulated board on a real socat pty, usage errors and exit codes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  attachBoardToMockPort,
  DeviceError,
  MockHidBinding,
  MockSerialBinding,
  startSimulator,
  type HidBinding,
} from '@sportello/devices';
import type { CliContext } from './command.ts';
import { EXIT } from './command.ts';
import { runCli } from './program.ts';

interface Run {
  code: Promise<number>;
  out: string[];
  err: string[];
  /** Resolves with the first output line that satisfies `pred` (already printed or to come). */
  line(pred: (line: string) => boolean): Promise<string>;
  stop(): void;
}

function run(argv: string[], bindings: Pick<CliContext, 'serial' | 'hid'> = {}): Run {
  const out: string[] = [];
  const err: string[] = [];
  const waiters: { pred: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  const controller = new AbortController();
  const ctx: CliContext = {
    out: (line) => {
      out.push(line);
      for (const w of waiters.splice(0)) {
        if (w.pred(line)) w.resolve(line);
        else waiters.push(w);
      }
    },
    err: (line) => err.push(line),
    signal: controller.signal,
    ...bindings,
  };
  return {
    code: runCli(argv, ctx),
    out,
    err,
    line: (pred) => {
      const seen = out.find(pred);
      return seen !== undefined
        ? Promise.resolve(seen)
        : new Promise((resolve) => waiters.push({ pred, resolve }));
    },
    stop: () => controller.abort(),
  };
}

function mocks(): { serial: MockSerialBinding; hid: MockHidBinding } {
  const serial = new MockSerialBinding();
  serial.createPort('/dev/ttyACM0', { vendorId: 0x1209, productId: 0x5e11, serialNumber: 'SP-0001' });
  const hid = new MockHidBinding();
  hid.addDevice('/dev/hidraw3', {
    vendorId: 0x0b0e,
    productId: 0x0412,
    product: 'Handset',
    usagePage: 0x0b,
    usage: 0x05,
  });
  return { serial, hid };
}

describe('provisioning devices', { timeout: 30_000 }, () => {
  test('lists serial ports and HID devices with a guess; exit 0', async () => {
    const r = run(['devices'], mocks());
    assert.equal(await r.code, EXIT.ok);
    const text = r.out.join('\n');
    assert.match(text, /\/dev\/ttyACM0 {2}1209:5e11 {2}serial SP-0001/);
    assert.match(text, /\/dev\/hidraw3 {2}0b0e:0412 {2}telephony/);
  });

  test('--json gives one document; a source that cannot be listed is a problem, exit 3', async () => {
    const broken: HidBinding = {
      devices: () => Promise.reject(new DeviceError('hid-unavailable', 'libusb is not installed')),
      open: () => Promise.reject(new Error('unused')),
    };
    const r = run(['devices', '--json'], { serial: mocks().serial, hid: broken });
    assert.equal(await r.code, EXIT.deviceProblem);
    const doc = JSON.parse(r.out.join('\n')) as { serial: { path: string }[]; problems: { code: string }[] };
    assert.deepEqual(
      doc.serial.map((p) => p.path),
      ['/dev/ttyACM0'],
    );
    assert.deepEqual(
      doc.problems.map((p) => p.code),
      ['hid-unavailable'],
    );
  });

  test(
    '--watch prints status, lift, keys and hang-up from the simulated board on a pty',
    { skip: existsSync('/usr/bin/socat') ? false : 'socat not installed' },
    async () => {
      const sim = await startSimulator();
      try {
        const r = run(['devices', '--watch', '--serial', sim.kioskPath, '--json']);
        const parsed = (pred: (e: Record<string, unknown>) => boolean) =>
          r.line((l) => pred(JSON.parse(l) as Record<string, unknown>));
        const isEvent = (type: string, key?: string) => (e: Record<string, unknown>) => {
          const event = e.event as { type?: string; key?: string } | undefined;
          return e.kind === 'event' && event?.type === type && (key === undefined || event.key === key);
        };
        await parsed((e) => e.kind === 'status' && (e.status as { state: string }).state === 'ok');
        sim.lift();
        await parsed(isEvent('offhook'));
        sim.type('5#');
        await parsed(isEvent('key', '#'));
        sim.hangup();
        await parsed(isEvent('onhook'));
        r.stop();
        assert.equal(await r.code, EXIT.ok);
        assert.ok(r.out.some((l) => isEvent('key', '5')(JSON.parse(l) as Record<string, unknown>)));
      } finally {
        await sim.close();
      }
    },
  );

  test('--watch of a device that is not there: status missing, exit 3 after --duration', async () => {
    const r = run(['devices', '--watch', '--serial', '/dev/ttyNOPE', '--duration', '0.3'], mocks());
    assert.equal(await r.code, EXIT.deviceProblem);
    assert.ok(
      r.out.some((l) => / status {2}missing \(missing\)/.test(l)),
      r.out.join('\n'),
    );
  });

  test('--config reads the kiosk device configuration, also nested under "device"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sportello-prov-'));
    try {
      const file = join(dir, 'kiosk.json');
      writeFileSync(
        file,
        JSON.stringify({ device: { kind: 'serial', match: { vendorId: 0x1209, productId: 0x5e11 } } }),
      );
      const bindings = mocks();
      const { detach } = attachBoardToMockPort(bindings.serial.port('/dev/ttyACM0')!);
      const r = run(['devices', '--watch', '--config', file], bindings);
      assert.match(await r.line((l) => / status {2}ok /.test(l)), /path \/dev\/ttyACM0/);
      r.stop();
      assert.equal(await r.code, EXIT.ok);
      detach();
      writeFileSync(file, JSON.stringify({ kind: 'usb' }));
      const bad = run(['devices', '--watch', '--config', file], mocks());
      assert.equal(await bad.code, EXIT.usage);
      assert.match(bad.err[0]!, /kind must be "serial" or "hid"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('wrong command lines exit 2 with the reason and the usage; --help exits 0', async () => {
    for (const argv of [
      ['devices', '--bogus'],
      ['devices', '--watch'],
      ['devices', '--serial', '/dev/ttyACM0'],
      ['devices', '--watch', '--match', 'xyz'],
      ['devices', '--watch', '--hid', '/dev/hidraw0', '--baud', '9600'],
      ['devices', '--watch', '--serial', '/dev/x', '--duration', '-1'],
      ['nonsense'],
      [],
    ]) {
      const r = run(argv, mocks());
      assert.equal(await r.code, EXIT.usage, argv.join(' '));
      assert.match(r.err.join('\n'), /usage: sportello-provisioning/, argv.join(' '));
    }
    const help = run(['devices', '--help']);
    assert.equal(await help.code, EXIT.ok);
    assert.match(help.out[0]!, /--watch/);
    const top = run(['help']);
    assert.equal(await top.code, EXIT.ok);
    assert.match(top.out[0]!, /devices/);
  });
});
