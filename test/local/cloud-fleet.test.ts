// Auto Scaling in the local cloud: instances are real processes of the
// sample app, started from the launch template version's user data, put in
// service and health-checked by their target groups, drained before they
// stop. A faulty version's 5xx drive a CloudWatch alarm whose state change
// reaches the EventBridge listener. All through the real SDK clients.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  SetDesiredCapacityCommand,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateLaunchTemplateCommand, CreateLaunchTemplateVersionCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type AlarmStateChangeEvent, type CloudEvent, type LocalCloud } from '../../local/cloud/local-cloud.ts';

/** 10 AWS seconds last 500 ms. */
const TIME_SCALE = 0.05;

interface Clients {
  elbv2: ElasticLoadBalancingV2Client;
  autoScaling: AutoScalingClient;
  ec2: EC2Client;
  cloudWatch: CloudWatchClient;
}

interface Infrastructure {
  vpcId: string;
  subnetIds: string[];
  loadBalancerArn: string;
  launchTemplateId: string;
}

function clientsOf(cloud: LocalCloud): Clients {
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  return { elbv2: new ElasticLoadBalancingV2Client(config), autoScaling: new AutoScalingClient(config), ec2: new EC2Client(config), cloudWatch: new CloudWatchClient(config) };
}

function destroy(clients: Clients | undefined): void {
  for (const client of Object.values(clients ?? {}) as { destroy(): void }[]) client.destroy();
}

const userData = (version: string) => Buffer.from(`#!/bin/bash\nexport APP_VERSION='${version}'\necho starting\n`).toString('base64');

/** A VPC with two subnets, a load balancer, and a launch template whose version 1 runs release 1.0. */
async function infrastructure({ ec2, elbv2 }: Clients): Promise<Infrastructure> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.2.0.0/16' }))).Vpc!.VpcId!;
  const subnetIds = await Promise.all(
    ['us-east-1a', 'us-east-1b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.2.${i}.0/24`, AvailabilityZone: zone }))).Subnet!.SubnetId!),
  );
  const loadBalancerArn = (await elbv2.send(new CreateLoadBalancerCommand({ Name: 'fleet', Subnets: subnetIds }))).LoadBalancers![0]!.LoadBalancerArn!;
  const template = await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'fleet', LaunchTemplateData: { ImageId: 'ami-1', InstanceType: 't3.micro', UserData: userData('1.0') } }));
  return { vpcId, subnetIds, loadBalancerArn, launchTemplateId: template.LaunchTemplate!.LaunchTemplateId! };
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    value = await read();
  }
  return value;
}

async function fetchJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { version: string; instance: string; pid: number } }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as { version: string; instance: string; pid: number } };
}

async function refused(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return false;
  } catch {
    return true;
  }
}

