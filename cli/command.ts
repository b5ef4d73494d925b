// A CLI command as data: its arguments, its options (each with the text its
// help shows) and what it runs. The parser and the help are both built from
// this one description, so `--help` cannot fall behind what is accepted.
import { parseArgs } from 'node:util';
import { BlueGreenError } from '../functions/core/errors.ts';
import type { CliIo } from './io.ts';

/** The command line is wrong: unknown command or option, a missing or malformed value, no configuration. Exit code 2. */
export class UsageError extends BlueGreenError {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder of the value in the help (`FILE`, `N`). */
  value?: string;
  description: string;
}

export interface ArgumentSpec {
  name: string;
  description: string;
}

export interface CommandLine {
  /** Positional arguments by their declared name. */
  args: Record<string, string>;
  values: Record<string, string | boolean | undefined>;
}

export interface Command {
  name: string;
  /** One line, for the list of commands. */
  summary: string;
  /** Paragraphs shown under the usage line. */
  description: string;
  args: ArgumentSpec[];
  options: Record<string, OptionSpec>;
  run(line: CommandLine, io: CliIo): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export const EXIT_CODES_HELP = 'Exit codes: 0 ok; 1 the operation failed or was refused; 2 usage error (command line or CLI configuration).';

const HELP_OPTION: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** Parses `argv` (after the command name); `null` when help was asked for. */
export function parseCommandLine(command: Command, argv: string[]): CommandLine | null {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: parserOptions(command), allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), { cause: error });
  }
  if (parsed.values.help === true) return null;
  const { positionals } = parsed;
  const missing = command.args.slice(positionals.length).map((a) => `<${a.name}>`);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(' ')}`);
  if (positionals.length > command.args.length) throw new UsageError(`unexpected argument "${positionals[command.args.length]}"`);
  const args = Object.fromEntries(command.args.map((a, i) => [a.name, positionals[i]!]));
  const { help: _help, ...values } = parsed.values;
  return { args, values };
}

/** Every option the parser accepts, `--help` included. */
export function parserOptions(command: Command): Record<string, { type: 'string' | 'boolean'; short?: string }> {
  const all = { ...command.options, help: HELP_OPTION };
  return Object.fromEntries(Object.entries(all).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
}

export function helpText(command: Command): string {
  const usage = [`bluegreen ${command.name}`, ...command.args.map((a) => `<${a.name}>`), '[options]'].join(' ');
  const options = Object.entries({ ...command.options, help: HELP_OPTION }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.description];
  });
  const args = command.args.map((a) => [`<${a.name}>`, a.description]);
  return [
    `Usage: ${usage}`,
    '',
    command.description,
    ...(args.length > 0 ? ['', 'Arguments:', ...aligned(args)] : []),
    '',
    'Options:',
    ...aligned(options),
    '',
    EXIT_CODES_HELP,
    '',
  ].join('\n');
}

export function stringValue(line: CommandLine, name: string): string | undefined {
  const value = line.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredValue(line: CommandLine, name: string): string {
  const value = stringValue(line, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function flag(line: CommandLine, name: string): boolean {
  return line.values[name] === true;
}

/** A number option within bounds, or its default. */
export function numberValue(line: CommandLine, name: string, bounds: { min: number; max: number; fallback: number; integer?: boolean }): number {
  const text = stringValue(line, name);
  if (text === undefined) return bounds.fallback;
  const value = Number(text);
  const kind = bounds.integer ? 'a whole number' : 'a number';
  if (text.trim() === '' || !Number.isFinite(value) || (bounds.integer && !Number.isInteger(value)) || value < bounds.min || value > bounds.max) {
    throw new UsageError(`--${name}: expected ${kind} from ${bounds.min} to ${bounds.max}, got "${text}"`);
  }
  return value;
}

function aligned(rows: string[][]): string[] {
  const width = Math.max(...rows.map(([left = '']) => left.length)) + 2;
  return rows.map(([left = '', right = '']) => `  ${left.padEnd(width)}${right}`);
}
