// Options several commands share, with the text their help shows.
import type { OptionSpec } from './command.ts';

export const JSON_OPTION: Record<string, OptionSpec> = {
  json: { type: 'boolean', description: 'print JSON instead of text' },
};

export const CONFIG_OPTION: Record<string, OptionSpec> = {
  config: {
    type: 'string',
    value: 'FILE',
    description: 'services configuration (JSON file); default: env BLUEGREEN_CONFIG (inline JSON) or BLUEGREEN_CONFIG_FILE (path)',
  },
};

export const LOCAL_OPTION: Record<string, OptionSpec> = {
  local: {
    type: 'boolean',
    description: 'use the local cloud: endpoints, table, state machine and configuration from .bluegreen/local.json (written when the local cloud starts)',
  },
};

export const TABLE_OPTION: Record<string, OptionSpec> = {
  table: { type: 'string', value: 'NAME', description: 'the deployment store table; default: env TABLE_NAME' },
};

export const STATE_MACHINE_OPTION: Record<string, OptionSpec> = {
  'state-machine': { type: 'string', value: 'ARN', description: 'the deployment workflow; default: env STATE_MACHINE_ARN' },
};

/** What every command that reads AWS takes. */
export const TARGET_OPTIONS: Record<string, OptionSpec> = { ...CONFIG_OPTION, ...LOCAL_OPTION };
