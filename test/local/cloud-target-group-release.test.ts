// DeleteTargetGroup answers ResourceInUse while a listener or rule forwards
// to the group, and for a minute after the last one stopped (the realism
// default: AWS gives no figure, its callers see it for a while).
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ResourceInUseException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud, type Realism } from '../../local/cloud/local-cloud.ts';

/** 10 AWS seconds last 100 ms. */
const TIME_SCALE = 0.01;

let cloud: LocalCloud | undefined;
let elbv2: ElasticLoadBalancingV2Client | undefined;
afterEach(async () => {
  elbv2?.destroy();
  await cloud?.stop();
  cloud = undefined;
});

async function start(targetGroupRelease: Realism['targetGroupRelease']) {
  cloud = await startLocalCloud({ timeScale: TIME_SCALE, realism: { targetGroupRelease } });
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const client = new ElasticLoadBalancingV2Client(config);
  elbv2 = client;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.5.0.0/16' }))).Vpc!.VpcId!;
  const subnets = await Promise.all(['a', 'b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.5.${i}.0/24`, AvailabilityZone: `us-east-1${zone}` }))).Subnet!.SubnetId!));
  ec2.destroy();
  const loadBalancerArn = (await client.send(new CreateLoadBalancerCommand({ Name: 'release', Subnets: subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
  const targetGroup = async (name: string) => (await client.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0]!.TargetGroupArn!;
  const forward = (arn: string) => [{ Type: 'forward' as const, TargetGroupArn: arn }];
  const listener = async (arn: string) => (await client.send(new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: forward(arn) }))).Listeners![0]!.ListenerArn!;
  const deleteGroup = (arn: string) => client.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })).then(() => 'deleted', (error: unknown) => error);
  return { client, targetGroup, forward, listener, deleteGroup };
}

/** Deletes until it succeeds; returns the AWS seconds it took and the errors seen. */
async function deleteUntilDone(deleteGroup: () => Promise<unknown>): Promise<{ seconds: number; errors: unknown[] }> {
  const t0 = Date.now();
  const errors: unknown[] = [];
  for (;;) {
    const outcome = await deleteGroup();
    if (outcome === 'deleted') return { seconds: (Date.now() - t0) / 1000 / TIME_SCALE, errors };
    errors.push(outcome);
    if (Date.now() - t0 > 10_000) throw new Error(`still not deleted: ${String(outcome)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('DeleteTargetGroup after the last reference', () => {
  it('answers ResourceInUse for a minute after ModifyListener moved the default action away, then deletes', async () => {
    // Prepare
    const { client, targetGroup, forward, listener, deleteGroup } = await start({ seconds: 60 });
    const [blue, green] = [await targetGroup('blue'), await targetGroup('green')];
    const listenerArn = await listener(blue);
    const whileReferenced = await deleteGroup(blue);

    // Act
    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward(green) }));
    const { seconds, errors } = await deleteUntilDone(() => deleteGroup(blue));

    // Assess
    expect(whileReferenced).toBeInstanceOf(ResourceInUseException);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e instanceof ResourceInUseException && /currently in use by a listener or a rule/.test(e.message))).toBe(true);
    expect(seconds).toBeGreaterThanOrEqual(59);
    expect(seconds).toBeLessThan(120);
  });

  it('does the same after DeleteRule removed the last rule forwarding to the group', async () => {
    // Prepare
    const { client, targetGroup, forward, listener, deleteGroup } = await start({ seconds: 60 });
    const [blue, canary] = [await targetGroup('blue'), await targetGroup('canary')];
    const listenerArn = await listener(blue);
    const rule = await client.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['green'] } }], Actions: forward(canary) }));

    // Act
    await client.send(new DeleteRuleCommand({ RuleArn: rule.Rules![0]!.RuleArn! }));
    const { seconds } = await deleteUntilDone(() => deleteGroup(canary));

    // Assess
    expect(seconds).toBeGreaterThanOrEqual(59);
  });

  it('deletes a group no listener ever used at once; with targetGroupRelease off, a released one too', async () => {
    // Prepare
    const { client, targetGroup, forward, listener, deleteGroup } = await start(false);
    const [blue, green, unused] = [await targetGroup('blue'), await targetGroup('green'), await targetGroup('unused')];
    const listenerArn = await listener(blue);

    // Act
    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward(green) }));

    // Assess
    expect(await deleteGroup(unused)).toBe('deleted');
    expect(await deleteGroup(blue)).toBe('deleted');
    expect(await deleteGroup(green)).toBeInstanceOf(ResourceInUseException);
  });
});