describe('Auto Scaling with process instances', () => {
  let cloud: LocalCloud;
  let clients: Clients;
  let infra: Infrastructure;
  let listenerArn: string;
  const events: CloudEvent[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud({ timeScale: TIME_SCALE, faults: { '2.0': { errorRate: 1 }, broken: { neverHealthy: true } } });
    cloud.onEvent((event) => {
      events.push(event);
    });
    clients = clientsOf(cloud);
    infra = await infrastructure(clients);
  });

  afterAll(async () => {
    destroy(clients);
    await cloud?.stop();
  });

  /** A target group checking /health every 10 s (500 ms here), healthy after 2 passes, draining for 10 s. */
  async function targetGroup(name: string): Promise<string> {
    const created = await clients.elbv2.send(
      new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: infra.vpcId, HealthCheckPath: '/health', HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 5, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 }),
    );
    const arn = created.TargetGroups![0]!.TargetGroupArn!;
    await clients.elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }] }));
    return arn;
  }

  async function launchTemplateVersion(version: string): Promise<string> {
    const created = await clients.ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: infra.launchTemplateId, SourceVersion: '1', LaunchTemplateData: { UserData: userData(version) } }));
    return String(created.LaunchTemplateVersion!.VersionNumber);
  }

  async function group(name: string, targetGroupArn: string, launchTemplateVersion: string, desired: number, healthCheckType = 'EC2'): Promise<void> {
    await clients.autoScaling.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: name,
        LaunchTemplate: { LaunchTemplateId: infra.launchTemplateId, Version: launchTemplateVersion },
        MinSize: 0,
        MaxSize: 4,
        DesiredCapacity: desired,
        VPCZoneIdentifier: infra.subnetIds.join(','),
        TargetGroupARNs: [targetGroupArn],
        HealthCheckType: healthCheckType,
        HealthCheckGracePeriod: 0,
      }),
    );
  }

  async function describe(name: string): Promise<AutoScalingGroup | undefined> {
    return (await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];
  }

  async function health(targetGroupArn: string): Promise<{ id: string; state: string; reason?: string }[]> {
    const described = await clients.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    return described.TargetHealthDescriptions!.map((d) => ({ id: d.Target!.Id!, state: d.TargetHealth!.State!, reason: d.TargetHealth!.Reason }));
  }

  const forward = (...groups: [arn: string, weight: number][]): Action[] => [{ Type: 'forward', ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } }];
  const instanceUrl = (instanceId: string) => `http://127.0.0.1:${cloud.instances().find((i) => i.instanceId === instanceId)!.port}`;

  let v1Group: string;
  let v2Group: string;
  let url: string;

  it('launches each instance as a process of its version, and the target group makes it healthy after the thresholds', async () => {
    // Prepare
    v1Group = await targetGroup('fleet-v1');
    v2Group = await targetGroup('fleet-v2');
    const listener = await clients.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: infra.loadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: forward([v1Group, 1], [v2Group, 0]) }));
    listenerArn = listener.Listeners![0]!.ListenerArn!;
    url = cloud.listenerUrl(listenerArn);
    const seen = new Set<string>();

    // Act
    await group('fleet-v1', v1Group, '1', 2);
    const inService = await eventually(() => describe('fleet-v1'), (g) => g?.Instances?.filter((i) => i.LifecycleState === 'InService').length === 2);
    const healthy = await eventually(
      async () => {
        const h = await health(v1Group);
        for (const t of h) seen.add(t.state);
        return h;
      },
      (h) => h.length === 2 && h.every((t) => t.state === 'healthy'),
    );
    const answers = await Promise.all(Array.from({ length: 10 }, () => fetchJson(url)));

    // Assess
    expect(inService?.Instances?.map((i) => i.LaunchTemplate?.Version)).toEqual(['1', '1']);
    expect(new Set(inService?.Instances?.map((i) => i.AvailabilityZone))).toEqual(new Set(['us-east-1a', 'us-east-1b']));
    expect(healthy.map((t) => t.id).sort()).toEqual(inService!.Instances!.map((i) => i.InstanceId).sort());
    expect(seen.has('initial')).toBe(true);
    expect(answers.map((a) => [a.status, a.body.version])).toEqual(Array(10).fill([200, '1.0']));
    expect(new Set(answers.map((a) => a.body.instance)).size).toBe(2);
    expect(answers.every((a) => a.body.pid !== process.pid)).toBe(true);
    expect(cloud.instances().filter((i) => i.state === 'running').map((i) => i.version)).toEqual(['1.0', '1.0']);
  });

  // "Using Amazon CloudWatch alarms": a 60 s alarm sees ALB's one-minute datapoints; a 10 s one never does (the
  // PutMetricAlarm reference: it "might often lapse into INSUFFICIENT_DATA"; with notBreaching it stays OK).
  it('moves the 60 s 5xx alarm of a faulty version to ALARM and delivers the EventBridge event; a 10 s alarm stays OK', async () => {
    // Prepare: release 2.0 answers 500 to every request; header x-client-mode: green reaches it
    await clients.elbv2.send(
      new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['green'] } }], Actions: forward([v2Group, 1]) }),
    );
    await group('fleet-v2', v2Group, await launchTemplateVersion('2.0'), 1);
    await eventually(() => health(v2Group), (h) => h.length === 1 && h[0]!.state === 'healthy');
    const dimensions = [
      { Name: 'LoadBalancer', Value: infra.loadBalancerArn.split(':loadbalancer/')[1]! },
      { Name: 'TargetGroup', Value: v2Group.split(':').pop()! },
    ];
    const putAlarm = (name: string, period: number) =>
      clients.cloudWatch.send(
        new PutMetricAlarmCommand({ AlarmName: name, Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: dimensions, Statistic: 'Sum', Period: period, EvaluationPeriods: 1, Threshold: 2, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' }),
      );
    await putAlarm('bg-fleet-2-http5xx', 60);
    await putAlarm('bg-fleet-2-http5xx-10s', 10);
    const alarmEvent = (name: string) => events.find((e) => (e as AlarmStateChangeEvent).detail.alarmName === name && (e as AlarmStateChangeEvent).detail.state.value === 'ALARM');

    // Act: the faulty release under load until the 60 s alarm fires (a minute's data is published two minutes on)
    const answers: { status: number; body: { version: string } }[] = [];
    while (!alarmEvent('bg-fleet-2-http5xx') && answers.length < 10_000) {
      answers.push(...(await Promise.all(Array.from({ length: 5 }, () => fetchJson(url, { 'x-client-mode': 'green' })))));
      await new Promise((r) => setTimeout(r, 20));
    }
    const described = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['bg-fleet-2-http5xx', 'bg-fleet-2-http5xx-10s'] }));
    const [alarm, tenSeconds] = described.MetricAlarms!;

    // Assess
    expect(new Set(answers.map((a) => `${a.status} ${a.body.version}`))).toEqual(new Set(['500 2.0']));
    expect(alarm?.StateValue).toBe('ALARM');
    expect(tenSeconds).toMatchObject({ AlarmName: 'bg-fleet-2-http5xx-10s', StateValue: 'OK' });
    expect(alarmEvent('bg-fleet-2-http5xx-10s')).toBeUndefined();
    expect(alarmEvent('bg-fleet-2-http5xx')).toMatchObject({
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      resources: [alarm!.AlarmArn],
      detail: {
        alarmName: 'bg-fleet-2-http5xx',
        state: { value: 'ALARM', reason: expect.stringMatching(/^Threshold Crossed: 1 out of the last 1 datapoints \[\d+ \(/) as unknown },
        configuration: { metrics: [{ metricStat: { metric: { name: 'HTTPCode_Target_5XX_Count', dimensions: Object.fromEntries(dimensions.map((d) => [d.Name, d.Value])) }, period: 60, stat: 'Sum' } }] },
      },
    });
  });

  it('keeps a never-healthy version unhealthy, and fails open to it when it is the only group of a listener', async () => {
    // Prepare
    const brokenGroup = await targetGroup('fleet-broken');
    const listener = await clients.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: infra.loadBalancerArn, Port: 8080, Protocol: 'HTTP', DefaultActions: forward([brokenGroup, 1]) }));

    // Act
    await group('fleet-broken', brokenGroup, await launchTemplateVersion('broken'), 1);
    // (while its app starts the target fails to connect; once it answers, its health checks get 503)
    const unhealthy = await eventually(() => health(brokenGroup), (h) => h[0]?.reason === 'Target.ResponseCodeMismatch');
    await new Promise((r) => setTimeout(r, cloud.realMs(30)));
    const later = await health(brokenGroup);
    const answer = await fetchJson(cloud.listenerUrl(listener.Listeners![0]!.ListenerArn!));

    // Assess
    expect(unhealthy).toEqual([{ id: expect.stringMatching(/^i-[0-9a-f]{17}$/) as unknown, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }]);
    expect(later.map((t) => t.state)).toEqual(['unhealthy']);
    expect(answer).toMatchObject({ status: 200, body: { version: 'broken' } });
  });

  it('replaces an instance its target group reports unhealthy when HealthCheckType is ELB', async () => {
    // Prepare
    const brokenGroup = await targetGroup('fleet-replaced');
    await clients.elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 20, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['replaced'] } }], Actions: forward([brokenGroup, 1]) }));

    // Act
    await group('fleet-replaced', brokenGroup, await launchTemplateVersion('broken'), 1, 'ELB');
    const first = (await eventually(() => describe('fleet-replaced'), (g) => g?.Instances?.length === 1))!.Instances![0]!.InstanceId!;
    const activities = await eventually(
      async () => (await clients.autoScaling.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'fleet-replaced' }))).Activities!,
      (a) => a.some((x) => x.Description === `Terminating EC2 instance: ${first}`) && a.filter((x) => x.Description?.startsWith('Launching')).length >= 2,
    );

    // Assess
    expect(activities.some((x) => x.Description === `Terminating EC2 instance: ${first}`)).toBe(true);
    expect(activities.filter((x) => x.Description?.startsWith('Launching a new EC2 instance')).length).toBeGreaterThanOrEqual(2);
  });

  it('takes a standby instance out of its target group but keeps its process, and brings it back', async () => {
    // Prepare
    const [standbyId, otherId] = (await describe('fleet-v1'))!.Instances!.map((i) => i.InstanceId!);

    // Act
    await clients.autoScaling.send(new EnterStandbyCommand({ AutoScalingGroupName: 'fleet-v1', InstanceIds: [standbyId!], ShouldDecrementDesiredCapacity: true }));
    const standing = await eventually(() => describe('fleet-v1'), (g) => g?.Instances?.find((i) => i.InstanceId === standbyId)?.LifecycleState === 'Standby');
    const registered = await health(v1Group);
    const processAnswer = await fetchJson(`${instanceUrl(standbyId!)}/`);
    await clients.autoScaling.send(new ExitStandbyCommand({ AutoScalingGroupName: 'fleet-v1', InstanceIds: [standbyId!] }));
    const back = await eventually(() => health(v1Group), (h) => h.length === 2 && h.every((t) => t.state === 'healthy'));

    // Assess
    expect(standing?.DesiredCapacity).toBe(1);
    expect(registered.map((t) => t.id)).toEqual([otherId]);
    expect(processAnswer).toMatchObject({ status: 200, body: { instance: standbyId } });
    expect(back.map((t) => t.id).sort()).toEqual([standbyId, otherId].sort());
    expect((await describe('fleet-v1'))?.DesiredCapacity).toBe(2);
  });

  it('drains and stops every process when scaled to zero, and ForceDelete removes a group with its instances', async () => {
    // Prepare
    const ids = (await describe('fleet-v1'))!.Instances!.map((i) => i.InstanceId!);
    const urls = ids.map(instanceUrl);
    const v2Id = (await describe('fleet-v2'))!.Instances![0]!.InstanceId!;
    const v2Url = instanceUrl(v2Id);

    // Act
    await clients.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'fleet-v1', DesiredCapacity: 0 }));
    const draining = await health(v1Group);
    const empty = await eventually(() => describe('fleet-v1'), (g) => g?.Instances?.length === 0);
    await clients.autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'fleet-v2', ForceDelete: true }));
    const deleting = await describe('fleet-v2');
    const deleted = await eventually(() => describe('fleet-v2'), (g) => g === undefined);

    // Assess
    expect(draining.map((t) => t.state)).toEqual(['draining', 'draining']);
    expect(empty?.Instances).toEqual([]);
    expect(await health(v1Group)).toEqual([]);
    expect(await Promise.all(urls.map(refused))).toEqual([true, true]);
    expect(deleting?.Status).toBe('Delete in progress');
    expect(deleted).toBeUndefined();
    expect(await refused(v2Url)).toBe(true);
    expect(cloud.instances().filter((i) => [...ids, v2Id].includes(i.instanceId)).map((i) => i.state)).toEqual(['terminated', 'terminated', 'terminated']);
  });
});

