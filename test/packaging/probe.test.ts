// The smoke-test probe as a deploy gets it: `npm run package` with the probe
// parameters (offline, without credentials) creates the probe function in
// exactly those subnets and security groups, under a role that allows only
// its logs and the networking Lambda does with it, and lets the step function
// invoke that function and no other. Packaging refuses a `smokeTest.from:
// "vpc"` the stack has no probe for, and half of the parameters.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLint, cfnLintAvailable, describeFindings } from './cfn-lint.ts';
import { environmentOf, exists, resource, resourcesOfType, roleStatements, type Template } from './cloudformation.ts';
import { evaluate } from './intrinsics.ts';
import { packageStack, projectRoot } from './package-stack.ts';

const STACK = 'bluegreen-dev';
const SUBNETS = ['subnet-0a1b2c3d4e5f67890', 'subnet-1a2b3c4d5e6f78901'];
const SECURITY_GROUPS = ['sg-0123456789abcdef0', 'sg-1123456789abcdef0'];
const PARAMS = { probeSubnetIds: SUBNETS.join(','), probeSecurityGroupIds: SECURITY_GROUPS.join(',') };
const DEPLOYMENT = { partition: 'aws', region: 'us-east-1', account: '123456789012', stackName: STACK };

/** The project's services.json, its first service (a header canary) smoke-tested from the VPC. */
function servicesFromVpc(): { services: Record<string, unknown>[] } {
  const example = JSON.parse(readFileSync(join(projectRoot, 'services.json'), 'utf8')) as { services: Record<string, unknown>[] };
  const [first, ...rest] = example.services;
  return { services: [{ ...first, smokeTest: { url: 'http://internal-checkout.example.internal/version', versionField: 'version', from: 'vpc' } }, ...rest] };
}

let template: Template;
let scratch: string;

beforeAll(() => {
  template = packageStack({ services: servicesFromVpc(), params: PARAMS }).template;
  scratch = mkdtempSync(join(tmpdir(), 'bluegreen-probe-template-'));
}, 180_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run package with probeSubnetIds and probeSecurityGroupIds', () => {
  it('creates the probe function in those subnets and security groups, under its own role', () => {
    const fn = resource(template, 'ProbeLambdaFunction', 'AWS::Lambda::Function');

    expect(exists(template, 'ProbeLambdaFunction')).toBe(true);
    expect(fn.Properties).toMatchObject({
      Handler: 'functions/probe.handler',
      FunctionName: `${STACK}-probe`,
      Runtime: 'nodejs22.x',
      Role: { 'Fn::GetAtt': ['ProbeRole', 'Arn'] },
    });
    // Longer than the request's own 10 s timeout, so a slow listener is a verdict, not a crash.
    expect(fn.Properties.Timeout as number).toBeGreaterThan(10);
    expect(evaluate(template, DEPLOYMENT, fn.Properties.VpcConfig)).toEqual({ SubnetIds: SUBNETS, SecurityGroupIds: SECURITY_GROUPS });
    expect(exists(template, 'ProbeRole')).toBe(true);
    expect(exists(template, 'ProbeLogGroup')).toBe(true);
  });

  it('keeps every other function out of any VPC', () => {
    const inVpc = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.VpcConfig !== undefined);

    expect(inVpc.map(([id]) => id)).toEqual(['ProbeLambdaFunction']);
  });

  it('gives the probe\'s role its own logs and the VPC networking Lambda does with it (AWSLambdaVPCAccessExecutionRole), nothing else', () => {
    const statements = roleStatements(template, 'ProbeRole');

    expect(resource(template, 'ProbeRole', 'AWS::IAM::Role').Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(resource(template, 'ProbeRole', 'AWS::IAM::Role').Properties.ManagedPolicyArns).toBeUndefined();
    expect(statements).toEqual([
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${STACK}-probe:*`],
      },
      {
        Sid: 'AttachToTheVpc',
        Effect: 'Allow',
        Action: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        Resource: ['*'],
      },
    ]);
  });

  it('lets the step function invoke the probe function and no other, and names it in the step function\'s environment', () => {
    const invokes = resourcesOfType(template, 'AWS::IAM::Role')
      .filter(([id]) => exists(template, id))
      .flatMap(([id]) => roleStatements(template, id).map((statement) => ({ role: id, statement })))
      .filter(({ statement }) => statement.Action.includes('lambda:InvokeFunction'));

    expect(invokes.map(({ role, statement }) => [role, statement.Sid, statement.Action, statement.Resource])).toEqual([
      ['DeployStateMachineRole', 'InvokeTheStepFunctionOnly', ['lambda:InvokeFunction'], ['GetAtt:StepLambdaFunction.Arn']],
      ['StepRole', 'InvokeTheProbeOnly', ['lambda:InvokeFunction'], ['GetAtt:ProbeLambdaFunction.Arn']],
    ]);
    expect(environmentOf(template, 'StepLambdaFunction').PROBE_FUNCTION).toBe('ProbeLambdaFunction-stand-in');
    expect(evaluate(template, DEPLOYMENT, { Ref: 'ProbeLambdaFunction' })).toBe(`${STACK}-probe`);
  });

  it('finds no cfn-lint error in the template', () => {
    expect(cfnLintAvailable(), 'cfn-lint is not installed: pip install cfn-lint (.ci/run does)').toBe(true);
    const path = join(scratch, 'cloudformation-template-update-stack.json');
    writeFileSync(path, JSON.stringify(template, null, 2));

    const errors = cfnLint(path).filter((f) => f.level === 'Error');

    expect(errors, describeFindings(errors)).toEqual([]);
  }, 120_000);
});

describe('npm run package refuses', () => {
  it.each<{ what: string; services: unknown; params: Record<string, string>; message: string }>([
    {
      what: 'a smoke test from the VPC when the stack has no probe function, naming the field and the parameters',
      services: servicesFromVpc(),
      params: {},
      message: 'services[0].smokeTest.from: "vpc" needs the stack\'s probe function: deploy with the probeSubnetIds and probeSecurityGroupIds parameters',
    },
    {
      what: 'subnets without security groups',
      services: servicesFromVpc(),
      params: { probeSubnetIds: SUBNETS.join(',') },
      message: 'the probe function needs both probeSubnetIds and probeSecurityGroupIds (comma-separated IDs), or neither',
    },
    {
      what: 'a list with spaces',
      services: servicesFromVpc(),
      params: { ...PARAMS, probeSecurityGroupIds: SECURITY_GROUPS.join(', ') },
      message: `probeSecurityGroupIds: not an ID: " ${SECURITY_GROUPS[1]}" (comma-separated, no spaces)`,
    },
  ])('$what', ({ services, params, message }) => {
    expect(() => packageStack({ services, params })).toThrow(message);
  }, 180_000);
});
