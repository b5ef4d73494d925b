// serverless.yml's view of scripts/iam-scopes.ts, computed from services.json
// when the stack is packaged: `${file(./scripts/variables/iam-scopes.js):listenerArns}`
// and so on. services.json is validated with the schema the functions use, so
// a bad file stops `npm run package` with the field named.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file `package.patterns` ships with every function (BLUEGREEN_CONFIG_FILE). */
const CONFIG_FILE = join(import.meta.dirname, '../../services.json');

let scopes;

/** Reads services.json once: serverless asks for each property separately. */
function load({ resolveConfigurationProperty }) {
  scopes ??= compute(resolveConfigurationProperty);
  return scopes;
}

async function compute(resolveConfigurationProperty) {
  const { parseConfig } = await import('../../functions/core/config.ts');
  const { iamScopes } = await import('../iam-scopes.ts');
  const config = parseConfig(JSON.parse(await readFile(CONFIG_FILE, 'utf8')));
  return iamScopes(config, await resolveConfigurationProperty(['provider', 'region']));
}

/** CloudFormation condition values: 'true' when the list is not empty. */
const present = (name) => async (context) => String((await load(context))[name].length > 0);

export const listenerArns = async (context) => (await load(context)).listenerArns;
export const listenerRuleArns = async (context) => (await load(context)).listenerRuleArns;
export const launchTemplateArns = async (context) => (await load(context)).launchTemplateArns;
export const roleArns = async (context) => (await load(context)).roleArns;
export const hasServiceRoles = present('roleArns');

/**
 * The step role's per-service grants as AWS::IAM::ManagedPolicy resources
 * (scripts/service-policies.ts): a `resources` entry serverless.yml merges in.
 */
export const servicePolicies = async (context) => {
  const { servicePolicies: policies } = await import('../service-policies.ts');
  return { Resources: policies(await load(context), 'StepRole') };
};

/** The accounts of the services reached through a roleArn: their alarms' events may reach this stack's bus. */
export const serviceAccountIds = async (context) => [...new Set((await load(context)).roleArns.map((arn) => arn.split(':')[4]))];
