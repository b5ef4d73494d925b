// A large account: 50 services in the stack's account, each behind its own
// load balancer and launch template (the most the policies can grow per
// service), and 2 services in two other accounts reached through their
// roleArn. Beside the configuration, what their launch templates carry: an
// instance profile (10 instance roles shared between them), an image that
// is a public SSM parameter or one of the account's own. The first service is
// smoke-tested from the probe function in the VPC.
import type { ServiceWorld } from './authorization.ts';

export const STACK = { partition: 'aws', region: 'us-east-1', account: '123456789012', stackName: 'bluegreen-dev' } as const;
export const IN_ACCOUNT_SERVICES = 50;

const PUBLIC_IMAGE = `arn:aws:ssm:${STACK.region}::parameter/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64`;
const OWN_IMAGES = [`arn:aws:ssm:${STACK.region}:${STACK.account}:parameter/golden-ami/web`, `arn:aws:ssm:${STACK.region}:${STACK.account}:parameter/golden-ami/batch`];
const PROBE_SUBNETS = ['subnet-0a1b2c3d4e5f67890', 'subnet-1a2b3c4d5e6f78901'];
const PROBE_SECURITY_GROUPS = ['sg-0a1b2c3d4e5f67890'];
const INSTANCE_ROLES = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::${STACK.account}:role/app-instance-${i}`);

export interface FleetOfServices {
  config: { services: Record<string, unknown>[] };
  worlds: ServiceWorld[];
  /** The `--param`s of `npm run package` this account deploys with. */
  params: Record<string, string>;
  /** Per other account: the parameters its service-account.yml stack is deployed with. */
  serviceAccounts: { account: string; roleArn: string; parameters: Record<string, string> }[];
}

/** `prefix` followed by `n` in hex, `width` characters in all. */
const id = (prefix: string, n: number, width = 16) => `${prefix}${n.toString(16).padStart(width - prefix.length, '0')}`;

export function fleetOfServices(): FleetOfServices {
  const worlds: ServiceWorld[] = [];
  const services: Record<string, unknown>[] = [];
  for (let i = 1; i <= IN_ACCOUNT_SERVICES; i++) {
    const name = `service-${String(i).padStart(2, '0')}`;
    const world = service(name, STACK.account, i);
    worlds.push({
      ...world,
      instanceRoleArn: INSTANCE_ROLES[i % INSTANCE_ROLES.length]!,
      imageParameterArn: i % 5 === 0 ? OWN_IMAGES[i % 2]! : PUBLIC_IMAGE,
    });
    services.push(i === 1 ? { ...configOf(world), strategy: { type: 'header-canary' }, smokeTest: { url: 'http://internal-service-01.example.internal/version', from: 'vpc' } } : configOf(world));
  }
  const others = [
    { name: 'catalog', account: '210987654321' },
    { name: 'ledger', account: '310987654321' },
  ].map(({ name, account }, i) => {
    const world: ServiceWorld = {
      ...service(name, account, 100 + i),
      roleArn: `arn:aws:iam::${account}:role/bluegreen-deployer`,
      instanceRoleArn: `arn:aws:iam::${account}:role/${name}-instance`,
      imageParameterArn: PUBLIC_IMAGE,
    };
    worlds.push(world);
    services.push({ ...configOf(world), roleArn: world.roleArn });
    return world;
  });
  return {
    config: { services },
    worlds,
    params: {
      instanceRoleArns: INSTANCE_ROLES.join(','),
      imageParameterArns: OWN_IMAGES.join(','),
      // The first service is smoke-tested behind an internal load balancer, from the probe function in the VPC.
      probeSubnetIds: PROBE_SUBNETS.join(','),
      probeSecurityGroupIds: PROBE_SECURITY_GROUPS.join(','),
    },
    serviceAccounts: others.map((w) => ({
      account: w.account,
      roleArn: w.roleArn!,
      parameters: {
        ListenerArns: w.listenerArn,
        LaunchTemplateArns: `arn:aws:ec2:${w.region}:${w.account}:launch-template/${w.launchTemplateId}`,
        InstanceRoleArns: w.instanceRoleArn!,
      },
    })),
  };
}

function service(name: string, account: string, n: number): ServiceWorld {
  const lbName = `${name}-alb`;
  return {
    name,
    partition: STACK.partition,
    region: STACK.region,
    account,
    listenerArn: `arn:aws:elasticloadbalancing:${STACK.region}:${account}:listener/app/${lbName}/${id('50dc6c49', n)}/${id('f2f7dc8e', n)}`,
    launchTemplateId: `lt-${id('0a1b2c3d', n, 17)}`,
    subnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-1a2b3c4d5e6f78901'],
  };
}

function configOf(world: ServiceWorld): Record<string, unknown> {
  const [, loadBalancer] = /listener\/(app\/[^/]+\/[0-9a-f]+)\//.exec(world.listenerArn)!;
  return {
    name: world.name,
    github: { repository: `example-org/${world.name}` },
    listener: {
      loadBalancerArn: `arn:aws:elasticloadbalancing:${world.region}:${world.account}:loadbalancer/${loadBalancer}`,
      listenerArn: world.listenerArn,
    },
    launchTemplate: { id: world.launchTemplateId },
    subnets: world.subnetIds,
    targetGroup: { vpcId: 'vpc-0a1b2c3d4e5f67890' },
  };
}
