// Listener changes reach the data plane after a short propagation delay
// ("Edit a listener rule for your Application Load Balancer": requests
// "could be routed using the previous rule configuration for a short time"),
// five AWS seconds by default, in the order they were made; Describe calls
// answer the new configuration at once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeListenersCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  RegisterTargetsCommand,
  SetRulePrioritiesCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud, type Realism } from '../../local/cloud/local-cloud.ts';

/** 5 AWS seconds last 100 ms. */
const TIME_SCALE = 0.02;
const GREEN = { 'x-client-mode': 'green' };

let cloud: LocalCloud | undefined;
let elbv2: ElasticLoadBalancingV2Client | undefined;
const servers: Server[] = [];
afterEach(async () => {
  elbv2?.destroy();
  await cloud?.stop();
  cloud = undefined;
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A listener forwarding to `blue`, with target groups `blue`, `green` and `red` whose one target answers its own name. */
async function start(listenerPropagation: Realism['listenerPropagation']) {
  cloud = await startLocalCloud({ timeScale: TIME_SCALE, realism: { listenerPropagation } });
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const client = new ElasticLoadBalancingV2Client(config);
  elbv2 = client;
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.6.0.0/16' }))).Vpc!.VpcId!;
  const subnets = await Promise.all(['a', 'b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.6.${i}.0/24`, AvailabilityZone: `us-east-1${zone}` }))).Subnet!.SubnetId!));
  ec2.destroy();
  const loadBalancerArn = (await client.send(new CreateLoadBalancerCommand({ Name: 'propagation', Subnets: subnets }))).LoadBalancers![0]!.LoadBalancerArn!;
  const groups: Record<string, string> = {};
  for (const name of ['blue', 'green', 'red']) {
    const server = createServer((_req, res) => res.end(name));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const arn = (await client.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 }))).TargetGroups![0]!.TargetGroupArn!;
    await client.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '127.0.0.1', Port: (server.address() as AddressInfo).port }] }));
    groups[name] = arn;
  }
  const forward = (name: string): Action[] => [{ Type: 'forward', TargetGroupArn: groups[name]! }];
  const listenerArn = (await client.send(new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: forward('blue') }))).Listeners![0]!.ListenerArn!;
  const url = cloud.listenerUrl(listenerArn);
  const answer = async (headers: Record<string, string> = {}) => (await fetch(url, { headers })).text();
  const rule = async (priority: number, value: string, to: string) =>
    (await client.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: priority, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: [value] } }], Actions: forward(to) }))).Rules![0]!.RuleArn!;
  return { client, listenerArn, forward, answer, rule };
}

/** Asks until the answer is `wanted`; returns the answers before it and the AWS seconds it took. */
async function until(answer: () => Promise<string>, wanted: string): Promise<{ seconds: number; before: string[] }> {
  const t0 = Date.now();
  const before: string[] = [];
  for (;;) {
    const got = await answer();
    if (got === wanted) return { seconds: (Date.now() - t0) / 1000 / TIME_SCALE, before };
    before.push(got);
    if (Date.now() - t0 > 5000) throw new Error(`never answered ${wanted}: ${before.slice(-3).join(', ')}`);
  }
}

/** Five AWS seconds, less the timer granularity of a busy machine; at most five plus a real second of slack. */
const AT_LEAST = 4.5;
const AT_MOST = 5 + 50;

describe('listener changes reach the data plane five seconds later', () => {
  it('ModifyListener: requests keep the old default action for five seconds; DescribeListeners answers the new one at once', async () => {
    // Prepare
    const { client, listenerArn, forward, answer } = await start({ seconds: 5 });
    expect(await answer()).toBe('blue');

    // Act
    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward('green') }));
    const described = (await client.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0]!;
    const switched = await until(answer, 'green');

    // Assess
    expect(described.DefaultActions?.[0]?.TargetGroupArn).toContain(':targetgroup/green/');
    expect(new Set(switched.before)).toEqual(new Set(['blue']));
    expect(switched.seconds).toBeGreaterThanOrEqual(AT_LEAST);
    expect(switched.seconds).toBeLessThan(AT_MOST);
  });

  it('CreateRule, ModifyRule, SetRulePriorities and DeleteRule each take effect five seconds after the call', async () => {
    // Prepare
    const { client, answer, rule, forward } = await start({ seconds: 5 });

    // Act: a green rule appears, is pointed at red, is outranked by a rule to blue… then both go
    const greenRule = await rule(10, 'green', 'green');
    const created = await until(() => answer(GREEN), 'green');
    await client.send(new ModifyRuleCommand({ RuleArn: greenRule, Actions: forward('red') }));
    const modified = await until(() => answer(GREEN), 'red');
    const blueRule = await rule(20, 'green', 'blue');
    await client.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: blueRule, Priority: 5 }] }));
    const reordered = await until(() => answer(GREEN), 'blue');
    await client.send(new DeleteRuleCommand({ RuleArn: blueRule }));
    const deleted = await until(() => answer(GREEN), 'red');

    // Assess
    expect(new Set(created.before)).toEqual(new Set(['blue']));
    expect(new Set(modified.before)).toEqual(new Set(['green']));
    expect(new Set(reordered.before)).toEqual(new Set(['red']));
    expect(new Set(deleted.before)).toEqual(new Set(['blue']));
    for (const change of [created, modified, reordered, deleted]) {
      expect(change.seconds).toBeGreaterThanOrEqual(AT_LEAST);
      expect(change.seconds).toBeLessThan(AT_MOST);
    }
  });

  it('applies changes in the order they were made: the last one wins', async () => {
    // Prepare
    const { client, listenerArn, forward, answer } = await start({ seconds: 5 });

    // Act: green, then red a moment later
    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward('green') }));
    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward('red') }));
    const settled = await until(answer, 'red');
    await new Promise((r) => setTimeout(r, cloud!.realMs(10)));

    // Assess
    expect(settled.before.every((a) => a === 'blue' || a === 'green')).toBe(true);
    expect(new Set(await Promise.all(Array.from({ length: 5 }, () => answer())))).toEqual(new Set(['red']));
  });

  it('with listenerPropagation off, the next request sees a change', async () => {
    // Prepare
    const { client, listenerArn, forward, answer } = await start(false);

    // Act
    await client.send(new ModifyListenerCommand({ ListenerArn: listenerArn, DefaultActions: forward('green') }));

    // Assess
    expect(await answer()).toBe('green');
  });
});
