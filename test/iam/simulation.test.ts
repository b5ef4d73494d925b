// Every row of the authorization table (test/iam/authorization.ts), simulated
// with an IAM policy engine against the roles of the packaged stack, for a
// large account (test/iam/fleet-of-services.ts: 50 services in the stack's
// account, 2 in other accounts reached through service-account.yml). A denied
// check is a call that fails on AWS; the failure lists every one of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policiesOf, resource, resourcesOfType, environmentOf, type PolicyDocument, type RolePolicy, type Template } from '../packaging/cloudformation.ts';
import { evaluate, type Deployment } from '../packaging/intrinsics.ts';
import { packageStack } from '../packaging/package-stack.ts';
import { CALLS, checksFor, type Caller, type Check, type StackWorld, type World } from './authorization.ts';
import { fleetOfServices, IN_ACCOUNT_SERVICES, STACK } from './fleet-of-services.ts';
import { deployServiceAccount, serviceAccountTemplate, type ServiceAccountStack } from './service-account-template.ts';
import { defaultKeyPolicy, describeOutcomes, simulate, type Outcome, type Principal } from './simulate.ts';

const ROLES: Partial<Record<Caller, { role: string; fn?: string }>> = {
  webhook: { role: 'WebhookRole', fn: 'WebhookLambdaFunction' },
  slack: { role: 'SlackRole', fn: 'SlackLambdaFunction' },
  alarm: { role: 'AlarmRole', fn: 'AlarmLambdaFunction' },
  sweep: { role: 'SweepRole', fn: 'SweepLambdaFunction' },
  step: { role: 'StepRole', fn: 'StepLambdaFunction' },
  probe: { role: 'ProbeRole', fn: 'ProbeLambdaFunction' },
  'state-machine': { role: 'DeployStateMachineRole' },
};

/** IAM and AWS STS quotas (IAM user guide): characters, whitespace not counted. */
const QUOTAS = { rolePolicyCharacters: 10_240, managedPolicyCharacters: 6_144, managedPoliciesPerRole: 10 };

const fleet = fleetOfServices();
const deployment: Deployment = { ...STACK };
let template: Template;
let stack: StackWorld;
let accounts: Map<string, ServiceAccountStack>;
let outcomes: Outcome[];
let value: (v: unknown) => string;

beforeAll(async () => {
  template = packageStack({ services: fleet.config, params: fleet.params }).template;
  value = (v) => evaluate(template, deployment, v) as string;
  const probeVpc = evaluate(template, deployment, resource(template, 'ProbeLambdaFunction', 'AWS::Lambda::Function').Properties.VpcConfig) as { SubnetIds: string[]; SecurityGroupIds: string[] };
  stack = {
    ...STACK,
    tableArn: value({ 'Fn::GetAtt': ['DeploymentsTable', 'Arn'] }),
    stateMachineArn: value({ Ref: 'DeployStateMachine' }),
    stepFunctionArn: value({ 'Fn::GetAtt': ['StepLambdaFunction', 'Arn'] }),
    eventBusArn: `arn:${STACK.partition}:events:${STACK.region}:${STACK.account}:event-bus/default`,
    // The fleet deploys with the probe parameters (fleet-of-services.ts).
    probe: { functionArn: value({ 'Fn::GetAtt': ['ProbeLambdaFunction', 'Arn'] }), subnetIds: probeVpc.SubnetIds, securityGroupIds: probeVpc.SecurityGroupIds },
    secrets: Object.fromEntries(
      Object.entries(ROLES).flatMap(([caller, { fn }]) => {
        if (!fn) return [];
        const parameters = Object.entries(environmentOf(template, fn)).filter(([name]) => name.endsWith('_PARAM'));
        return [[caller, parameters.map(([, name]) => `arn:${STACK.partition}:ssm:${STACK.region}:${STACK.account}:parameter${name}`)]];
      }),
    ),
  };
  const stepRoleArn = value({ 'Fn::GetAtt': ['StepRole', 'Arn'] });
  const saTemplate = serviceAccountTemplate();
  accounts = new Map(fleet.serviceAccounts.map((sa) => [sa.account, deployServiceAccount(saTemplate, sa.account, { ...sa.parameters, StepRoleArn: stepRoleArn })]));
  outcomes = await simulateTable();
}, 240_000);

