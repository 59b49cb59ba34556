// What every provisioning command is: a name, a one-line summary for the command list, its own help,
// and a run function that gets its arguments and a context and answers with an exit code. New
// commands are one more module and one more line in program.ts.
import type { HidBinding, SerialBinding } from '@sportello/devices';

/** Exit codes of every command; provisioning/README.md lists them for technicians and scripts. */
export const EXIT = {
  /** Done, and what was checked is fine. */
  ok: 0,
  /** An unexpected failure (a bug, or the machine refused something we did not foresee). */
  failed: 1,
  /** The command line or a configuration file is wrong; the message says which part. */
  usage: 2,
  /** The command ran, and found a device problem (listing failed, device not answering). */
  deviceProblem: 3,
  /** enroll: the server refused (the message says why and what to do). */
  refused: 3,
  /** self-test: at least one check failed. */
  checkFailed: 3,
  /** The server could not be reached (network, address, DNS, TLS). */
  unreachable: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliContext {
  /** One line for standard output (results). */
  out(line: string): void;
  /** One line for standard error (diagnostics, progress). */
  err(line: string): void;
  /** Aborted when the technician asks to stop (Ctrl-C); long-running commands then end cleanly. */
  signal: AbortSignal;
  /** Device bindings; the real ones by default, mocks in tests. */
  serial?: SerialBinding;
  hid?: HidBinding;
  /** Standard input, for the technician's answers (self-test). Default process.stdin. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The command's full help, printed by `<command> --help` and `help <command>`. */
  help: string;
  run(args: string[], ctx: CliContext): Promise<ExitCode>;
}

/** A command line mistake: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Runs an argument parser; its complaint becomes a UsageError (printed with the usage, exit 2). */
export function parsedOrUsageError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
