// One check of the authorization table, simulated with @cloud-copilot/iam-simulate
// (an AGPL devDependency: tests only, never imported by functions/, cli/ or local/).
// A check is validated against iam-data (action, resource type, context keys)
// unless the table says why it cannot be; a context key the validation would
// drop is reported, not silently ignored.
import { runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument, RolePolicy } from '../packaging/cloudformation.ts';
import type { Check } from './authorization.ts';

export interface Principal {
  /** Where the principal comes from: `StepRole`, `service-account.yml DeployerRole (210987654321)`. */
  label: string;
  arn: string;
  policies: RolePolicy[];
}

export interface Outcome {
  principal: string;
  check: Check;
  /** `Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`, or `Invalid` when the simulator refused the request. */
  result: string;
  detail?: string;
}

export async function simulate(principal: Principal, check: Check, resourcePolicy?: PolicyDocument): Promise<Outcome> {
  const simulation: Simulation = {
    request: {
      principal: principal.arn,
      action: check.action,
      resource: { resource: check.resource, accountId: check.resourceAccount ?? accountOf(principal.arn) },
      contextVariables: check.context ?? {},
    },
    identityPolicies: principal.policies.map((p) => ({ name: `${p.kind}:${p.name}`, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const base = { principal: principal.label, check };
  if (check.unvalidated) {
    // The unvalidated runner loads a resource policy without a name, then reads its name: give it one the way
    // iam-policy's loader accepts (a ValidatedPolicy, a plain object).
    const named = resourcePolicy ? { resourcePolicy: { __validated: true, policyDocument: resourcePolicy, metadata: { name: 'resource policy' }, errors: [] } } : {};
    return { ...base, result: runUnsafeSimulation({ ...simulation, ...named }, {}) };
  }
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') return { ...base, result: 'Invalid', detail: JSON.stringify(response.errors) };
  if (response.resultType === 'single' && response.result.ignoredContextKeys && response.result.ignoredContextKeys.length > 0) {
    return { ...base, result: 'Invalid', detail: `context keys not valid for the action: ${response.result.ignoredContextKeys.join(', ')}` };
  }
  return { ...base, result: response.overallResult };
}

/** A role's or user's account, from its ARN. */
export function accountOf(arn: string): string {
  return arn.split(':')[4]!;
}

/** The default key policy: the account's IAM policies decide who may use the key ("Default key policy", AWS KMS). */
export function defaultKeyPolicy(account: string, partition = 'aws'): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'EnableIamPolicies', Effect: 'Allow', Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }],
  };
}

/** One line per outcome, for a failure message. */
export function describeOutcomes(outcomes: Outcome[]): string {
  return outcomes
    .map(({ principal, check, result, detail }) => {
      const context = check.context ? ` ${JSON.stringify(check.context)}` : '';
      return `${result}: ${principal} ${check.action} on ${check.resource}${context}${detail ? ` (${detail})` : ''}\n    per "${check.source}"`;
    })
    .join('\n');
}