afterAll(() => undefined);

/** The principal that makes `caller`'s calls for a service: its function's role, or the service account's role. */
function principalFor(caller: Caller, world: World, scope: 'stack' | 'service'): Principal {
  if (scope === 'service' && world.service.roleArn) {
    const sa = accounts.get(world.service.account)!;
    return { label: `service-account.yml DeployerRole (${world.service.account})`, arn: sa.deployer.arn, policies: sa.deployer.policies };
  }
  const { role } = ROLES[caller]!;
  return { label: role, arn: evaluate(template, deployment, { 'Fn::GetAtt': [role, 'Arn'] }) as string, policies: policiesOf(template, deployment, role) };
}

/** The resource policy AWS evaluates beside the identity policy, where there is one. */
function resourcePolicyFor(check: Check, world: World): PolicyDocument | undefined {
  if (check.action === 'sts:AssumeRole') return accounts.get(world.service.account)?.deployer.trust;
  if (check.action === 'kms:Decrypt') return defaultKeyPolicy(stack.account);
  if (check.action === 'events:PutEvents') return eventBusPolicy();
  return undefined;
}

/** The default bus's policy as the stack leaves it: the statements of its AWS::Events::EventBusPolicy resources. */
function eventBusPolicy(): PolicyDocument {
  const statements = resourcesOfType(template, 'AWS::Events::EventBusPolicy').map(
    ([id]) => evaluate(template, deployment, resource(template, id, 'AWS::Events::EventBusPolicy').Properties.Statement) as Record<string, unknown>,
  );
  return { Version: '2012-10-17', Statement: statements };
}

async function simulateTable(): Promise<Outcome[]> {
  const results: Outcome[] = [];
  const services = fleet.worlds.map((service): World => ({ stack, service }));
  for (const row of CALLS) {
    for (const caller of row.callers) {
      if (caller === 'cli') continue;
      if (caller === 'alarm-forwarding') {
        for (const world of services.filter((w) => w.service.roleArn)) {
          const sa = accounts.get(world.service.account)!;
          const principal = { label: `service-account.yml AlarmForwardingRole (${world.service.account})`, arn: sa.forwarder.arn, policies: sa.forwarder.policies };
          for (const check of row.checks(world)) results.push(await simulate(principal, check, resourcePolicyFor(check, world)));
        }
        continue;
      }
      // Stack calls are the same for every service, but sts:AssumeRole differs per role.
      const worlds = row.scope === 'service' || row.call === 'sts:AssumeRole' ? services : services.slice(0, 1);
      for (const world of worlds) {
        const principal = principalFor(caller, world, row.scope);
        for (const check of checksFor(row, caller, world)) results.push(await simulate(principal, check, resourcePolicyFor(check, world)));
      }
    }
  }
  return results;
}

