// `bluegreen validate`: the services configuration (every problem with its
// field path) and the packaged state machine (valid ASL, and identical to
// what statemachines/build.ts builds); the parameters of each service
// account's service-account.yml stack. Reads files only, unless `--aws`: then
// it also reads each in-account service's launch template and names the
// deploy parameters the step role needs for it (instance roles, image
// parameters).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';
import type { Config } from '../../functions/core/config.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import { loadConfig } from '../../functions/lib/settings.ts';
import { serviceAccountParameters, type ServiceAccountParameters } from '../../scripts/iam-scopes.ts';
import { buildDefinition, DEFINITION_PATH } from '../../statemachines/build.ts';
import { flag, stringValue, type Command, type CommandLine } from '../command.ts';
import type { CliIo } from '../io.ts';
import { checkLaunchTemplate, type LaunchTemplateCheck } from '../launch-template-permissions.ts';
import { json, text } from '../output.ts';
import { CONFIG_OPTION, JSON_OPTION, LOCAL_OPTION } from '../options.ts';
import { configEnvironment, openSession } from '../session.ts';

type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errors: Array<{ 'Error code': string; Message: string }> };

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

export interface ValidateView {
  config: { source: string; valid: boolean; services: string[]; problems: string[] };
  stateMachine: { path: string; valid: boolean; states: number; matchesBuild: boolean; problems: string[] };
  /** What each account of the roleArns deploys service-account.yml with (besides StepRoleArn, the stack's output). */
  serviceAccounts: ServiceAccountParameters[];
  /** With --aws: each in-account service's launch template, and what the step role lacks for it. */
  launchTemplates?: LaunchTemplateCheck[];
}

export const validate: Command = {
  name: 'validate',
  summary: 'check the services configuration and the packaged state machine',
  description: [
    'Checks the services configuration and prints every problem with its field path',
    '(services[0].strategy.steps: the last step must be 100), then checks the packaged state machine',
    '(statemachines/deploy.asl.json): valid Amazon States Language, and identical to what statemachines/build.ts',
    'builds (run `node statemachines/build.ts` to rewrite it). For the services reached through a roleArn, prints',
    'the parameters of their account\'s service-account.yml stack.',
    'With --aws it also reads, with your AWS credentials, the $Latest version of each in-account service\'s launch',
    'template: an instance profile needs its role in the stack\'s instanceRoleArns parameter, an image from one of',
    'your SSM parameters (resolve:ssm:...) needs it in imageParameterArns (give validate the values you deploy',
    'with). Exits 1 when anything is wrong.',
  ].join('\n'),
  args: [],
  options: {
    ...CONFIG_OPTION,
    aws: { type: 'boolean', description: 'also read the launch templates (ec2:DescribeLaunchTemplateVersions) and check what the step role needs for them' },
    'instance-role-arns': { type: 'string', value: 'ARNS', description: 'with --aws: the instanceRoleArns you deploy with (comma-separated)' },
    'image-parameter-arns': { type: 'string', value: 'ARNS', description: 'with --aws: the imageParameterArns you deploy with (comma-separated)' },
    ...LOCAL_OPTION,
    ...JSON_OPTION,
  },
  async run(line, io) {
    const env = configEnvironment(line, io);
    const loaded = checkConfig(() => loadConfig(env), env.BLUEGREEN_CONFIG ? 'BLUEGREEN_CONFIG' : env.BLUEGREEN_CONFIG_FILE!);
    const view: ValidateView = {
      config: loaded.view,
      stateMachine: checkStateMachine(DEFINITION_PATH),
      serviceAccounts: loaded.config ? serviceAccountParameters(loaded.config) : [],
      ...(flag(line, 'aws') && loaded.config ? { launchTemplates: await checkLaunchTemplates(line, io, loaded.config) } : {}),
    };
    io.stdout(flag(line, 'json') ? json(view) : renderValidation(view));
    const launchProblems = (view.launchTemplates ?? []).flatMap((t) => t.problems);
    return view.config.valid && view.stateMachine.valid && launchProblems.length === 0 ? 0 : 1;
  },
};

function checkConfig(load: () => Config, source: string): { view: ValidateView['config']; config?: Config } {
  try {
    const config = load();
    return { view: { source, valid: true, services: config.services.map((s) => s.name), problems: [] }, config };
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    return { view: { source, valid: false, services: [], problems: configProblems(error) } };
  }
}

/** The in-account services' launch templates; a service with a roleArn is checked in its own account (service-account.yml). */
async function checkLaunchTemplates(line: CommandLine, io: CliIo, config: Config): Promise<LaunchTemplateCheck[]> {
  const aws = openSession(line, io).aws();
  const list = (name: string) => (stringValue(line, name) ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  const grants = { instanceRoleArns: list('instance-role-arns'), imageParameterArns: list('image-parameter-arns') };
  const checks: LaunchTemplateCheck[] = [];
  for (const [index, service] of config.services.entries()) {
    if (service.roleArn) continue;
    checks.push(await checkLaunchTemplate(aws.ec2(service.listener.listenerArn.split(':')[3]!), service, index, grants));
  }
  return checks;
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
  const { config, stateMachine, serviceAccounts, launchTemplates } = view;
  const launchProblems = (launchTemplates ?? []).flatMap((t) => t.problems);
  return text([
    config.valid
      ? `configuration (${config.source}): valid, ${config.services.length} service(s): ${config.services.join(', ')}`
      : `configuration (${config.source}): ${config.problems.length} problem(s)`,
    ...config.problems.map((p) => `  ${p}`),
    stateMachine.valid
      ? `state machine (${stateMachine.path}): valid, ${stateMachine.states} states, matches statemachines/build.ts`
      : `state machine (${stateMachine.path}): ${stateMachine.problems.length} problem(s)`,
    ...stateMachine.problems.map((p) => `  ${p}`),
    ...serviceAccounts.map(
      (a) =>
        `service account ${a.account} (${a.services.join(', ')}): deploy service-account.yml with StepRoleArn=<the stack's StepRoleArn output> ` +
        Object.entries(a.parameters).map(([k, v]) => `${k}=${v}`).join(' '),
    ),
    ...(launchTemplates
      ? [
          launchProblems.length === 0
            ? `launch templates: ${launchTemplates.length} read, the step role may launch from each`
            : `launch templates: ${launchProblems.length} problem(s)`,
          ...launchProblems.map((p) => `  ${p}`),
        ]
      : []),
  ]);
}
