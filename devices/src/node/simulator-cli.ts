// Command line for the simulated totem board:
//   node --import tsx devices/src/node/simulator-cli.ts [--script "lift; type 1234; wait 2s; hangup"]
//        [--link /tmp/sportello-handset] [--protocol-version 1] [--firmware NAME] [--keep]
// Without --script, or with --keep, it stays up; on a terminal it reads keys: l lift, h hang up,
// 0-9 * # type, f flash (300 ms), u unplug, r replug, q quit. socat is stopped on every way out.
import { parseArgs } from 'node:util';
import { parseScript } from '../common/sim-script.ts';
import type { Simulator } from './simulator.ts';
import { startSimulator } from './simulator.ts';

const USAGE = `usage: simulator-cli [--script "lift; type 1234; wait 2s; hangup"] [--link PATH]
                     [--protocol-version N] [--firmware NAME] [--keep]
keys: l lift, h hang up, 0-9 * # type, f flash, u unplug, r replug, q quit`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        script: { type: 'string' },
        link: { type: 'string' },
        'protocol-version': { type: 'string' },
        firmware: { type: 'string' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const script = args.script === undefined ? undefined : parseScript(args.script);
  if (script && !script.ok) {
    console.error(`--script: ${script.error}`);
    return 2;
  }
  const version = args['protocol-version'] === undefined ? undefined : Number(args['protocol-version']);
  if (version !== undefined && !(Number.isInteger(version) && version >= 0 && version <= 255)) {
    console.error('--protocol-version must be an integer 0-255');
    return 2;
  }

  // Signals are handled from the start, so that a signal during start-up still stops socat.
  const running: { sim?: Simulator; stopping?: Promise<void> } = {};
  const stop = () => (running.stopping ??= Promise.resolve(running.sim?.close()));
  const onSignal = () => void stop().then(() => process.exit(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);

  const sim = await startSimulator({
    ...(args.link ? { link: args.link } : {}),
    ...(version !== undefined ? { protocolVersion: version } : {}),
    ...(args.firmware ? { firmware: args.firmware } : {}),
  });
  running.sim = sim;
  if (running.stopping) {
    await sim.close();
    return 0;
  }
  console.log(`board ready: open ${sim.kioskPath} in the kiosk (serial path)`);
  sim.board.on('ring', (on) => console.log(`ringer ${on ? 'on' : 'off'}`));
  sim.board.on('led', (led, on) => console.log(`led ${led} ${on ? 'on' : 'off'}`));

  try {
    if (script?.ok) await sim.run(script.steps, (step) => console.log(`> ${JSON.stringify(step)}`));
  } catch (error) {
    console.error(`script failed: ${(error as Error).message}`);
    await stop();
    return 1;
  }
  if (script && !args.keep) {
    await stop();
    return 0;
  }
  if (!process.stdin.isTTY) {
    // Run by a supervisor or a demo script: stay up until a signal (socat keeps the event loop alive).
    console.log('running until SIGINT/SIGTERM');
    return new Promise<number>(() => undefined);
  }
  await interactive(sim);
  await stop();
  return 0;
}

function interactive(sim: Simulator): Promise<void> {
  console.log('keys: l lift, h hang up, 0-9 * # type, f flash, u unplug, r replug, q quit');
  process.stdin.setRawMode(true);
  process.stdin.resume();
  return new Promise((resolve) => {
    const done = () => {
      process.stdin.off('data', onData);
      process.stdin.setRawMode(false);
      process.stdin.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString()) {
        if (ch === 'q' || ch === '\u0003' || ch === '\u0004') return done();
        if (ch === 'l') sim.lift();
        else if (ch === 'h') sim.hangup();
        else if (ch === 'f') void sim.flash(300);
        else if (ch === 'u') void sim.unplug().then(() => console.log('unplugged'));
        else if (ch === 'r') void sim.replug().then(() => console.log('replugged'));
        else if (/[0-9*#]/.test(ch)) sim.type(ch);
        else continue;
        console.log(`> ${ch}`);
      }
    };
    process.stdin.on('data', onData);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`simulator: ${(error as Error).message}`);
    process.exit(1);
  },
);
