// The ARNs the IAM policies are scoped to, from the services configuration.
import { describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import { iamScopes, serviceAccountParameters } from '../../scripts/iam-scopes.ts';

const LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const RULES = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/*';
const SECOND_LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/9c8b7a6f5e4d3c2b';
const OTHER_LISTENER = 'arn:aws:elasticloadbalancing:us-east-1:210987654321:listener/app/catalog/8e7f6a5b4c3d2e1f/1a2b3c4d5e6f7a8b';
const ROLE = 'arn:aws:iam::210987654321:role/bluegreen-deployer';

function config(...services: { name: string; listenerArn: string; launchTemplate: string; roleArn?: string }[]): Config {
  return parseConfig({
    services: services.map(({ name, listenerArn, launchTemplate, roleArn }) => ({
      name,
      github: { repository: `example-org/${name}` },
      listener: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1', listenerArn },
      launchTemplate: { id: launchTemplate },
      subnets: ['subnet-1'],
      targetGroup: { vpcId: 'vpc-1' },
      ...(roleArn ? { roleArn } : {}),
    })),
  });
}

describe('iamScopes', () => {
  it.each([
    {
      case: 'a service in this account and region',
      config: config({ name: 'shop', listenerArn: LISTENER, launchTemplate: 'lt-0a1' }),
      scopes: {
        listenerArns: [LISTENER],
        listenerRuleArns: [RULES],
        launchTemplateArns: ['arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0a1'],
        roleArns: [],
      },
    },
    {
      case: 'two services behind one load balancer, each with its listener and launch template',
      config: config({ name: 'shop', listenerArn: LISTENER, launchTemplate: 'lt-0a1' }, { name: 'cart', listenerArn: SECOND_LISTENER, launchTemplate: 'lt-0b2' }),
      scopes: {
        listenerArns: [LISTENER, SECOND_LISTENER],
        listenerRuleArns: [RULES, SECOND_LISTENER.replace(':listener/', ':listener-rule/') + '/*'],
        launchTemplateArns: ['arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0a1', 'arn:aws:ec2:us-east-1:123456789012:launch-template/lt-0b2'],
        roleArns: [],
      },
    },
    {
      case: 'a service reached through its role: only the role',
      config: config({ name: 'catalog', listenerArn: OTHER_LISTENER, launchTemplate: 'lt-0c3', roleArn: ROLE }),
      scopes: { listenerArns: [], listenerRuleArns: [], launchTemplateArns: [], roleArns: [ROLE] },
    },
    {
      case: 'another partition',
      config: config({ name: 'shop', listenerArn: LISTENER.replace('arn:aws:', 'arn:aws-cn:'), launchTemplate: 'lt-0a1' }),
      scopes: {
        listenerArns: [LISTENER.replace('arn:aws:', 'arn:aws-cn:')],
        listenerRuleArns: [RULES.replace('arn:aws:', 'arn:aws-cn:')],
        launchTemplateArns: ['arn:aws-cn:ec2:us-east-1:123456789012:launch-template/lt-0a1'],
        roleArns: [],
      },
    },
  ])('scopes $case', ({ config, scopes }) => {
    expect(iamScopes(config, 'us-east-1')).toEqual(scopes);
  });

  it.each([
    {
      case: 'a listener in another region than the stack',
      listenerArn: LISTENER.replace('us-east-1', 'eu-west-1'),
      message: 'services[1].listener.listenerArn: the listener is in eu-west-1 but the stack deploys to us-east-1',
    },
    {
      case: 'a load balancer ARN given as the listener',
      listenerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188',
      message: 'services[1].listener.listenerArn: not an Application Load Balancer listener ARN',
    },
  ])('refuses $case, naming the field', ({ listenerArn, message }) => {
    const services = config({ name: 'shop', listenerArn: LISTENER, launchTemplate: 'lt-0a1' }, { name: 'cart', listenerArn, launchTemplate: 'lt-0b2' });

    expect(() => iamScopes(services, 'us-east-1')).toThrow(ConfigInvalid);
    expect(() => iamScopes(services, 'us-east-1')).toThrow(message);
  });
});

describe('serviceAccountParameters', () => {
  it('gives each account of the roleArns its listeners and launch templates, for its service-account.yml stack', () => {
    const services = config(
      { name: 'shop', listenerArn: LISTENER, launchTemplate: 'lt-0a1' },
      { name: 'catalog', listenerArn: OTHER_LISTENER, launchTemplate: 'lt-0c3', roleArn: ROLE },
      { name: 'reviews', listenerArn: OTHER_LISTENER, launchTemplate: 'lt-0d4', roleArn: ROLE },
    );

    expect(serviceAccountParameters(services)).toEqual([
      {
        account: '210987654321',
        services: ['catalog', 'reviews'],
        parameters: {
          RoleName: 'bluegreen-deployer',
          ListenerArns: OTHER_LISTENER,
          LaunchTemplateArns: 'arn:aws:ec2:us-east-1:210987654321:launch-template/lt-0c3,arn:aws:ec2:us-east-1:210987654321:launch-template/lt-0d4',
        },
      },
    ]);
  });
});
