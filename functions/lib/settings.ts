// What every entry point reads from its environment once per container: the
// services configuration and the names of the table and the state machine.
// Anything missing or invalid throws here, before any event is handled, with a
// message naming the variable or the field (see cold-start.ts).
//
//   BLUEGREEN_CONFIG        the configuration as inline JSON, or
//   BLUEGREEN_CONFIG_FILE   a path to a JSON file holding it
//   TABLE_NAME              the deployment store's table
//   STATE_MACHINE_ARN       the deployment workflow
import { readFileSync } from 'node:fs';
import { parseConfig, type Config } from '../core/config.ts';
import { ConfigInvalid } from '../core/errors.ts';

export interface Settings {
  config: Config;
  tableName: string;
  stateMachineArn: string;
}

export type Environment = Record<string, string | undefined>;

export function loadSettings(env: Environment): Settings {
  return {
    config: loadConfig(env),
    tableName: requireEnv(env, 'TABLE_NAME'),
    stateMachineArn: requireEnv(env, 'STATE_MACHINE_ARN'),
  };
}

export function loadConfig(env: Environment): Config {
  const inline = env.BLUEGREEN_CONFIG;
  const file = env.BLUEGREEN_CONFIG_FILE;
  if (inline) return parseConfig(parseJson(inline, 'BLUEGREEN_CONFIG'));
  if (file) return parseConfig(parseJson(readConfigFile(file), `BLUEGREEN_CONFIG_FILE (${file})`));
  throw new ConfigInvalid('no configuration: set BLUEGREEN_CONFIG (inline JSON) or BLUEGREEN_CONFIG_FILE (path to a JSON file)');
}

export function requireEnv(env: Environment, name: string): string {
  const value = env[name];
  if (!value) throw new ConfigInvalid(`environment variable ${name} is not set`);
  return value;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigInvalid(`BLUEGREEN_CONFIG_FILE: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigInvalid(`${source} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}
