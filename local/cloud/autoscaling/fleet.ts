// The instance lifecycle Auto Scaling drives ("Amazon EC2 Auto Scaling
// instance lifecycle"): launch to reach the desired capacity (Pending while
// EC2 boots it → InService, then registered in the group's target groups),
// scale in (Terminating: deregistered, drained for the deregistration delay,
// then SIGTERM), standby (deregistered, process kept), and replacement of
// unhealthy instances: EC2 status at once; ELB health, when HealthCheckType
// is ELB, only once the health check grace period since InService is over
// ("Set the health check grace period for an Auto Scaling group").
import type { Activity } from '@aws-sdk/client-auto-scaling';
import type { LaunchTemplateVersion, Tag } from '@aws-sdk/client-ec2';
import type { Clock } from '../clock.ts';
import type { Instances } from '../ec2/instances.ts';
import type { LaunchTemplates } from '../ec2/launch-templates.ts';
import type { Network } from '../ec2/network.ts';
import type { TargetGroupRuntime } from '../elbv2/target-group.ts';
import type { Log } from '../log.ts';
import type { Activities } from './activities.ts';
import { COUNTED_STATES, type GroupInstance, type GroupRecord } from './group.ts';

export interface FleetDeps {
  clock: Clock;
  log: Log;
  activities: Activities;
  instances: Instances;
  launchTemplates: LaunchTemplates;
  network: Network;
  targetGroup: (arn: string) => TargetGroupRuntime | undefined;
  /** A deleting group has no instance left. */
  onGroupGone: (group: GroupRecord) => void;
}

/** AWS seconds before a failed launch is retried. */
const LAUNCH_RETRY_SECONDS = 10;

export class Fleet {
  private readonly deps: FleetDeps;
  private readonly retryScheduled = new Set<GroupRecord>();

  constructor(deps: FleetDeps) {
    this.deps = deps;
  }

  /** Launches or terminates instances until the group has its desired capacity. */
  reconcile(group: GroupRecord, cause: string): void {
    const counted = group.instances.filter((i) => COUNTED_STATES.has(i.lifecycle));
    const target = group.deleting ? 0 : group.desired;
    for (let missing = target - counted.length; missing > 0; missing--) {
      if (!this.launch(group, cause)) break;
    }
    if (counted.length > target) {
      for (const instance of this.pickForScaleIn(group, counted, counted.length - target)) this.terminate(group, instance, cause);
    }
    if (group.deleting) {
      for (const instance of group.instances.filter((i) => i.lifecycle === 'Standby')) this.terminate(group, instance, cause);
      if (group.instances.length === 0) this.deps.onGroupGone(group);
    }
  }

  terminate(group: GroupRecord, instance: GroupInstance, cause: string): Activity {
    const activity = this.deps.activities.start(group, `Terminating EC2 instance: ${instance.id}`, cause);
    instance.lifecycle = 'Terminating';
    this.deps.log('autoscaling', 'instance-terminating', { group: group.name, instanceId: instance.id });
    void (async () => {
      await this.deregister(group, instance);
      instance.lifecycle = 'Terminating:Proceed';
      await this.deps.instances.terminate(instance.id);
      instance.lifecycle = 'Terminated';
      group.instances = group.instances.filter((i) => i !== instance);
      this.deps.activities.finish(activity, 'Successful');
      this.deps.log('autoscaling', 'instance-terminated', { group: group.name, instanceId: instance.id });
      if (group.deleting && group.instances.length === 0) this.deps.onGroupGone(group);
    })();
    return activity;
  }

  enterStandby(group: GroupRecord, instance: GroupInstance): Activity {
    const activity = this.deps.activities.start(group, `Moving EC2 instance to Standby: ${instance.id}`, `a user request moved instance ${instance.id} to Standby`);
    instance.lifecycle = 'EnteringStandby';
    void this.deregister(group, instance).then(() => {
      if (instance.lifecycle !== 'EnteringStandby') return;
      instance.lifecycle = 'Standby';
      this.deps.activities.finish(activity, 'Successful');
      this.deps.log('autoscaling', 'instance-standby', { group: group.name, instanceId: instance.id });
    });
    return activity;
  }

