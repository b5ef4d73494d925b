// What a deploy relies on, read from what `npm run package` writes: packaged
// once, offline, without credentials. The expected values below are the
// contract of serverless.yml: change them together.
import { build, type BuildOptions } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentTableDefinition } from '../../functions/adapters/store.ts';
import { parseConfig } from '../../functions/core/config.ts';
import { MANAGED_BY, TAG } from '../../functions/core/model.ts';
import { SERVICE_ACCOUNT_TEMPLATE, serviceAccountTemplate } from '../iam/service-account-template.ts';
import { cfnLint, cfnLintAvailable, describeFindings } from './cfn-lint.ts';
import { environmentOf, exists, PSEUDO, resource, resourcesOfType, roleStatements, type Statement, type Template } from './cloudformation.ts';
import { packageDir, packageStack, projectRoot, type PackagedStack } from './package-stack.ts';
import { extractZip, zipEntryNames } from './zip.ts';

const STACK = 'bluegreen-dev';
const STATE_MACHINE_ARN = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${STACK}-deploy`;
const SSM_ARN = (name: string) => `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter${name}`;

const FUNCTIONS = [
  { name: 'webhook', id: 'WebhookLambdaFunction', role: 'WebhookRole', memory: 1024, timeout: 10, secrets: ['GITHUB_WEBHOOK_SECRET_PARAM', 'GITHUB_WEBHOOK_PREVIOUS_SECRET_PARAM'] },
  { name: 'slack', id: 'SlackLambdaFunction', role: 'SlackRole', memory: 1024, timeout: 10, secrets: ['SLACK_SIGNING_SECRET_PARAM', 'SLACK_BOT_TOKEN_PARAM'] },
  { name: 'alarm', id: 'AlarmLambdaFunction', role: 'AlarmRole', memory: 512, timeout: 30, secrets: [] },
  { name: 'sweep', id: 'SweepLambdaFunction', role: 'SweepRole', memory: 512, timeout: 60, secrets: [] },
  { name: 'step', id: 'StepLambdaFunction', role: 'StepRole', memory: 1024, timeout: 120, secrets: ['SLACK_BOT_TOKEN_PARAM'] },
] as const;

const ROLES = ['DeployStateMachineRole', ...FUNCTIONS.map((f) => f.role)];

/** Actions without resource-level permissions: AWS accepts only "*" for them (Service Authorization Reference). */
const UNSCOPABLE: Record<string, string[]> = {
  // Promote, roll back, abort; the webhook aborts for `onPush: supersede`; a hold rolls back for an alarm it reads in ALARM.
  'states:SendTaskSuccess': ['SlackRole', 'AlarmRole', 'WebhookRole', 'StepRole'],
  'logs:CreateLogDelivery': ['DeployStateMachineRole'],
  'logs:GetLogDelivery': ['DeployStateMachineRole'],
  'logs:UpdateLogDelivery': ['DeployStateMachineRole'],
  'logs:DeleteLogDelivery': ['DeployStateMachineRole'],
  'logs:ListLogDeliveries': ['DeployStateMachineRole'],
  'logs:PutResourcePolicy': ['DeployStateMachineRole'],
  'logs:DescribeResourcePolicies': ['DeployStateMachineRole'],
  'logs:DescribeLogGroups': ['DeployStateMachineRole'],
};

/**
 * What bluegreen creates (`bg-` names) and the rules under the configured listeners; and any rule, for tagging
 * at creation only (CreateRule itself is allowed on the configured listeners only).
 */
const MANAGED_RESOURCE = /:targetgroup\/bg-\*\/\*$|:autoScalingGroupName\/bg-\*$|:alarm:bg-\*$|:listener-rule\/app\/[\w-]+\/\w+\/\w+\/\*$|:listener-rule\/app\/\*$/;

const isRead = (action: string) => /^[\w-]+:(Describe|List|Get)\w*$/.test(action);
const service = (action: string) => action.split(':')[0]!;

const config = parseConfig(JSON.parse(readFileSync(join(projectRoot, 'services.json'), 'utf8')));
const inAccount = config.services.filter((s) => !s.roleArn);
const configuredListeners = inAccount.map((s) => s.listener.listenerArn);
const configuredTemplates = inAccount.map((s) => `arn:aws:ec2:us-east-1:${s.listener.listenerArn.split(':')[4]}:launch-template/${s.launchTemplate.id}`);

let packagingStartedAt: number;
let packaged: PackagedStack;
let template: Template;
let statements: Map<string, Statement[]>;

beforeAll(() => {
  packagingStartedAt = Math.floor(Date.now() / 1000) * 1000;
  packaged = packageStack();
  template = packaged.template;
  statements = new Map(ROLES.map((role) => [role, roleStatements(template, role)]));
}, 180_000);

/** The rule with an event pattern: alarm state changes (the other rule is the sweep's schedule). */
const alarmRuleOf = (t: Template) => resourcesOfType(t, 'AWS::Events::Rule').filter(([, r]) => r.Properties.EventPattern !== undefined);

const all = () => [...statements.entries()].flatMap(([role, list]) => list.map((statement) => ({ role, statement })));
const grantsOf = (action: string) => all().filter(({ statement }) => statement.Action.includes(action));

describe('npm run package', () => {
  it('writes .serverless/cloudformation-template-update-stack.json afresh', () => {
    expect(statSync(join(packageDir, 'cloudformation-template-update-stack.json')).mtimeMs).toBeGreaterThanOrEqual(packagingStartedAt);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(20);
  });
});

describe('the deployment workflow', () => {
  it('is a Standard state machine defined by statemachines/deploy.asl.json with the step function substituted', () => {
    const machine = resource(template, 'DeployStateMachine', 'AWS::StepFunctions::StateMachine').Properties;
    const asl: unknown = JSON.parse(readFileSync(join(projectRoot, 'statemachines/deploy.asl.json'), 'utf8'));

    expect(machine.StateMachineType).toBe('STANDARD');
    expect(machine.StateMachineName).toBe(`${STACK}-deploy`);
    expect(JSON.parse(machine.DefinitionString as string)).toEqual(asl);
    expect(machine.DefinitionSubstitutions).toEqual({ StepFunctionArn: { 'Fn::GetAtt': ['StepLambdaFunction', 'Arn'] } });
    expect(machine.RoleArn).toEqual({ 'Fn::GetAtt': ['DeployStateMachineRole', 'Arn'] });
  });

  it('calls nothing but the step function: every Task is one call of it', () => {
    const definition = JSON.parse(resource(template, 'DeployStateMachine', 'AWS::StepFunctions::StateMachine').Properties.DefinitionString as string) as Asl;
    const tasks = taskStates(definition.States);

    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, task] of tasks) {
      const target = task.Resource === '${StepFunctionArn}' ? task.Resource : task.Parameters?.FunctionName;
      expect(target, `state ${name}`).toBe('${StepFunctionArn}');
      expect(task.Resource, `state ${name}`).toMatch(/^(\$\{StepFunctionArn\}|arn:aws:states:::lambda:invoke(\.waitForTaskToken)?)$/);
    }
  });

  it('runs under a role that may invoke the step function and nothing else', () => {
    const role = resource(template, 'DeployStateMachineRole', 'AWS::IAM::Role').Properties;
    const granted = statements.get('DeployStateMachineRole')!;
    const invoke = granted.filter((s) => s.Action.some((a) => !a.startsWith('logs:')));

    expect(role.AssumeRolePolicyDocument).toMatchObject({ Statement: [{ Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    expect(invoke).toEqual([{ Sid: 'InvokeTheStepFunctionOnly', Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: ['GetAtt:StepLambdaFunction.Arn'] }]);
    expect(granted.flatMap((s) => s.Action).filter((a) => a.startsWith('logs:')).sort()).toEqual(Object.keys(UNSCOPABLE).filter((a) => a.startsWith('logs:')).sort());
  });

  it('logs errors to CloudWatch Logs, without execution data', () => {
    const logging = resource(template, 'DeployStateMachine', 'AWS::StepFunctions::StateMachine').Properties.LoggingConfiguration;

    expect(logging).toEqual({
      Level: 'ERROR',
      IncludeExecutionData: false,
      Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['DeployStateMachineLogGroup', 'Arn'] } } }],
    });
    expect(resource(template, 'DeployStateMachineLogGroup', 'AWS::Logs::LogGroup').Properties.LogGroupName).toBe(`/aws/vendedlogs/states/${STACK}-deploy`);
  });
});

describe('the functions', () => {
  it('are exactly webhook, slack, alarm, sweep and step', () => {
    expect(resourcesOfType(template, 'AWS::Lambda::Function').map(([id]) => id).filter((id) => exists(template, id)).sort()).toEqual(FUNCTIONS.map((f) => f.id).sort());
  });

  it.each(FUNCTIONS)('$name runs on nodejs22.x, arm64, with $memory MB for $timeout s under its own role', (fn) => {
    const p = resource(template, fn.id, 'AWS::Lambda::Function').Properties;

    expect(p).toMatchObject({
      Handler: `functions/${fn.name}.handler`,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: fn.memory,
      Timeout: fn.timeout,
      Role: { 'Fn::GetAtt': [fn.role, 'Arn'] },
    });
  });

  it.each(FUNCTIONS)('$name is configured by the table, the state machine and the services.json it ships with', (fn) => {
    const env = environmentOf(template, fn.id);

    expect(env).toMatchObject({
      TABLE_NAME: 'DeploymentsTable-stand-in',
      STATE_MACHINE_ARN: `arn:aws:states:us-east-1:${PSEUDO['AWS::AccountId']}:stateMachine:${STACK}-deploy`,
      BLUEGREEN_CONFIG_FILE: 'services.json',
      POWERTOOLS_SERVICE_NAME: 'bluegreen',
      LOG_LEVEL: 'INFO',
    });
  });

  it.each(FUNCTIONS)('$name is packaged as its bundle, its source map and services.json, nothing else', (fn) => {
    expect(zipEntryNames(packaged.zipOf(fn.name)).sort()).toEqual(['functions/' + fn.name + '.mjs', 'functions/' + fn.name + '.mjs.map', 'services.json']);
  });

  describe('bundles', () => {
    let unpacked: string;
    beforeAll(() => {
      unpacked = mkdtempSync(join(tmpdir(), 'bluegreen-packages-'));
    });
    afterAll(() => rmSync(unpacked, { recursive: true, force: true }));

    it.each(FUNCTIONS)('$name initialises in a fresh Node process with the environment of its template, as Lambda would', (fn) => {
      // Prepare: unpack as into /var/task.
      const taskRoot = join(unpacked, fn.name);
      extractZip(packaged.zipOf(fn.name), taskRoot);

      // Act: import the handler module (Lambda's init), offline credentials only.
      const run = spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import('./functions/${fn.name}.mjs'); console.log(typeof m.handler);`],
        {
          cwd: taskRoot,
          encoding: 'utf8',
          timeout: 30_000,
          env: {
            PATH: process.env.PATH,
            ...environmentOf(template, fn.id),
            AWS_REGION: 'us-east-1',
            AWS_ACCESS_KEY_ID: 'packaging-test',
            AWS_SECRET_ACCESS_KEY: 'packaging-test',
            AWS_EC2_METADATA_DISABLED: 'true',
          },
        },
      );

      // Assess
      expect({ status: run.status, handler: run.stdout.trim() }, run.stderr).toEqual({ status: 0, handler: 'function' });
    });

    it('keep class names through minification: Step Functions Retry/Catch match error.name', async () => {
      // Prepare: the esbuild options osls used, on the module that defines the named errors.
      const outfile = join(unpacked, 'errors.mjs');
      await build({ ...esbuildOptionsOf(packaged), entryPoints: [join(projectRoot, 'functions/core/errors.ts')], outfile, logLevel: 'error' });

      // Act: instantiate every exported error class in a fresh process.
      const probe = `const m = await import(${JSON.stringify(pathToFileURL(outfile).href)});
        const errors = Object.entries(m).filter(([, C]) => typeof C === 'function' && C.prototype instanceof Error);
        console.log(JSON.stringify(errors.map(([exported, C]) => [exported, new C('x').name])));`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });

      // Assess
      const names = JSON.parse(run.stdout || '[]') as [string, string][];
      expect(names.length, run.stderr).toBeGreaterThan(10);
      for (const [exported, name] of names) expect(name).toBe(exported);
    });
  });
});