describe('the authorization table, simulated against the packaged roles', () => {
  it('allows every check of every call bluegreen makes, in the stack account and through service-account.yml', () => {
    const denied = outcomes.filter((o) => o.result !== 'Allowed');

    expect(outcomes.length).toBeGreaterThan(1000);
    expect(denied, `denied on AWS:\n${describeOutcomes(denied)}`).toEqual([]);
  });

  it('simulates something for every call an entry point makes, each check citing its AWS page', () => {
    for (const row of CALLS.filter((r) => r.callers.some((c) => c !== 'cli') && r.call !== 'sts:AssumeRole')) {
      expect(outcomes.some((o) => o.check.action === row.call || row.call === 'ssm:GetParameter'), row.call).toBe(true);
    }
    for (const { check } of outcomes) expect(check.source, check.action).toMatch(/\w{6,}/);
  });

  it('covers every in-account service with the step role and every other one with its account role', () => {
    const modifies = outcomes.filter((o) => o.check.action === 'elasticloadbalancing:ModifyListener');

    expect(modifies.filter((o) => o.principal === 'StepRole')).toHaveLength(IN_ACCOUNT_SERVICES);
    expect(modifies.filter((o) => o.principal.startsWith('service-account.yml DeployerRole')).map((o) => o.principal)).toHaveLength(fleet.serviceAccounts.length);
  });

  it('is not vacuous: what lies outside the configured services is denied', async () => {
    const step = principalFor('step', { stack, service: fleet.worlds[0]! }, 'service');
    const other = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
    const probes: Check[] = [
      { action: 'elasticloadbalancing:ModifyListener', resource: `${other}:listener/app/not-configured/50dc6c4900000001/f2f7dc8e00000001`, source: 'probe' },
      { action: 'elasticloadbalancing:DeleteTargetGroup', resource: `${other}:targetgroup/bg-service-01-7/73e2d6bc24d8a067`, source: 'probe (untagged)' },
      { action: 'elasticloadbalancing:AddTags', resource: `${other}:targetgroup/app-owned/73e2d6bc24d8a067`, source: 'probe', unvalidated: 'as in the table' },
      {
        action: 'elasticloadbalancing:AddTags',
        resource: `${other}:listener-rule/app/service-01-alb/50dc6c4900000001/f2f7dc8e00000001/9683b2d02a6cabee`,
        context: { 'aws:RequestTag/bluegreen:managed-by': 'bluegreen' },
        source: 'probe (tagging an existing rule, not at creation)',
        unvalidated: 'as in the table',
      },
      { action: 'ec2:CreateTags', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', source: 'probe (not at launch)' },
      { action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/admin', context: { 'iam:PassedToService': 'ec2.amazonaws.com' }, source: 'probe' },
      { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', context: { 'ec2:LaunchTemplate': 'arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0ffffffffffffffff' }, source: 'probe' },
    ];

    const results = await Promise.all(probes.map((probe) => simulate(step, probe)));

    expect(results.filter((r) => r.result !== 'ImplicitlyDenied'), describeOutcomes(results)).toEqual([]);
  });

  it('lets the step function invoke only the probe, and the probe\'s role do nothing but the VPC networking Lambda does with it', async () => {
    const world = { stack, service: fleet.worlds[0]! };
    const step = principalFor('step', world, 'stack');
    const probe = principalFor('probe', world, 'stack');
    const functionArn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    const denied: [Principal, Check][] = [
      [step, { action: 'lambda:InvokeFunction', resource: value({ 'Fn::GetAtt': ['WebhookLambdaFunction', 'Arn'] }), source: 'probe (another function of the stack)' }],
      [step, { action: 'lambda:InvokeFunction', resource: functionArn('someone-elses-function'), source: 'probe' }],
      [probe, { action: 'lambda:InvokeFunction', resource: stack.stepFunctionArn, source: 'probe' }],
      [probe, { action: 'dynamodb:GetItem', resource: stack.tableArn, source: 'probe' }],
      [probe, { action: 'elasticloadbalancing:DescribeListeners', resource: '*', source: 'probe' }],
      [probe, { action: 'ec2:RunInstances', resource: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', source: 'probe' }],
    ];

    const results = await Promise.all(denied.map(([principal, check]) => simulate(principal, check)));

    expect(results.filter((r) => r.result !== 'ImplicitlyDenied'), describeOutcomes(results)).toEqual([]);
    expect(outcomes.filter((o) => o.principal === 'ProbeRole').map((o) => o.check.action)).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface']));
    expect(outcomes.filter((o) => o.principal === 'StepRole' && o.check.action === 'lambda:InvokeFunction').map((o) => o.check.resource)).toEqual([stack.probe!.functionArn]);
  });

  it('lets only the service accounts put only alarm state changes on the stack bus', async () => {
    const forwarder = (account: string) => ({ label: `forwarder in ${account}`, arn: `arn:aws:iam::${account}:role/forwarder`, policies: [allowPutEvents] });
    const allowPutEvents: RolePolicy = {
      name: 'put',
      kind: 'inline',
      document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: stack.eventBusArn }] },
    };
    const put = (source: string): Check => ({
      action: 'events:PutEvents',
      resource: stack.eventBusArn,
      resourceAccount: stack.account,
      context: { 'events:source': [source], 'events:detail-type': ['CloudWatch Alarm State Change'] },
      source: 'probe',
    });
    const [serviceAccount] = fleet.serviceAccounts;

    const [fromService, otherSource, otherAccount] = await Promise.all([
      simulate(forwarder(serviceAccount!.account), put('aws.cloudwatch'), eventBusPolicy()),
      simulate(forwarder(serviceAccount!.account), put('aws.ec2'), eventBusPolicy()),
      simulate(forwarder('999999999999'), put('aws.cloudwatch'), eventBusPolicy()),
    ]);

    expect([fromService, otherSource, otherAccount].map((o) => o.result)).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });
});

describe('service-account.yml', () => {
  it('forwards alarm state changes to the stack account\'s default bus, in the stack\'s region', () => {
    const sa = fleet.serviceAccounts[0]!;
    const stepRoleArn = evaluate(template, deployment, { 'Fn::GetAtt': ['StepRole', 'Arn'] }) as string;
    const targetOf = (parameters: Record<string, string>) => deployServiceAccount(serviceAccountTemplate(), sa.account, { ...sa.parameters, StepRoleArn: stepRoleArn, ...parameters }).rule.Targets[0]!;

    expect(targetOf({}).Arn).toBe(stack.eventBusArn);
    expect(targetOf({ StackRegion: 'eu-west-1' }).Arn).toBe(`arn:aws:events:eu-west-1:${STACK.account}:event-bus/default`);
    expect(targetOf({}).RoleArn).toBe(accounts.get(sa.account)!.forwarder.arn);
  });
});

describe(`IAM quotas, with ${IN_ACCOUNT_SERVICES} services in the stack account`, () => {
  const size = (document: PolicyDocument) => JSON.stringify(document).length;

  it('keeps every role inside its inline and managed policy limits', () => {
    const roles = [
      ...resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => ({ role: id, policies: policiesOf(template, deployment, id) })),
      ...[...accounts.entries()].flatMap(([account, sa]) => [
        { role: `service-account.yml DeployerRole (${account})`, policies: sa.deployer.policies },
        { role: `service-account.yml AlarmForwardingRole (${account})`, policies: sa.forwarder.policies },
      ]),
    ];

    const report = roles.map(({ role, policies }) => {
      const inline = policies.filter((p) => p.kind === 'inline').reduce((sum, p) => sum + size(p.document), 0);
      const managed = policies.filter((p) => p.kind === 'managed').map((p: RolePolicy) => size(p.document));
      return { role, inline, managed };
    });

    for (const { role, inline, managed } of report) {
      expect(inline, `${role}: inline policies`).toBeLessThanOrEqual(QUOTAS.rolePolicyCharacters);
      expect(managed.length, `${role}: managed policies`).toBeLessThanOrEqual(QUOTAS.managedPoliciesPerRole);
      for (const chars of managed) expect(chars, `${role}: a managed policy`).toBeLessThanOrEqual(QUOTAS.managedPolicyCharacters);
    }
    // The growth goes where the quotas allow it: the step role's managed policies.
    const step = report.find((r) => r.role === 'StepRole')!;
    expect(step.managed.length).toBeGreaterThan(1);
  });
});
