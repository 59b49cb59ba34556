// The provisioning CLI without the process around it: parses the command name, dispatches, and turns
// errors into exit codes. cli.ts wires it to the real process; tests call runCli directly.
import type { CliContext, Command, ExitCode } from './command.ts';
import { EXIT, UsageError } from './command.ts';
import { devicesCommand } from './devices-command.ts';
import { enrollCommand } from './enroll-command.ts';
import { selfTestCommand } from './self-test/self-test-command.ts';

export const COMMANDS: readonly Command[] = [enrollCommand, selfTestCommand, devicesCommand];

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: sportello-provisioning <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sportello-provisioning <command> --help` for the options of a command.',
    'Exit codes: 0 ok, 1 unexpected failure, 2 wrong command line, 3 device problem, server refusal or',
    '            failed check, 4 server unreachable (see provisioning/README.md).',
  ].join('\n');
}

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<ExitCode> {
  const [name, ...args] = argv;
  if (name === undefined) {
    ctx.err(usage());
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h') {
    ctx.out(usage());
    return EXIT.ok;
  }
  if (name === 'help') {
    const topic = args[0] === undefined ? undefined : COMMANDS.find((c) => c.name === args[0]);
    if (args[0] !== undefined && !topic) {
      ctx.err(`unknown command: ${args[0]}\n\n${usage()}`);
      return EXIT.usage;
    }
    ctx.out(topic ? topic.help : usage());
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    ctx.err(`unknown command: ${name}\n\n${usage()}`);
    return EXIT.usage;
  }
  try {
    return await command.run(args, ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      ctx.err(`${command.name}: ${error.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    ctx.err(
      `${command.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT.failed;
  }
}