describe('the smoke-test probe, without the probe parameters (the default)', () => {
  it('is not created: the probe function, its role and its log group are all on HasProbe, which is false', () => {
    const probeResources = Object.entries(template.Resources).filter(([id]) => id.startsWith('Probe'));

    expect(probeResources.map(([id]) => id).sort()).toEqual(['ProbeLambdaFunction', 'ProbeLogGroup', 'ProbeRole']);
    for (const [id, r] of probeResources) expect(r.Condition, id).toBe('HasProbe');
    expect(exists(template, 'ProbeLambdaFunction')).toBe(false);
  });

  it('leaves the step function without a probe to call and without any lambda:InvokeFunction grant', () => {
    expect(environmentOf(template, 'StepLambdaFunction')).not.toHaveProperty('PROBE_FUNCTION');
    expect(grantsOf('lambda:InvokeFunction').map(({ role }) => role)).toEqual(['DeployStateMachineRole']);
  });

  it('is packaged all the same, and its bundle answers a smoke check against a real server from a fresh Node process', async () => {
    // Prepare: the load balancer, and the probe's package unpacked as into /var/task.
    const server = createServer((req, res) => res.writeHead(200).end(JSON.stringify({ version: req.headers['x-client-mode'] === 'green' ? '2.0.0' : '1.0.0' })));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taskRoot = mkdtempSync(join(tmpdir(), 'bluegreen-probe-'));
    try {
      expect(zipEntryNames(packaged.zipOf('probe')).sort()).toEqual(['functions/probe.mjs', 'functions/probe.mjs.map', 'services.json']);
      extractZip(packaged.zipOf('probe'), taskRoot);
      const event = {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
        headers: { 'x-client-mode': 'green' },
        timeoutMs: 5_000,
        expectStatus: 200,
        version: { field: 'version', expected: '2.0.0' },
      };

      // Act: Lambda's init and one invocation, offline (the child must not block this process's server).
      const run = spawn(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import('./functions/probe.mjs'); console.log(JSON.stringify(await m.handler(${JSON.stringify(event)})));`],
        { cwd: taskRoot, env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', LOG_LEVEL: 'ERROR' } },
      );
      let stdout = '';
      let stderr = '';
      run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const status = await new Promise<number | null>((resolve) => run.on('close', resolve));

      // Assess
      expect({ status, verdict: stdout.trim().split('\n').at(-1) }, stderr).toEqual({ status: 0, verdict: JSON.stringify({ passed: true, status: 200 }) });
    } finally {
      rmSync(taskRoot, { recursive: true, force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 30_000);
});

describe('the triggers', () => {
  it('route POST /github to webhook and both Slack endpoints to slack over one HTTP API', () => {
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => {
      const integrationId = ((r.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1]).Ref;
      const uri = resource(template, integrationId, 'AWS::ApiGatewayV2::Integration').Properties.IntegrationUri as { 'Fn::GetAtt': string[] };
      return [r.Properties.RouteKey, uri['Fn::GetAtt'][0]];
    });

    expect(routes.sort()).toEqual([
      ['POST /github', 'WebhookLambdaFunction'],
      ['POST /slack/commands', 'SlackLambdaFunction'],
      ['POST /slack/interactivity', 'SlackLambdaFunction'],
    ]);
  });

  it('send CloudWatch alarm state changes of bg- alarms to the alarm function, which EventBridge may invoke', () => {
    const rules = alarmRuleOf(template);
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com' && JSON.stringify(p.Properties.FunctionName).includes('AlarmLambdaFunction'),
    );

    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      detail: { alarmName: [{ prefix: 'bg-' }] },
    });
    expect(rule.Properties.Targets).toMatchObject([{ Arn: { 'Fn::GetAtt': ['AlarmLambdaFunction', 'Arn'] } }]);
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties).toMatchObject({ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['AlarmLambdaFunction', 'Arn'] } });
    expect(JSON.stringify(permissions[0]![1].Properties.SourceArn)).toContain(rule.Properties.Name as string);
  });
});

describe('the sweep', () => {
  it('runs every 5 minutes on an EventBridge schedule, which may invoke it and nothing else', () => {
    const schedules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression !== undefined);
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes('SweepLambdaFunction'));

    expect(schedules).toHaveLength(1);
    const [id, rule] = schedules[0]!;
    expect(rule.Properties).toMatchObject({ ScheduleExpression: 'rate(5 minutes)', State: 'ENABLED' });
    expect(rule.Properties.Targets).toMatchObject([{ Arn: { 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] } }]);
    expect(permissions.map(([, p]) => p.Properties)).toEqual([
      { FunctionName: { 'Fn::GetAtt': ['SweepLambdaFunction', 'Arn'] }, Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [id, 'Arn'] } },
    ]);
  });

  it('may read and write the lock, start the queued deployment and read executions, nothing more', () => {
    const granted = statements.get('SweepRole')!.filter((s) => !s.Action.every((a) => service(a) === 'logs'));

    expect(granted).toEqual([
      { Sid: 'RecoverLocks', Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], Resource: ['GetAtt:DeploymentsTable.Arn'] },
      { Sid: 'StartQueuedDeployment', Effect: 'Allow', Action: ['states:StartExecution'], Resource: [STATE_MACHINE_ARN] },
      { Sid: 'CheckLockExecutions', Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: [`${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:*`] },
    ]);
  });
});

describe('alarm state changes of the services in other accounts', () => {
  const serviceAccounts = [...new Set(config.services.flatMap((s) => (s.roleArn ? [s.roleArn.split(':')[4]] : [])))];

  it('reach the default bus from the accounts of the services.json roleArns only, and only as alarm state changes', () => {
    const policies = resourcesOfType(template, 'AWS::Events::EventBusPolicy');

    expect(serviceAccounts.length).toBeGreaterThan(0);
    expect(policies).toHaveLength(1);
    const [, policy] = policies[0]!;
    expect(policy.Condition).toBe('HasServiceRoles');
    expect(policy.Properties.EventBusName).toBeUndefined(); // the default bus
    expect(policy.Properties.Statement).toEqual({
      Effect: 'Allow',
      Principal: { AWS: serviceAccounts },
      Action: 'events:PutEvents',
      Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default' },
      Condition: {
        'ForAllValues:StringEquals': { 'events:source': 'aws.cloudwatch', 'events:detail-type': 'CloudWatch Alarm State Change' },
        Null: { 'events:source': 'false', 'events:detail-type': 'false' },
      },
    });
  });

  it('are forwarded by service-account.yml with the pattern the alarm function matches on, to this stack\'s default bus', () => {
    const [, alarmRule] = alarmRuleOf(template)[0]!;
    const pattern = alarmRule.Properties.EventPattern as Record<string, unknown>;
    const forward = serviceAccountTemplate().Resources.ForwardAlarmStateChanges!.Properties as { EventPattern: unknown; Targets: { Arn: unknown }[] };

    // A forwarded event keeps its source, detail-type and detail (only `account` differs), so the same pattern
    // without an `account` field matches it on this bus.
    expect(forward.EventPattern).toEqual(pattern);
    expect(Object.keys(pattern).sort()).toEqual(['detail', 'detail-type', 'source']);
    expect(JSON.stringify(forward.Targets[0]!.Arn)).toContain(':event-bus/default');
  });
});

describe('cfn-lint', () => {
  it.each([
    { what: 'the packaged template', path: () => join(packageDir, 'cloudformation-template-update-stack.json') },
    { what: 'service-account.yml', path: () => SERVICE_ACCOUNT_TEMPLATE },
  ])('finds no error in $what', ({ path }) => {
    expect(cfnLintAvailable(), 'cfn-lint is not installed: pip install cfn-lint (.ci/run does)').toBe(true);

    const errors = cfnLint(path()).filter((f) => f.level === 'Error');

    expect(errors, describeFindings(errors)).toEqual([]);
  }, 120_000);
});

describe('the deployment store', () => {
  it('is the table functions/adapters/store.ts expects, with TTL on `ttl` and point-in-time recovery', () => {
    const table = resource(template, 'DeploymentsTable', 'AWS::DynamoDB::Table').Properties;
    const expected = deploymentTableDefinition('unused');

    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.BillingMode).toBe(expected.BillingMode);
    expect(table.KeySchema).toEqual(expected.KeySchema);
    expect(table.AttributeDefinitions).toEqual(expected.AttributeDefinitions);
    expect(table.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
  });
});

describe('IAM', () => {
  it('gives the state machine and every function a role of its own, and no other role exists', () => {
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([id]) => id).filter((id) => exists(template, id)).sort()).toEqual([...ROLES].sort());
  });

  it('grants no wildcard action', () => {
    for (const { role, statement } of all()) {
      expect(statement.Effect, `${role} ${statement.Sid}`).toBe('Allow');
      for (const action of statement.Action) expect(action, `${role} ${statement.Sid}`).toMatch(/^[\w-]+:[A-Za-z]+$/);
    }
  });

  it('puts Resource "*" only on Describe/List/Get actions and on actions AWS cannot scope, each only where needed', () => {
    for (const { role, statement } of all().filter(({ statement }) => statement.Resource.includes('*'))) {
      for (const action of statement.Action) {
        const allowed = isRead(action) || (UNSCOPABLE[action]?.includes(role) ?? false);
        expect(allowed, `${role} ${statement.Sid}: ${action} on "*"`).toBe(true);
      }
    }
  });

  it('conditions every ELBv2, Auto Scaling and CloudWatch write on the managed-by tag, except on the configured listeners themselves', () => {
    const writes = all().filter(({ statement }) => statement.Action.some((a) => ['elasticloadbalancing', 'autoscaling', 'cloudwatch'].includes(service(a)) && !isRead(a)));

    expect(writes.length).toBeGreaterThan(5);
    for (const { role, statement } of writes) {
      const where = `${role} ${statement.Sid}`;
      const tagged = statement.Condition?.StringEquals ?? {};
      const onTag = [`aws:ResourceTag/${TAG.managedBy}`, `aws:RequestTag/${TAG.managedBy}`].filter((key) => tagged[key] === MANAGED_BY);
      if (onTag.length === 0) {
        expect(statement.Action, where).toEqual(['elasticloadbalancing:ModifyListener']);
        expect(statement.Resource, where).toEqual(configuredListeners);
        continue;
      }
      expect(onTag, where).toHaveLength(1);
      for (const r of statement.Resource) {
        expect(configuredListeners.includes(r) || MANAGED_RESOURCE.test(r), `${where}: ${r}`).toBe(true);
      }
    }
  });

  it('changes the listeners and launch templates of services.json and no others', () => {
    const resourcesFor = (action: string) => grantsOf(action).flatMap(({ statement }) => statement.Resource);

    expect(resourcesFor('elasticloadbalancing:ModifyListener')).toEqual(configuredListeners);
    expect(resourcesFor('elasticloadbalancing:CreateRule')).toEqual(configuredListeners);
    expect(resourcesFor('elasticloadbalancing:DeleteRule')).toEqual(configuredListeners.map((arn) => `${arn.replace(':listener/', ':listener-rule/')}/*`));
    expect(resourcesFor('ec2:CreateLaunchTemplateVersion')).toEqual(configuredTemplates);
    expect(resourcesFor('ec2:DeleteLaunchTemplateVersions')).toEqual(configuredTemplates);
    const [launch] = grantsOf('ec2:RunInstances');
    expect(launch?.statement.Condition).toEqual({ ArnLike: { 'ec2:LaunchTemplate': configuredTemplates } });
  });

  it('assumes only the roles services.json names, from the step function', () => {
    const assume = grantsOf('sts:AssumeRole');

    expect(assume.map(({ role }) => role)).toEqual(['StepRole']);
    expect(assume[0]!.statement.Resource).toEqual(config.services.flatMap((s) => (s.roleArn ? [s.roleArn] : [])));
  });

  it('passes no IAM role when no instance role is configured, and creates only Auto Scaling\'s service-linked role', () => {
    const iam = all().filter(({ statement }) => statement.Action.some((a) => service(a) === 'iam'));

    expect(iam.map(({ role, statement }) => ({ role, ...statement }))).toEqual([
      {
        role: 'StepRole',
        Sid: 'CreateAutoScalingServiceLinkedRole',
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: ['arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling'],
        Condition: { StringEquals: { 'iam:AWSServiceName': 'autoscaling.amazonaws.com' } },
      },
    ]);
  });

  it('reads only AWS\'s public SSM parameters as images when no image parameter is configured', () => {
    const reads = grantsOf('ssm:GetParameters');

    expect(reads.map(({ role, statement }) => [role, statement.Resource])).toEqual([['StepRole', ['arn:${AWS::Partition}:ssm:${AWS::Region}:*:parameter/aws/service/*']]]);
  });

  it('names the step role, so that a service account can trust it, and says its ARN', () => {
    expect(resource(template, 'StepRole', 'AWS::IAM::Role').Properties.RoleName).toBe(`${STACK}-us-east-1-step`);
    expect(template.Outputs?.StepRoleArn?.Value).toEqual({ 'Fn::GetAtt': ['StepRole', 'Arn'] });
  });

  it('starts executions of this state machine only, from the webhook (a push), the step function and the sweep (the queued push)', () => {
    const starts = grantsOf('states:StartExecution');

    expect(starts.map(({ role }) => role).sort()).toEqual(['StepRole', 'SweepRole', 'WebhookRole']);
    for (const { statement } of starts) expect(statement.Resource).toEqual([STATE_MACHINE_ARN]);
  });

  it.each(FUNCTIONS)('$name reads its own secrets by parameter name, and only those', (fn) => {
    const env = environmentOf(template, fn.id);
    const granted = statements.get(fn.role)!;
    const names = fn.secrets.map((variable) => env[variable]!);

    // Names, never values: every secret-like variable is a *_PARAM holding an SSM parameter name.
    for (const variable of Object.keys(env).filter((k) => /SECRET|TOKEN|PASSWORD|KEY/.test(k))) expect(variable).toMatch(/_PARAM$/);
    expect(Object.keys(env).filter((k) => k.endsWith('_PARAM')).sort()).toEqual([...fn.secrets].sort());
    for (const name of names) expect(name).toMatch(/^\/bluegreen\/dev\/[\w/-]+$/);
    // IAM reads exactly those parameters, and decrypts only through SSM for them.
    const reads = granted.filter((s) => s.Action.includes('ssm:GetParameter')).flatMap((s) => s.Resource);
    expect(reads.sort()).toEqual(names.map(SSM_ARN).sort());
    for (const decrypt of granted.filter((s) => s.Action.includes('kms:Decrypt'))) {
      expect(decrypt.Condition?.StringEquals).toMatchObject({ 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } });
      const context = [decrypt.Condition?.StringEquals?.['kms:EncryptionContext:PARAMETER_ARN']].flat().map((v) => (v as { 'Fn::Sub': string })['Fn::Sub']);
      expect(context.sort()).toEqual(names.map(SSM_ARN).sort());
    }
    expect(granted.some((s) => s.Action.includes('kms:Decrypt'))).toBe(names.length > 0);
  });

  it.each(FUNCTIONS)('$name writes only its own log group and uses only the deployment table', (fn) => {
    const granted = statements.get(fn.role)!;

    expect(granted.filter((s) => s.Action.some((a) => service(a) === 'logs')).flatMap((s) => s.Resource)).toEqual([
      `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${STACK}-${fn.name}:*`,
    ]);
    expect(granted.filter((s) => s.Action.some((a) => service(a) === 'dynamodb')).flatMap((s) => s.Resource)).toEqual(['GetAtt:DeploymentsTable.Arn']);
  });
});

interface AslState {
  Type: string;
  Resource?: string;
  Parameters?: { FunctionName?: string };
  Branches?: Asl[];
  ItemProcessor?: Asl;
  Iterator?: Asl;
}
interface Asl {
  States: Record<string, AslState>;
}

/** Task states, nested ones (Parallel branches, Map processors) included. */
function taskStates(states: Record<string, AslState>): [string, AslState][] {
  return Object.entries(states).flatMap(([name, state]): [string, AslState][] => [
    ...(state.Type === 'Task' ? [[name, state] as [string, AslState]] : []),
    ...[...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : []), ...(state.Iterator ? [state.Iterator] : [])].flatMap((a) => taskStates(a.States)),
  ]);
}

/** The esbuild options of custom.esbuild that are esbuild's own (the plugin adds a few of its own). */
function esbuildOptionsOf(stack: PackagedStack): BuildOptions {
  const { outputFileExtension: _extension, exclude: _exclude, ...options } = stack.service.custom.esbuild;
  return options;
}
