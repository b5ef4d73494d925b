// The infrastructure a user brings before the first deployment: a VPC with
// two subnets, an internet-facing ALB whose HTTP listener answers 503 until a
// release exists, and a launch template. Made through ordinary SDK clients,
// so it works against any endpoint the clients point at (the tests' AWS
// emulators, the local rehearsal). It is not a production setup: no internet
// gateway, security groups or real machine image.
//
// AWS operations — ec2:*: CreateVpc, CreateSubnet, CreateLaunchTemplate;
// elasticloadbalancing:*: CreateLoadBalancer, CreateListener.
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';

export interface SeedClients {
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface SeededInfrastructure {
  vpcId: string;
  subnetIds: string[];
  loadBalancerArn: string;
  listenerArn: string;
  launchTemplateId: string;
}

/** A placeholder image: emulators launch instances from any image id. */
const IMAGE_ID = 'ami-0123456789abcdef0';

const USER_DATA = '#!/bin/bash\necho "starting the application"\n';

/** `name` names the load balancer and the launch template: 32 characters at most, letters, digits and dashes. */
export async function seedInfrastructure(clients: SeedClients, options: { name: string }): Promise<SeededInfrastructure> {
  const { ec2, elbv2 } = clients;
  const region = await ec2.config.region();

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  const vpcId = required(vpc.Vpc?.VpcId, 'CreateVpc: VpcId');
  const subnetIds: string[] = [];
  for (const [index, zone] of ['a', 'b'].entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${index + 1}.0/24`, AvailabilityZone: `${region}${zone}` }),
    );
    subnetIds.push(required(subnet.Subnet?.SubnetId, 'CreateSubnet: SubnetId'));
  }

  const loadBalancer = await elbv2.send(
    new CreateLoadBalancerCommand({ Name: options.name, Type: 'application', Scheme: 'internet-facing', Subnets: subnetIds }),
  );
  const loadBalancerArn = required(loadBalancer.LoadBalancers?.[0]?.LoadBalancerArn, 'CreateLoadBalancer: LoadBalancerArn');
  const listener = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: 80,
      DefaultActions: [
        { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'no release yet' } },
      ],
    }),
  );
  const listenerArn = required(listener.Listeners?.[0]?.ListenerArn, 'CreateListener: ListenerArn');

  const template = await ec2.send(
    new CreateLaunchTemplateCommand({
      LaunchTemplateName: options.name,
      LaunchTemplateData: { ImageId: IMAGE_ID, InstanceType: 't3.micro', UserData: Buffer.from(USER_DATA).toString('base64') },
    }),
  );
  const launchTemplateId = required(template.LaunchTemplate?.LaunchTemplateId, 'CreateLaunchTemplate: LaunchTemplateId');

  return { vpcId, subnetIds, loadBalancerArn, listenerArn, launchTemplateId };
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`seeding failed: the answer to ${what} is missing`);
  return value;
}