  exitStandby(group: GroupRecord, instance: GroupInstance): Activity {
    const activity = this.deps.activities.start(group, `Moving EC2 instance out of Standby: ${instance.id}`, `a user request moved instance ${instance.id} out of Standby`);
    instance.lifecycle = 'Pending';
    this.deps.clock.afterMs(0, () => {
      if (instance.lifecycle !== 'Pending') return;
      this.putInService(group, instance);
      this.deps.activities.finish(activity, 'Successful');
    });
    return activity;
  }

  /** Registers the group's serving instances in newly attached target groups. */
  registerAll(group: GroupRecord, targetGroupArns: string[]): void {
    for (const instance of group.instances.filter((i) => i.lifecycle === 'InService')) {
      for (const arn of targetGroupArns) this.deps.targetGroup(arn)?.register([{ Id: instance.id }]);
    }
  }

  /** Deregisters the group's instances from detached target groups (they drain there). */
  deregisterAll(group: GroupRecord, targetGroupArns: string[]): void {
    for (const instance of group.instances) {
      for (const arn of targetGroupArns) this.deps.targetGroup(arn)?.deregister([{ Id: instance.id }]);
    }
  }

  /** Replaces InService instances that EC2 (or, for HealthCheckType ELB, a target group) reports unhealthy. */
  checkHealth(group: GroupRecord): void {
    if (group.deleting) return;
    const now = Date.now();
    let replaced = false;
    for (const instance of group.instances.filter((i) => i.lifecycle === 'InService')) {
      const ec2 = this.deps.instances.get(instance.id);
      const ec2Unhealthy = !ec2 || ec2.impaired || ec2.state !== 'running';
      const graceOver = now - (instance.inServiceSince ?? now) >= this.deps.clock.ms(group.healthCheckGracePeriod);
      const elbUnhealthy =
        group.healthCheckType === 'ELB' &&
        graceOver &&
        group.targetGroupArns.some((arn) => this.deps.targetGroup(arn)?.health([{ Id: instance.id }])[0]?.TargetHealth?.State === 'unhealthy');
      if (!ec2Unhealthy && !elbUnhealthy) continue;
      instance.health = 'Unhealthy';
      replaced = true;
      const check = ec2Unhealthy ? 'EC2' : 'ELB';
      this.deps.log('autoscaling', 'instance-unhealthy', { group: group.name, instanceId: instance.id, check });
      this.terminate(group, instance, `an instance was taken out of service in response to a ${check} health check indicating it has been terminated or stopped`);
    }
    if (replaced) this.reconcile(group, 'an instance was started in response to a replacement of an unhealthy instance');
  }

  private launch(group: GroupRecord, cause: string): boolean {
    let resolved;
    try {
      resolved = this.deps.launchTemplates.resolve(group.launchTemplate);
    } catch (err) {
      const activity = this.deps.activities.start(group, 'Launching a new EC2 instance.  Status Reason: launch template not found', cause);
      this.deps.activities.finish(activity, 'Failed', err instanceof Error ? err.message : String(err));
      this.retryLater(group);
      return false;
    }
    const subnet = this.deps.network.subnet(this.pickSubnet(group))!;
    const { instance: ec2, running } = this.deps.instances.launch(resolved.version, subnet, instanceTags(group, resolved.version));
    const instance: GroupInstance = {
      id: ec2.id,
      availabilityZone: ec2.availabilityZone,
      subnetId: ec2.subnetId,
      instanceType: ec2.instanceType,
      launchTemplate: ec2.launchTemplate!,
      launchedAt: Date.now(),
      lifecycle: 'Pending',
      health: 'Healthy',
      protectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    };
    group.instances.push(instance);
    const activity = this.deps.activities.start(group, `Launching a new EC2 instance: ${ec2.id}`, cause, { 'Subnet ID': subnet.SubnetId!, 'Availability Zone': subnet.AvailabilityZone! });
    this.deps.log('autoscaling', 'instance-launching', { group: group.name, instanceId: ec2.id, version: ec2.version });
    running
      .then(() => {
        if (instance.lifecycle !== 'Pending') return this.deps.activities.finish(activity, 'Cancelled', 'the instance left Pending before it booted');
        this.putInService(group, instance);
        this.deps.activities.finish(activity, 'Successful');
      })
      .catch((err: unknown) => {
        this.deps.activities.finish(activity, 'Failed', err instanceof Error ? err.message : String(err));
        group.instances = group.instances.filter((i) => i !== instance);
        this.retryLater(group);
      });
    return true;
  }

