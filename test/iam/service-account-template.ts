// service-account.yml, read the way CloudFormation reads it (YAML with the
// short-form intrinsic tags), and deployed on paper in one service account.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { policiesOf, type PolicyDocument, type RolePolicy, type Template } from '../packaging/cloudformation.ts';
import { evaluate, type Deployment } from '../packaging/intrinsics.ts';
import { projectRoot } from '../packaging/package-stack.ts';

export const SERVICE_ACCOUNT_TEMPLATE = join(projectRoot, 'service-account.yml');

/** osls' own YAML reader: js-yaml with the CloudFormation schema (`!Sub`, `!Ref`, …). */
const parse = createRequire(import.meta.url)('osls/lib/utils/fs/parse.js') as (path: string, contents: string) => unknown;

export function serviceAccountTemplate(): Template {
  return parse(SERVICE_ACCOUNT_TEMPLATE, readFileSync(SERVICE_ACCOUNT_TEMPLATE, 'utf8')) as Template;
}

export interface ServiceAccountStack {
  deployment: Deployment;
  deployer: { arn: string; policies: RolePolicy[]; trust: PolicyDocument };
  forwarder: { arn: string; policies: RolePolicy[] };
  /** The forwarding rule as EventBridge would hold it. */
  rule: { EventPattern: unknown; Targets: { Arn: string; RoleArn: string }[] };
}

/** The stack service-account.yml makes in `account` with these parameters. */
export function deployServiceAccount(template: Template, account: string, parameters: Record<string, string>): ServiceAccountStack {
  const deployment: Deployment = { partition: 'aws', region: 'us-east-1', account, stackName: 'bluegreen-service-account', parameters };
  const attribute = (id: string, name: string) => evaluate(template, deployment, { 'Fn::GetAtt': [id, name] }) as string;
  const properties = (id: string) => evaluate(template, deployment, template.Resources[id]!.Properties) as Record<string, unknown>;
  return {
    deployment,
    deployer: {
      arn: attribute('DeployerRole', 'Arn'),
      policies: policiesOf(template, deployment, 'DeployerRole'),
      trust: properties('DeployerRole').AssumeRolePolicyDocument as PolicyDocument,
    },
    forwarder: { arn: attribute('AlarmForwardingRole', 'Arn'), policies: policiesOf(template, deployment, 'AlarmForwardingRole') },
    rule: properties('ForwardAlarmStateChanges') as ServiceAccountStack['rule'],
  };
}
