// Instances take time to boot and to start their app ("Amazon EC2 Auto
// Scaling instance lifecycle"), their target fails its health checks until
// the app answers, and Auto Scaling replaces an instance for failing ELB
// health checks only after the group's health check grace period ("Set the
// health check grace period for an Auto Scaling group").
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud, type Realism } from '../../local/cloud/local-cloud.ts';

/** 10 AWS seconds last 100 ms. */
const TIME_SCALE = 0.01;

interface World {
  cloud: LocalCloud;
  autoScaling: AutoScalingClient;
  elbv2: ElasticLoadBalancingV2Client;
  /** Creates a one-instance group behind a listener's target group (checked every 5 s, 2 passes or failures). */
  group(name: string, healthCheckType: 'EC2' | 'ELB', gracePeriod: number): Promise<string>;
  stop(): Promise<void>;
}

async function startWorld(instanceBoot: Realism['instanceBoot']): Promise<World> {
  const cloud = await startLocalCloud({ timeScale: TIME_SCALE, instanceMode: 'inline', realism: { instanceBoot } });
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const elbv2 = new ElasticLoadBalancingV2Client(config);
  const autoScaling = new AutoScalingClient(config);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!;
  const subnetIds = await Promise.all(
    ['us-east-1a', 'us-east-1b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.3.${i}.0/24`, AvailabilityZone: zone }))).Subnet!.SubnetId!),
  );
  const loadBalancerArn = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'boot', Subnets: subnetIds }))).LoadBalancers![0]!.LoadBalancerArn!;
  const userData = Buffer.from("#!/bin/bash\nexport APP_VERSION='1.0'\n").toString('base64');
  const launchTemplateId = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'boot', LaunchTemplateData: { ImageId: 'ami-1', UserData: userData } }))).LaunchTemplate!.LaunchTemplateId!;
  let port = 80;
  return {
    cloud,
    autoScaling,
    elbv2,
    async group(name, healthCheckType, gracePeriod) {
      const tg = (
        await elbv2.send(
          new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: vpcId, HealthCheckPath: '/health', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }),
        )
      ).TargetGroups![0]!.TargetGroupArn!;
      await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Port: port++, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
      await autoScaling.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: name,
          LaunchTemplate: { LaunchTemplateId: launchTemplateId },
          MinSize: 1,
          MaxSize: 1,
          VPCZoneIdentifier: subnetIds.join(','),
          TargetGroupARNs: [tg],
          HealthCheckType: healthCheckType,
          HealthCheckGracePeriod: gracePeriod,
        }),
      );
      return tg;
    },
    async stop() {
      for (const client of [ec2, elbv2, autoScaling]) client.destroy();
      await cloud.stop();
    },
  };
}

/** Polls `read` every 5 ms until `done`; returns every distinct value seen, with its first time (AWS seconds since `t0`). */
async function watch<T>(read: () => Promise<T>, done: (value: T) => boolean, t0: number, timeoutMs = 10_000): Promise<Array<{ value: T; atSeconds: number }>> {
  const seen: Array<{ value: T; atSeconds: number }> = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (JSON.stringify(seen.at(-1)?.value) !== JSON.stringify(value)) seen.push({ value, atSeconds: (Date.now() - t0) / 1000 / TIME_SCALE });
    if (done(value) || Date.now() > deadline) return seen;
    await new Promise((r) => setTimeout(r, 5));
  }
}

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('instance boot and app start', () => {
  it('keeps an instance Pending while it boots, then its target fails health checks until the app answers, then turns healthy', async () => {
    // Prepare: 30 s of boot, 20 s of app start
    world = await startWorld({ bootSeconds: 30, appStartSeconds: 20 });
    const { autoScaling, elbv2 } = world;
    const t0 = Date.now();

    // Act
    const tg = await world.group('boot', 'EC2', 0);
    const states = await watch(
      async () => {
        const instance = (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['boot'] }))).AutoScalingGroups![0]!.Instances![0];
        const target = (await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions![0]?.TargetHealth;
        return `${instance?.LifecycleState ?? 'none'} ${target ? `${target.State}${target.Reason ? ` ${target.Reason}` : ''}` : 'unregistered'}`;
      },
      (s) => s === 'InService healthy',
      t0,
    );

    // Assess: the order of what AWS reports, and when (AWS seconds, with slack for timers on a busy machine)
    // (a check that times out on a busy machine reports Target.Timeout: the order of states is what matters)
    const stateOf = (value: string) => value.split(' ').slice(0, 2).join(' ');
    const order = states.map((s) => stateOf(s.value)).filter((v, i, all) => all.indexOf(v) === i);
    expect(order.filter((v) => !v.endsWith('initial'))).toEqual(['Pending unregistered', 'InService unhealthy', 'InService healthy']);
    const first = states.find((s) => s.value.startsWith('InService unhealthy'))!;
    expect(first.value).toBe('InService unhealthy Target.FailedHealthChecks');
    expect(first.atSeconds).toBeGreaterThanOrEqual(30);
    const healthy = states.find((s) => s.value === 'InService healthy')!.atSeconds;
    expect(healthy).toBeGreaterThanOrEqual(50);
    expect(healthy).toBeLessThan(50 + 2 * 5 + 30); // two 5 s checks after the app starts, and timers late on a busy machine
  });

  it('does not replace an instance that fails ELB health checks while it starts, inside the grace period; replaces it without one', async () => {
    // Prepare: an app that takes a minute to start
    world = await startWorld({ bootSeconds: 30, appStartSeconds: 60 });
    const { autoScaling } = world;
    const t0 = Date.now();
    const launches = async (name: string) =>
      ((await autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name }))).Activities ?? []).filter((a) => a.Description?.startsWith('Launching a new EC2 instance:')).length;

    // Act: the same group with a 120 s grace period and with none
    const graced = await world.group('graced', 'ELB', 120);
    await world.group('ungraced', 'ELB', 0);
    const gracedHealth = await watch(
      async () => (await world!.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: graced }))).TargetHealthDescriptions!.map((d) => d.TargetHealth!.State).join(','),
      (s) => s === 'healthy',
      t0,
    );
    const replaced = await launches('ungraced');
    const kept = await launches('graced');

    // Assess: the graced instance went unhealthy while starting, was kept, and is healthy; the other was replaced
    expect(gracedHealth.map((s) => s.value)).toContain('unhealthy');
    expect(gracedHealth.at(-1)?.value).toBe('healthy');
    expect(kept).toBe(1);
    expect(replaced).toBeGreaterThanOrEqual(2);
  });

  it('with instanceBoot off, puts an instance in service and lets it answer as soon as its app listens', async () => {
    // Prepare
    world = await startWorld(false);
    const t0 = Date.now();

    // Act
    const tg = await world.group('instant', 'EC2', 0);
    const states = await watch(
      async () => (await world!.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!.map((d) => d.TargetHealth!.State).join(','),
      (s) => s === 'healthy',
      t0,
    );

    // Assess: two passes of a 5 s interval, no failure
    expect(states.map((s) => s.value)).not.toContain('unhealthy');
    expect(states.at(-1)!.atSeconds).toBeLessThan(20);
  });
});
