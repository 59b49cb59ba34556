// A simulated totem controller board on a real pseudo-terminal: socat makes a pty pair, the board
// emulator speaks the protocol on one end, and the kiosk opens the other (`kioskPath`) exactly as it
// would open /dev/ttyUSB0. Unplugging kills socat, so the kiosk sees the port vanish as with a cable.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SerialBinding, SerialHandle } from '../common/bindings.ts';
import type { BoardEmulatorOptions } from '../common/board-emulator.ts';
import { BoardEmulator } from '../common/board-emulator.ts';
import type { SimStep } from '../common/sim-script.ts';
import { parseScript } from '../common/sim-script.ts';
import { nodeSerialBinding } from './serial-port.ts';
import type { PtyPair } from './socat.ts';
import { startPtyPair } from './socat.ts';

export interface SimulatorOptions extends BoardEmulatorOptions {
  /** Path the kiosk opens. Default: `handset` in a fresh temporary directory. */
  link?: string;
  /** Default /usr/bin/socat. */
  socat?: string;
  /** Binding used for the board's end. Default: the real serialport binding. */
  serial?: SerialBinding;
}

export interface Simulator {
  /** Give this path to the kiosk (serial config `path`). */
  readonly kioskPath: string;
  readonly board: BoardEmulator;
  readonly plugged: boolean;
  lift(): void;
  hangup(): void;
  type(keys: string): void;
  /** Hangs up for `ms` then lifts again: a hook flash, or a hang-up when long enough. */
  flash(ms: number): Promise<void>;
  /** Kills socat (SIGTERM, or SIGKILL for a crash): the kiosk's port disappears. */
  unplug(signal?: NodeJS.Signals): Promise<void>;
  /** Starts socat again on the same paths (new pty numbers behind them) and says hello. */
  replug(): Promise<void>;
  /** Runs a script such as "lift; type 1234; wait 2s; hangup" (see sim-script.ts). */
  run(script: string | SimStep[], onStep?: (step: SimStep) => void): Promise<void>;
  /** Stops socat, closes the board's port and removes the temporary directory; safe to call twice. */
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const dir = await mkdtemp(join(tmpdir(), 'sportello-sim-'));
  const boardPath = join(dir, 'board');
  const kioskPath = options.link ?? join(dir, 'handset');
  const binding = options.serial ?? nodeSerialBinding;
  let pair: PtyPair | undefined;
  let handle: SerialHandle | undefined;
  let closing: Promise<void> | undefined;
  const board = new BoardEmulator((bytes) => {
    handle?.write(bytes).catch(() => undefined); // A write racing an unplug is lost, as on a real cable.
  }, options);

  const plug = async () => {
    pair = await startPtyPair({
      a: boardPath,
      b: kioskPath,
      ...(options.socat ? { socat: options.socat } : {}),
    });
    handle = await binding.open(boardPath, { baudRate: 115200 });
    handle.on('data', (bytes) => board.feed(bytes));
    board.hello(); // A board announces itself at power-on.
  };
  const unplug = async (signal?: NodeJS.Signals) => {
    const h = handle;
    const p = pair;
    handle = undefined;
    pair = undefined;
    await h?.close();
    await p?.close(signal);
  };

  try {
    await plug();
  } catch (error) {
    await unplug();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const sim: Simulator = {
    kioskPath,
    board,
    get plugged() {
      return pair !== undefined;
    },
    lift: () => board.lift(),
    hangup: () => board.hangup(),
    type: (keys) => board.type(keys),
    flash: async (ms) => {
      board.hangup();
      await delay(ms);
      board.lift();
    },
    unplug,
    replug: async () => {
      if (!pair) await plug();
    },
    run: async (script, onStep) => {
      let steps: SimStep[];
      if (typeof script === 'string') {
        const parsed = parseScript(script);
        if (!parsed.ok) throw new Error(parsed.error);
        steps = parsed.steps;
      } else steps = script;
      for (const step of steps) {
        onStep?.(step);
        await runStep(sim, step);
      }
    },
    close: () => {
      closing ??= (async () => {
        await unplug();
        board.removeAllListeners();
        await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
  return sim;
}

async function runStep(sim: Simulator, step: SimStep): Promise<void> {
  switch (step.op) {
    case 'lift':
      return sim.lift();
    case 'hangup':
      return sim.hangup();
    case 'type':
      return sim.type(step.keys);
    case 'hello':
      return sim.board.hello();
    case 'wait':
      return delay(step.ms);
    case 'flash':
      return sim.flash(step.ms);
    case 'unplug':
      return sim.unplug();
    case 'replug':
      return sim.replug();
  }
}

// Scripted waits are part of what the simulator is asked to do (a person pausing), not a test waiting
// for something to happen.
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
