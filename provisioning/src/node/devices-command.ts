// `devices`: what could be the handset or keypad on this machine, and a live view of the configured
// one (status, hook and key events, and with --trace every frame in and out).
import { parseArgs } from 'node:util';
import {
  isDeviceError,
  listCandidates,
  watchDevice,
  type CandidateList,
  type DeviceConfig,
  type DeviceStatus,
  type WatchEvent,
} from '@sportello/devices';
import type { CliContext, Command, ExitCode } from './command.ts';
import { EXIT, UsageError, parsedOrUsageError } from './command.ts';
import { DEVICE_HELP, DEVICE_OPTIONS, deviceConfigFrom, hasDeviceArgs } from './device-config-args.ts';

const HELP = `usage: sportello-provisioning devices [--json]
       sportello-provisioning devices --watch <device> [--trace] [--duration SECONDS] [--json]

Without --watch: lists the serial ports and USB HID devices that could be the handset or keypad, with
a guess for HID devices (telephony, keyboard, vendor), and what could not be listed and why.

With --watch: opens the device and prints its status, every hook and key event, and with --trace every
frame or report in and out, until Ctrl-C or --duration. Lift the handset, type every key, hang up.

${DEVICE_HELP}

options:
  --watch                     open the device and print live events
  --trace                     with --watch: also print raw frames (heartbeats included)
  --duration SECONDS          with --watch: stop after this long (default: until Ctrl-C)
  --json                      machine-readable output: one JSON document, or one JSON object per line
  --help                      this help

exit codes: 0 listed / the device was ok at the end; 2 wrong command line or configuration;
            3 something could not be listed / the device was not ok at the end; 1 unexpected failure.`;

export const devicesCommand: Command = {
  name: 'devices',
  summary: 'list serial and HID candidates for the handset; --watch prints live events',
  help: HELP,
  async run(args, ctx) {
    const values = parsedOrUsageError(
      () =>
        parseArgs({
          args,
          strict: true,
          allowPositionals: false,
          options: {
            ...DEVICE_OPTIONS,
            watch: { type: 'boolean', default: false },
            trace: { type: 'boolean', default: false },
            duration: { type: 'string' },
            json: { type: 'boolean', default: false },
            help: { type: 'boolean', short: 'h', default: false },
          },
        }).values,
    );
    if (values.help) {
      ctx.out(HELP);
      return EXIT.ok;
    }
    if (!values.watch) {
      if (hasDeviceArgs(values) || values.trace || values.duration !== undefined)
        throw new UsageError('device options, --trace and --duration go with --watch');
      return list(ctx, values.json);
    }
    const config = deviceConfigFrom(values);
    if (!config)
      throw new UsageError('--watch needs a device: --serial PATH, --hid PATH, --match or --config');
    const durationMs = values.duration === undefined ? undefined : parseDuration(values.duration);
    return watch(ctx, config, { json: values.json, trace: values.trace, durationMs });
  },
};

function parseDuration(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--duration must be a positive number of seconds, not "${text}"`);
  return seconds * 1000;
}

async function list(ctx: CliContext, json: boolean): Promise<ExitCode> {
  const found = await listCandidates({
    ...(ctx.serial ? { serial: ctx.serial } : {}),
    ...(ctx.hid ? { hid: ctx.hid } : {}),
  });
  if (json) ctx.out(JSON.stringify(found, null, 2));
  else for (const line of formatCandidates(found)) ctx.out(line);
  return found.problems.length > 0 ? EXIT.deviceProblem : EXIT.ok;
}

const hex4 = (n: number | undefined) => (n === undefined ? '????' : n.toString(16).padStart(4, '0'));

export function formatCandidates(found: CandidateList): string[] {
  const lines = [`Serial ports (${found.serial.length})`];
  if (found.serial.length === 0) lines.push('  none');
  for (const p of found.serial) {
    const id = p.vendorId === undefined ? '' : `${hex4(p.vendorId)}:${hex4(p.productId)}`;
    const details = [id, p.serialNumber && `serial ${p.serialNumber}`, p.manufacturer].filter(Boolean);
    lines.push(`  ${p.path}${details.length ? `  ${details.join('  ')}` : ''}`);
  }
  lines.push(`HID devices (${found.hid.length})`);
  if (found.hid.length === 0) lines.push('  none');
  for (const d of found.hid) {
    const usage = d.usagePage === undefined ? '' : `usage ${hex4(d.usagePage)}:${hex4(d.usage)}`;
    const details = [
      `${hex4(d.vendorId)}:${hex4(d.productId)}`,
      d.guess,
      usage,
      d.serialNumber && `serial ${d.serialNumber}`,
      [d.manufacturer, d.product].filter(Boolean).join(' '),
    ].filter(Boolean);
    lines.push(`  ${d.path}  ${details.join('  ')}`);
  }
  if (found.problems.length > 0) {
    lines.push('Problems');
    for (const p of found.problems) lines.push(`  ${p.source}: ${p.code}: ${p.message}`);
  }
  return lines;
}

interface WatchOptions {
  json: boolean;
  trace: boolean;
  durationMs: number | undefined;
}

async function watch(ctx: CliContext, config: DeviceConfig, o: WatchOptions): Promise<ExitCode> {
  const started = Date.now();
  const print = (event: WatchEvent) => {
    const t = (Date.now() - started) / 1000;
    ctx.out(o.json ? JSON.stringify({ t, ...event }) : `+${t.toFixed(3)}s ${formatWatchEvent(event)}`);
  };
  let status: DeviceStatus | undefined;
  let device;
  try {
    device = watchDevice(
      config,
      (event) => {
        if (event.kind === 'status') status = event.status;
        print(event);
      },
      { trace: o.trace, ...(ctx.serial ? { serial: ctx.serial } : {}), ...(ctx.hid ? { hid: ctx.hid } : {}) },
    );
  } catch (error) {
    if (isDeviceError(error, 'invalid-config')) throw new UsageError(error.message);
    throw error;
  }
  if (!o.json) ctx.err(`watching ${describe(config)}; Ctrl-C stops`);
  status = device.status;
  print({ kind: 'status', status });
  await stopped(ctx.signal, o.durationMs);
  await device.close();
  return status.state === 'ok' ? EXIT.ok : EXIT.deviceProblem;
}

/** Resolves when the technician stops the watch, or when the duration is over. */
function stopped(signal: AbortSignal, durationMs: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = durationMs === undefined ? undefined : setTimeout(done, durationMs);
    signal.addEventListener('abort', done);
  });
}

function describe(config: DeviceConfig): string {
  const id = config.match ? `${hex4(config.match.vendorId)}:${hex4(config.match.productId)}` : undefined;
  return `${config.kind} ${[config.path, id].filter(Boolean).join(' ')}`;
}

export function formatWatchEvent(event: WatchEvent): string {
  switch (event.kind) {
    case 'status': {
      const s = event.status;
      const extra = [s.path && `path ${s.path}`, s.firmware && `firmware ${s.firmware}`].filter(Boolean);
      return `status  ${s.state} (${s.reason}): ${s.message}${extra.length ? `  [${extra.join(', ')}]` : ''}`;
    }
    case 'event': {
      const e = event.event;
      if (e.type === 'key') return `event   key ${e.key}`;
      return `event   ${e.type === 'offhook' ? 'handset lifted (off-hook)' : 'handset down (on-hook)'}`;
    }
    case 'trace':
      return `${event.trace.dir === 'in' ? 'in  <-' : 'out ->'} ${event.trace.hex}${event.trace.note ? `  ${event.trace.note}` : ''}`;
  }
}