describe('stopping the local cloud', () => {
  it('ends every instance process and closes every server: nothing is left running', async () => {
    // Prepare
    const cloud = await startLocalCloud({ timeScale: TIME_SCALE });
    const clients = clientsOf(cloud);
    const infra = await infrastructure(clients);
    const tg = (await clients.elbv2.send(new CreateTargetGroupCommand({ Name: 'stop', Protocol: 'HTTP', Port: 80, VpcId: infra.vpcId, HealthCheckPath: '/health' }))).TargetGroups![0]!.TargetGroupArn!;
    const listener = await clients.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: infra.loadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    const listenerUrl = cloud.listenerUrl(listener.Listeners![0]!.ListenerArn!);
    await clients.autoScaling.send(
      new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'stop', LaunchTemplate: { LaunchTemplateId: infra.launchTemplateId }, MinSize: 2, MaxSize: 2, VPCZoneIdentifier: infra.subnetIds.join(','), TargetGroupARNs: [tg] }),
    );
    await eventually(() => Promise.resolve(cloud.instances().filter((i) => i.state === 'running')), (running) => running.length === 2);
    const pids = await Promise.all(cloud.instances().map(async (i) => (await fetchJson(`http://127.0.0.1:${i.port}/`)).body.pid));
    destroy(clients);

    // Act
    await cloud.stop();

    // Assess
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(pids).toHaveLength(2);
    expect(alive).toEqual([]);
    expect(await refused(cloud.endpoint)).toBe(true);
    expect(await refused(listenerUrl)).toBe(true);
  });
});
