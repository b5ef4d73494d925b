// `bluegreen validate`: the services configuration (every problem with its
// field path) and the packaged state machine (valid ASL, and identical to
// what statemachines/build.ts builds). Reads files only.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../../functions/core/config.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import { loadConfig } from '../../functions/lib/settings.ts';
import { buildDefinition, DEFINITION_PATH } from '../../statemachines/build.ts';
import { flag, type Command } from '../command.ts';
import { json, text } from '../output.ts';
import { CONFIG_OPTION, JSON_OPTION } from '../options.ts';
import { configEnvironment } from '../session.ts';

type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errors: Array<{ 'Error code': string; Message: string }> };

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

export interface ValidateView {
  config: { source: string; valid: boolean; services: string[]; problems: string[] };
  stateMachine: { path: string; valid: boolean; states: number; matchesBuild: boolean; problems: string[] };
}

export const validate: Command = {
  name: 'validate',
  summary: 'check the services configuration and the packaged state machine',
  description: [
    'Checks the services configuration and prints every problem with its field path',
    '(services[0].strategy.steps: the last step must be 100), then checks the packaged state machine',
    '(statemachines/deploy.asl.json): valid Amazon States Language, and identical to what statemachines/build.ts',
    'builds (run `node statemachines/build.ts` to rewrite it). Exits 1 when anything is wrong.',
  ].join('\n'),
  args: [],
  options: { ...CONFIG_OPTION, ...JSON_OPTION },
  run(line, io) {
    const env = configEnvironment(line, io);
    const view: ValidateView = {
      config: checkConfig(() => loadConfig(env), env.BLUEGREEN_CONFIG ? 'BLUEGREEN_CONFIG' : env.BLUEGREEN_CONFIG_FILE!),
      stateMachine: checkStateMachine(DEFINITION_PATH),
    };
    io.stdout(flag(line, 'json') ? json(view) : renderValidation(view));
    return Promise.resolve(view.config.valid && view.stateMachine.valid ? 0 : 1);
  },
};

function checkConfig(load: () => Config, source: string): ValidateView['config'] {
  try {
    const config = load();
    return { source, valid: true, services: config.services.map((s) => s.name), problems: [] };
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    return { source, valid: false, services: [], problems: configProblems(error) };
  }
}

/** `parseConfig` joins its problems as `invalid configuration: a.b: …; c[0]: …`; one per line reads better. */
function configProblems(error: ConfigInvalid): string[] {
  const prefix = 'invalid configuration: ';
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length).split('; ') : [error.message];
}

export function checkStateMachine(path: string): ValidateView['stateMachine'] {
  let definition: unknown;
  try {
    definition = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return { path, valid: false, states: 0, matchesBuild: false, problems: [`cannot read it: ${(error as Error).message}`] };
  }
  // The validator annotates what it reads: give it a copy.
  const { isValid, errors } = aslValidator(structuredClone(definition), { checkArn: true, checkPaths: true });
  const problems = isValid ? [] : errors.map((e) => `${e['Error code']}: ${e.Message}`);
  const matchesBuild = isDeepStrictEqual(definition, buildDefinition());
  if (!matchesBuild) problems.push('differs from what statemachines/build.ts builds: run `node statemachines/build.ts` and commit the result');
  const states = Object.keys((definition as { States?: object }).States ?? {}).length;
  return { path, valid: problems.length === 0, states, matchesBuild, problems };
}

function renderValidation(view: ValidateView): string {
  const { config, stateMachine } = view;
  return text([
    config.valid
      ? `configuration (${config.source}): valid, ${config.services.length} service(s): ${config.services.join(', ')}`
      : `configuration (${config.source}): ${config.problems.length} problem(s)`,
    ...config.problems.map((p) => `  ${p}`),
    stateMachine.valid
      ? `state machine (${stateMachine.path}): valid, ${stateMachine.states} states, matches statemachines/build.ts`
      : `state machine (${stateMachine.path}): ${stateMachine.problems.length} problem(s)`,
    ...stateMachine.problems.map((p) => `  ${p}`),
  ]);
}
