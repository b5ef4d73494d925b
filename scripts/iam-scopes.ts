// The ARNs the functions' IAM policies are scoped to, derived from the
// services configuration: the listeners bluegreen may route, the rules under
// them, the launch templates it may version, the roles it may assume.
// Services with a `roleArn` are reached through that role: they contribute
// only the role, and their own resources are governed by its policy.
import type { Config } from '../functions/core/config.ts';
import { ConfigInvalid } from '../functions/core/errors.ts';

export interface IamScopes {
  listenerArns: string[];
  /** `listener-rule/app/<lb name>/<lb id>/<listener id>/*` for each listener. */
  listenerRuleArns: string[];
  launchTemplateArns: string[];
  roleArns: string[];
}

/** arn:<partition>:elasticloadbalancing:<region>:<account>:listener/app/<lb name>/<lb id>/<listener id> */
const LISTENER_ARN = /^arn:([\w-]+):elasticloadbalancing:([\w-]+):(\d{12}):listener\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+$/;

/** Throws `ConfigInvalid` naming the field when a listener is not an ALB listener of `stackRegion`. */
export function iamScopes(config: Config, stackRegion: string): IamScopes {
  const inAccount = config.services.flatMap((service, index) => (service.roleArn ? [] : [{ service, index }]));
  const listeners = inAccount.map(({ service, index }) => listenerOf(service.listener.listenerArn, `services[${index}].listener.listenerArn`, stackRegion));
  const listenerArns = unique(listeners.map((l) => l.arn));
  return {
    listenerArns,
    listenerRuleArns: listenerArns.map((arn) => `${arn.replace(':listener/', ':listener-rule/')}/*`),
    launchTemplateArns: unique(
      inAccount.map(({ service }, i) => {
        const { partition, region, account } = listeners[i]!;
        return `arn:${partition}:ec2:${region}:${account}:launch-template/${service.launchTemplate.id}`;
      }),
    ),
    roleArns: unique(config.services.flatMap((service) => (service.roleArn ? [service.roleArn] : []))),
  };
}

function listenerOf(arn: string, field: string, stackRegion: string) {
  const match = LISTENER_ARN.exec(arn);
  if (!match) throw new ConfigInvalid(`${field}: not an Application Load Balancer listener ARN: ${arn}`);
  const [, partition, region, account] = match as unknown as [string, string, string, string];
  if (region !== stackRegion) {
    throw new ConfigInvalid(`${field}: the listener is in ${region} but the stack deploys to ${stackRegion}; deploy to ${region}, or reach it through a roleArn`);
  }
  return { arn, partition, region, account };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** What one account's service-account.yml stack is deployed with, for the services of services.json it holds. */
export interface ServiceAccountParameters {
  account: string;
  services: string[];
  parameters: { RoleName: string; ListenerArns: string; LaunchTemplateArns: string };
}

/** The service-account.yml parameters of every account the services' roleArns name (StepRoleArn is the stack's output). */
export function serviceAccountParameters(config: Config): ServiceAccountParameters[] {
  const byAccount = new Map<string, { roleName: string; services: Config['services'] }>();
  for (const service of config.services) {
    if (!service.roleArn) continue;
    const account = service.roleArn.split(':')[4]!;
    const entry = byAccount.get(account) ?? { roleName: service.roleArn.split(':role/')[1]?.split('/').at(-1) ?? '', services: [] };
    entry.services.push(service);
    byAccount.set(account, entry);
  }
  return [...byAccount.entries()].map(([account, { roleName, services }]) => ({
    account,
    services: services.map((s) => s.name),
    parameters: {
      RoleName: roleName,
      ListenerArns: unique(services.map((s) => s.listener.listenerArn)).join(','),
      LaunchTemplateArns: unique(
        services.map((s) => {
          const [, partition, , region, listenerAccount] = s.listener.listenerArn.split(':');
          return `arn:${partition}:ec2:${region}:${listenerAccount}:launch-template/${s.launchTemplate.id}`;
        }),
      ).join(','),
    },
  }));
}
