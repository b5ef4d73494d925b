// `bluegreen <command> …`: finds the command, parses its command line, runs
// it, and turns whatever it throws into a message and an exit code:
// 0 ok, 1 the operation failed or was refused (a named error), 2 usage error.
import { BlueGreenError, UnknownService } from '../functions/core/errors.ts';
import { EXIT, EXIT_CODES_HELP, helpText, parseCommandLine, UsageError, type Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import type { CliIo } from './io.ts';
import { table, text } from './output.ts';

export type { CliIo } from './io.ts';

/** Runs one command line (without `node bluegreen`) and returns its exit code; never throws. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(mainHelp(commands));
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') return help(rest[0], io, commands);
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`bluegreen: unknown command "${name}"; commands: ${commands.map((c) => c.name).join(', ')}\nRun "bluegreen --help" for usage.\n`);
    return EXIT.usage;
  }
  try {
    const line = parseCommandLine(command, rest);
    if (!line) {
      io.stdout(helpText(command));
      return EXIT.ok;
    }
    return await command.run(line, io);
  } catch (error) {
    return report(command, error, io);
  }
}

function help(topic: string | undefined, io: CliIo, commands: Command[]): number {
  const command = topic ? commands.find((c) => c.name === topic) : undefined;
  if (topic && !command) {
    io.stderr(`bluegreen: unknown command "${topic}"; commands: ${commands.map((c) => c.name).join(', ')}\n`);
    return EXIT.usage;
  }
  io.stdout(command ? helpText(command) : mainHelp(commands));
  return EXIT.ok;
}

function report(command: Command, error: unknown, io: CliIo): number {
  const prefix = `bluegreen ${command.name}`;
  if (error instanceof UsageError) {
    io.stderr(`${prefix}: ${error.message}\nRun "bluegreen ${command.name} --help" for usage.\n`);
    return EXIT.usage;
  }
  if (error instanceof UnknownService) {
    io.stderr(`${prefix}: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof BlueGreenError) {
    io.stderr(`${prefix}: ${error.name}: ${error.message}\n${awsChainHint(error.message)}`);
    return EXIT.failed;
  }
  io.stderr(`${prefix}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return EXIT.failed;
}

/** The SDK's own words when the standard chain found nothing are terse: say where it looks. */
function awsChainHint(message: string): string {
  if (!/Region is missing|Could not load credentials/.test(message)) return '';
  return 'The AWS chain found no region or credentials: set AWS_PROFILE (or AWS_REGION and credentials), or use --local.\n';
}

function mainHelp(commands: Command[]): string {
  return text([
    'Usage: bluegreen <command> [arguments] [options]',
    '',
    'Blue/green and canary deployments of the configured services: the same engine in AWS as the GitHub push',
    'and Slack. Region and credentials come from the standard AWS chain (AWS_PROFILE, AWS_REGION, SSO, instance',
    'role); --local talks to the local cloud instead.',
    '',
    'Commands:',
    ...table(commands.map((c) => [c.name, c.summary])),
    '',
    'Environment (each has an option that overrides it):',
    ...table([
      ['BLUEGREEN_CONFIG_FILE', 'path of the services configuration (JSON); or BLUEGREEN_CONFIG with the JSON inline'],
      ['TABLE_NAME', 'the deployment store table'],
      ['STATE_MACHINE_ARN', 'the deployment workflow'],
      ['USER', 'recorded as cli:<USER> in the history (default: your AWS identity from STS)'],
    ]),
    '',
    'Who may promote, roll back or abort: IAM is the gate; whoever may call states:SendTaskSuccess on the workflow',
    'and update the deployment table can.',
    '',
    'Run "bluegreen <command> --help" for a command\'s arguments and options.',
    '',
    EXIT_CODES_HELP,
  ]);
}
