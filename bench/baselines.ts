// The two switches the orchestrator is compared with, done by hand against the
// local cloud's API with ordinary SDK clients, under the same load:
// - naive: the listener moves to the new release's target group as soon as
//   its Auto Scaling group exists (before any target is healthy) and the old
//   group is deleted at once;
// - stop-then-start: the old group is deleted, then the new one is created in
//   the same target group.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateVersionCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateTargetGroupCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { startLocalCloud, type InstanceMode } from '../local/cloud/local-cloud.ts';
import { startLoad, type Sample } from '../local/load.ts';
import { seedInfrastructure } from '../local/seed.ts';
import { sleep } from './stack.ts';
import { switchWindows, type SwitchWindows } from './windows.ts';

export const BASELINES = ['naive', 'stop-then-start'] as const;
export type Baseline = (typeof BASELINES)[number];

export interface BaselineOptions {
  baseline: Baseline;
  rps: number;
  timeScale: number;
  instanceMode: InstanceMode;
  /** Real ms of load before and after the switch. */
  steadyMs: number;
}

export interface BaselineResult extends SwitchWindows {
  switchMs: number;
  /** The noise floor: p99 of the second half of the steady window before the switch ÷ p99 of its first half. */
  steadyP99Ratio: number;
}

const CAPACITY = 2;

export async function runBaseline(options: BaselineOptions): Promise<BaselineResult> {
  const cloud = await startLocalCloud({ timeScale: options.timeScale, instanceMode: options.instanceMode });
  const load: { stop?: () => Promise<unknown> } = {};
  try {
    const config = cloud.clientConfig();
    const ec2 = new EC2Client(config);
    const elbv2 = new ElasticLoadBalancingV2Client(config);
    const autoScaling = new AutoScalingClient(config);
    const infra = await seedInfrastructure({ ec2, elbv2 }, { name: 'baseline' });

    const templateVersion = async (version: string) => {
      const userData = Buffer.from(`#!/bin/bash\nexport APP_VERSION=${version}\n`).toString('base64');
      const answer = await ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: infra.launchTemplateId, LaunchTemplateData: { UserData: userData } }));
      return String(answer.LaunchTemplateVersion!.VersionNumber);
    };
    const targetGroup = async (name: string) => {
      const answer = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: name,
          Protocol: 'HTTP',
          Port: 80,
          VpcId: infra.vpcId,
          TargetType: 'instance',
          HealthCheckPath: '/health',
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 4,
          HealthyThresholdCount: 2,
          UnhealthyThresholdCount: 2,
        }),
      );
      const arn = answer.TargetGroups![0]!.TargetGroupArn!;
      // The orchestrator's setting (deregistrationDelaySeconds: 10), not AWS's default of 300 s.
      await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '10' }] }));
      return arn;
    };
    const group = (name: string, version: string, targetGroupArn: string) =>
      autoScaling.send(
        new CreateAutoScalingGroupCommand({
          AutoScalingGroupName: name,
          LaunchTemplate: { LaunchTemplateId: infra.launchTemplateId, Version: version },
          MinSize: CAPACITY,
          MaxSize: CAPACITY,
          DesiredCapacity: CAPACITY,
          VPCZoneIdentifier: infra.subnetIds.join(','),
          TargetGroupARNs: [targetGroupArn],
        }),
      );
    const route = (targetGroupArn: string) =>
      elbv2.send(new ModifyListenerCommand({ ListenerArn: infra.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }] }));
    const healthy = async (targetGroupArn: string) => {
      for (;;) {
        const answer = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
        if ((answer.TargetHealthDescriptions ?? []).filter((t) => t.TargetHealth?.State === 'healthy').length >= CAPACITY) return;
        await sleep(50);
      }
    };
    const gone = async (name: string) => {
      for (;;) {
        const answer = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }));
        if ((answer.AutoScalingGroups ?? []).length === 0) return;
        await sleep(50);
      }
    };

    const v1 = await templateVersion('1.0.0');
    const v2 = await templateVersion('2.0.0');
    const blue = await targetGroup('baseline-blue');
    await group('baseline-1', v1, blue);
    await route(blue);
    await healthy(blue);

    const running = startLoad({ url: cloud.listenerUrl(infra.listenerArn), rps: options.rps });
    load.stop = () => running.stop();
    await sleep(options.steadyMs);
    const from = Date.now() - running.startedAt;
    if (options.baseline === 'naive') {
      const green = await targetGroup('baseline-green');
      await group('baseline-2', v2, green);
      await route(green);
      await autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'baseline-1', ForceDelete: true }));
      await healthy(green);
    } else {
      await autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'baseline-1', ForceDelete: true }));
      await gone('baseline-1');
      await group('baseline-2', v2, blue);
      await healthy(blue);
    }
    const to = Date.now() - running.startedAt;
    await sleep(options.steadyMs);
    await running.stop();
    load.stop = undefined;
    const samples: readonly Sample[] = running.samples();
    const halves = switchWindows(samples.filter((s) => s.at < from), from / 2, from / 2, from);
    return { ...switchWindows(samples, from, from, to + 1000), switchMs: to - from, steadyP99Ratio: halves.p99Ratio };
  } finally {
    await load.stop?.();
    await cloud.stop();
  }
}