  private putInService(group: GroupRecord, instance: GroupInstance): void {
    instance.lifecycle = 'InService';
    instance.inServiceSince = Date.now();
    for (const arn of group.targetGroupArns) this.deps.targetGroup(arn)?.register([{ Id: instance.id }]);
    this.deps.log('autoscaling', 'instance-in-service', { group: group.name, instanceId: instance.id });
  }

  /** Deregisters from every target group and waits until each has drained the instance. */
  private async deregister(group: GroupRecord, instance: GroupInstance): Promise<void> {
    const groups = group.targetGroupArns.map((arn) => this.deps.targetGroup(arn)).filter((tg): tg is TargetGroupRuntime => tg !== undefined);
    for (const tg of groups) tg.deregister([{ Id: instance.id }]);
    await Promise.all(groups.map((tg) => tg.whenRemoved(instance.id)));
  }

  private retryLater(group: GroupRecord): void {
    if (this.retryScheduled.has(group)) return;
    this.retryScheduled.add(group);
    this.deps.clock.after(LAUNCH_RETRY_SECONDS, () => {
      this.retryScheduled.delete(group);
      this.reconcile(group, 'an instance was started in response to a difference between desired and actual capacity (retry after a failed launch)');
    });
  }

  /** The subnet of the zone with the fewest counted instances (Auto Scaling keeps zones balanced). */
  private pickSubnet(group: GroupRecord): string {
    const counts = new Map(group.subnetIds.map((id) => [id, 0]));
    for (const i of group.instances) if (COUNTED_STATES.has(i.lifecycle) && counts.has(i.subnetId)) counts.set(i.subnetId, counts.get(i.subnetId)! + 1);
    return [...counts].sort((a, b) => a[1] - b[1])[0]![0];
  }

  /** Default termination policy, simplified: zone balance first, then the oldest launch template version, then the oldest instance. */
  private pickForScaleIn(group: GroupRecord, counted: GroupInstance[], n: number): GroupInstance[] {
    const remaining = [...counted];
    const picked: GroupInstance[] = [];
    const policy = group.terminationPolicies[0] ?? 'Default';
    while (picked.length < n) {
      const perZone = new Map<string, number>();
      for (const i of remaining) perZone.set(i.availabilityZone, (perZone.get(i.availabilityZone) ?? 0) + 1);
      const candidates = remaining.filter((i) => !i.protectedFromScaleIn);
      if (candidates.length === 0) break;
      candidates.sort(
        (a, b) =>
          perZone.get(b.availabilityZone)! - perZone.get(a.availabilityZone)! ||
          (policy === 'NewestInstance' ? b.launchedAt - a.launchedAt : Number(a.launchTemplate.Version) - Number(b.launchTemplate.Version) || a.launchedAt - b.launchedAt),
      );
      const chosen = candidates[0]!;
      picked.push(chosen);
      remaining.splice(remaining.indexOf(chosen), 1);
    }
    return picked;
  }
}

/** An instance's tags at launch: the template's instance tags, the group's propagated tags, and the group name. */
function instanceTags(group: GroupRecord, version: LaunchTemplateVersion): Tag[] {
  const fromTemplate = (version.LaunchTemplateData?.TagSpecifications ?? []).filter((s) => s.ResourceType === 'instance').flatMap((s) => s.Tags ?? []);
  const fromGroup = group.tags.filter((t) => t.PropagateAtLaunch).map((t) => ({ Key: t.Key, Value: t.Value }));
  const byKey = new Map<string, Tag>();
  for (const tag of [...fromTemplate, ...fromGroup, { Key: 'aws:autoscaling:groupName', Value: group.name }]) byKey.set(tag.Key!, tag);
  return [...byKey.values()];
}
