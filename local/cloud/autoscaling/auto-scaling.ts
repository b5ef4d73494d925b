// Amazon EC2 Auto Scaling of the local cloud: the Query API (version
// 2011-01-01) over groups whose instances are local processes.
//
// "Delete your Auto Scaling infrastructure": deleting a group sets its
// capacity to 0, terminates its instances, and "takes a few minutes"; until
// then DescribeAutoScalingGroups shows it with Status "Delete in progress"
// and its name is taken (CreateAutoScalingGroup answers AlreadyExists).
import { randomUUID } from 'node:crypto';
import type {
  AttachLoadBalancerTargetGroupsCommandInput,
  AttachLoadBalancerTargetGroupsCommandOutput,
  AttachTrafficSourcesCommandInput,
  AttachTrafficSourcesCommandOutput,
  CreateAutoScalingGroupCommandInput,
  CreateAutoScalingGroupCommandOutput,
  CreateOrUpdateTagsCommandInput,
  CreateOrUpdateTagsCommandOutput,
  DeleteAutoScalingGroupCommandInput,
  DeleteAutoScalingGroupCommandOutput,
  DeleteTagsCommandInput,
  DeleteTagsCommandOutput,
  DescribeAutoScalingGroupsCommandInput,
  DescribeAutoScalingGroupsCommandOutput,
  DescribeAutoScalingInstancesCommandInput,
  DescribeAutoScalingInstancesCommandOutput,
  DescribeLoadBalancerTargetGroupsCommandInput,
  DescribeLoadBalancerTargetGroupsCommandOutput,
  DescribeScalingActivitiesCommandInput,
  DescribeScalingActivitiesCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  DescribeTrafficSourcesCommandInput,
  DescribeTrafficSourcesCommandOutput,
  DetachLoadBalancerTargetGroupsCommandInput,
  DetachLoadBalancerTargetGroupsCommandOutput,
  DetachTrafficSourcesCommandInput,
  DetachTrafficSourcesCommandOutput,
  EnterStandbyCommandInput,
  EnterStandbyCommandOutput,
  ExitStandbyCommandInput,
  ExitStandbyCommandOutput,
  Filter,
  LaunchTemplateSpecification,
  SetDesiredCapacityCommandInput,
  SetDesiredCapacityCommandOutput,
  Tag,
  TagDescription,
  TerminateInstanceInAutoScalingGroupCommandInput,
  TerminateInstanceInAutoScalingGroupCommandOutput,
  UpdateAutoScalingGroupCommandInput,
  UpdateAutoScalingGroupCommandOutput,
} from '@aws-sdk/client-auto-scaling';
import {
  AttachLoadBalancerTargetGroups$,
  AttachTrafficSources$,
  CreateAutoScalingGroup$,
  CreateOrUpdateTags$,
  DeleteAutoScalingGroup$,
  DeleteTags$,
  DescribeAutoScalingGroups$,
  DescribeAutoScalingInstances$,
  DescribeLoadBalancerTargetGroups$,
  DescribeScalingActivities$,
  DescribeTags$,
  DescribeTrafficSources$,
  DetachLoadBalancerTargetGroups$,
  DetachTrafficSources$,
  EnterStandby$,
  ExitStandby$,
  SetDesiredCapacity$,
  TerminateInstanceInAutoScalingGroup$,
  UpdateAutoScalingGroup$,
} from '@aws-sdk/client-auto-scaling';
import type { QueryService } from '../api-server.ts';
import { AwsError, required, validationError } from '../aws-error.ts';
import type { Clock } from '../clock.ts';
import type { LaunchTemplates } from '../ec2/launch-templates.ts';
import type { Network } from '../ec2/network.ts';
import type { Log } from '../log.ts';
import { paginate } from '../pagination.ts';
import type { Realism } from '../realism.ts';
import { operation, operationTable, type Answer } from '../protocol/operation.ts';
import { wildcardPattern } from '../wildcard.ts';
import { Activities } from './activities.ts';
import type { Fleet } from './fleet.ts';
import { describeGroup, describeInstance, groupArn, type GroupInstance, type GroupRecord } from './group.ts';

export interface AutoScalingDeps {
  region: string;
  clock: Clock;
  log: Log;
  network: Network;
  launchTemplates: LaunchTemplates;
  /** Whether a target group exists and can hold instances. */
  instanceTargetGroup: (arn: string) => boolean;
  /** How long a deleted group stays "Delete in progress" at least. */
  deletion: Realism['groupDeletion'];
}

const MAX_GROUPS = 500;
const MAX_TAGS = 50;
const HEALTH_CHECK_TYPES = ['EC2', 'ELB'];
const TERMINATION_POLICIES = ['Default', 'OldestInstance', 'NewestInstance', 'OldestLaunchTemplate', 'OldestLaunchConfiguration', 'ClosestToNextInstanceHour', 'AllocationStrategy'];
/** AWS seconds between two health sweeps of every group. */
export const HEALTH_SWEEP_SECONDS = 10;

export class AutoScaling {
  readonly activities = new Activities();
  private readonly groups = new Map<string, GroupRecord>();
  private readonly deps: AutoScalingDeps;
  private fleet!: Fleet;

  constructor(deps: AutoScalingDeps) {
    this.deps = deps;
  }

  /** The fleet needs `removeGroup`, this needs the fleet: wired once, at start. */
  useFleet(fleet: Fleet): void {
    this.fleet = fleet;
  }

  group(name: string): GroupRecord | undefined {
    return this.groups.get(name);
  }

  /** A deleting group whose last instance is gone: removed once the deletion has lasted its minimum too. */
  removeGroup(group: GroupRecord): void {
    if (this.groups.get(group.name) !== group) return;
    const { deletion, clock } = this.deps;
    const remainingMs = deletion && group.deleteRequestedAt !== undefined ? group.deleteRequestedAt + clock.ms(deletion.seconds) - Date.now() : 0;
    if (remainingMs > 0) {
      clock.afterMs(remainingMs, () => this.removeGroup(group));
      return;
    }
    this.groups.delete(group.name);
    this.deps.log('autoscaling', 'group-deleted', { group: group.name });
  }

  /** One health sweep over every group (the cloud runs it every HEALTH_SWEEP_SECONDS). */
  checkHealth(): void {
    for (const group of this.groups.values()) this.fleet.checkHealth(group);
  }

  endpoint(): QueryService {
    return {
      name: 'autoscaling',
      protocol: 'query',
      version: '2011-01-01',
      dialect: { xmlNamespace: 'http://autoscaling.amazonaws.com/doc/2011-01-01/', ec2: false },
      operations: operationTable([
        operation(CreateAutoScalingGroup$, (input: CreateAutoScalingGroupCommandInput) => this.create(input)),
        operation(DescribeAutoScalingGroups$, (input: DescribeAutoScalingGroupsCommandInput) => this.describe(input)),
        operation(UpdateAutoScalingGroup$, (input: UpdateAutoScalingGroupCommandInput) => this.update(input)),
        operation(SetDesiredCapacity$, (input: SetDesiredCapacityCommandInput) => this.setDesiredCapacity(input)),
        operation(DeleteAutoScalingGroup$, (input: DeleteAutoScalingGroupCommandInput) => this.delete(input)),
        operation(EnterStandby$, (input: EnterStandbyCommandInput) => this.enterStandby(input)),
        operation(ExitStandby$, (input: ExitStandbyCommandInput) => this.exitStandby(input)),
        operation(TerminateInstanceInAutoScalingGroup$, (input: TerminateInstanceInAutoScalingGroupCommandInput) => this.terminateInstance(input)),
        operation(DescribeAutoScalingInstances$, (input: DescribeAutoScalingInstancesCommandInput) => this.describeInstances(input)),
        operation(CreateOrUpdateTags$, (input: CreateOrUpdateTagsCommandInput) => this.createOrUpdateTags(input)),
        operation(DeleteTags$, (input: DeleteTagsCommandInput) => this.deleteTags(input)),
        operation(DescribeTags$, (input: DescribeTagsCommandInput) => this.describeTags(input)),
        operation(AttachLoadBalancerTargetGroups$, (input: AttachLoadBalancerTargetGroupsCommandInput): Answer<AttachLoadBalancerTargetGroupsCommandOutput> => {
          this.attach(required(input.AutoScalingGroupName, 'AutoScalingGroupName'), required(input.TargetGroupARNs, 'TargetGroupARNs'));
          return {};
        }),
        operation(DetachLoadBalancerTargetGroups$, (input: DetachLoadBalancerTargetGroupsCommandInput): Answer<DetachLoadBalancerTargetGroupsCommandOutput> => {
          this.detach(required(input.AutoScalingGroupName, 'AutoScalingGroupName'), required(input.TargetGroupARNs, 'TargetGroupARNs'));
          return {};
        }),
        operation(AttachTrafficSources$, (input: AttachTrafficSourcesCommandInput): Answer<AttachTrafficSourcesCommandOutput> => {
          this.attach(required(input.AutoScalingGroupName, 'AutoScalingGroupName'), elbv2Sources(required(input.TrafficSources, 'TrafficSources')));
          return {};
        }),
        operation(DetachTrafficSources$, (input: DetachTrafficSourcesCommandInput): Answer<DetachTrafficSourcesCommandOutput> => {
          this.detach(required(input.AutoScalingGroupName, 'AutoScalingGroupName'), elbv2Sources(required(input.TrafficSources, 'TrafficSources')));
          return {};
        }),
        operation(DescribeLoadBalancerTargetGroups$, (input: DescribeLoadBalancerTargetGroupsCommandInput): Answer<DescribeLoadBalancerTargetGroupsCommandOutput> => {
          const group = this.requireGroup(required(input.AutoScalingGroupName, 'AutoScalingGroupName'));
          return { LoadBalancerTargetGroups: group.targetGroupArns.map((arn) => ({ LoadBalancerTargetGroupARN: arn, State: 'InService' })) };
        }),
        operation(DescribeTrafficSources$, (input: DescribeTrafficSourcesCommandInput): Answer<DescribeTrafficSourcesCommandOutput> => {
          const group = this.requireGroup(required(input.AutoScalingGroupName, 'AutoScalingGroupName'));
          return { TrafficSources: group.targetGroupArns.map((arn) => ({ TrafficSource: arn, Identifier: arn, Type: 'elbv2', State: 'InService' })) };
        }),
        operation(DescribeScalingActivities$, (input: DescribeScalingActivitiesCommandInput): Answer<DescribeScalingActivitiesCommandOutput> => {
          const all = this.activities.of(input.AutoScalingGroupName);
          const chosen = input.ActivityIds?.length ? all.filter((a) => input.ActivityIds!.includes(a.ActivityId!)) : all;
          const { page, next } = paginate(chosen, input.NextToken, input.MaxRecords ?? 100, 'InvalidNextToken');
          return { Activities: page, NextToken: next };
        }),
      ]),
    };
  }

  private create(input: CreateAutoScalingGroupCommandInput): Answer<CreateAutoScalingGroupCommandOutput> {
    const name = required(input.AutoScalingGroupName, 'AutoScalingGroupName');
    if (name.length > 255 || name.includes(':')) throw validationError(`AutoScalingGroupName '${name}' must be 1 to 255 characters without ':'`);
    if (this.groups.has(name)) throw new AwsError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`);
    if (this.groups.size >= MAX_GROUPS) throw new AwsError('LimitExceeded', `You have reached the quota of ${MAX_GROUPS} Auto Scaling groups`);
    if (input.LaunchConfigurationName || input.MixedInstancesPolicy || input.InstanceId) throw validationError('The local cloud emulates groups launched from a LaunchTemplate only');
    const launchTemplate = this.checkLaunchTemplate(input.LaunchTemplate);
    const min = required(input.MinSize, 'MinSize');
    const max = required(input.MaxSize, 'MaxSize');
    const desired = input.DesiredCapacity ?? min;
    checkCapacity(min, max, desired);
    const subnetIds = this.checkSubnets(input.VPCZoneIdentifier);
    const targetGroupArns = this.checkTargetGroups([...(input.TargetGroupARNs ?? []), ...elbv2Sources(input.TrafficSources ?? [])]);
    const healthCheckType = checkHealthCheckType(input.HealthCheckType ?? 'EC2');
    const terminationPolicies = checkTerminationPolicies(input.TerminationPolicies ?? ['Default']);
    const tags = checkTags(input.Tags ?? [], name);
    const group: GroupRecord = {
      name,
      arn: groupArn(this.deps.region, name, randomUUID()),
      createdTime: new Date(),
      launchTemplate,
      min,
      max,
      desired,
      defaultCooldown: input.DefaultCooldown ?? 300,
      subnetIds,
      targetGroupArns,
      healthCheckType,
      healthCheckGracePeriod: input.HealthCheckGracePeriod ?? 0,
      terminationPolicies,
      newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn ?? false,
      tags,
      instances: [],
      deleting: false,
    };
    this.groups.set(name, group);
    this.deps.log('autoscaling', 'group-created', { group: name, desired });
    this.fleet.reconcile(group, `a user request created an AutoScalingGroup changing the desired capacity from 0 to ${desired}`);
    return {};
  }

  private describe(input: DescribeAutoScalingGroupsCommandInput): Answer<DescribeAutoScalingGroupsCommandOutput> {
    const names = input.AutoScalingGroupNames ?? [];
    const maxRecords = input.MaxRecords ?? 50;
    if (maxRecords < 1 || maxRecords > 100) throw validationError(`MaxRecords must be between 1 and 100, got ${maxRecords}`);
    const groups = [...this.groups.values()]
      .filter((g) => !names.length || names.includes(g.name))
      .filter((g) => matchesTagFilters(g.tags, input.Filters ?? []))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, next } = paginate(groups, input.NextToken, maxRecords, 'InvalidNextToken');
    return { AutoScalingGroups: page.map((g) => describeGroup(g, (id) => this.deps.network.subnet(id)?.AvailabilityZone)), NextToken: next };
  }

  private update(input: UpdateAutoScalingGroupCommandInput): Answer<UpdateAutoScalingGroupCommandOutput> {
    const group = this.requireGroup(required(input.AutoScalingGroupName, 'AutoScalingGroupName'));
    const min = input.MinSize ?? group.min;
    const max = input.MaxSize ?? group.max;
    // Without an explicit desired capacity, AWS moves it into the new [min, max].
    const desired = input.DesiredCapacity ?? Math.min(max, Math.max(min, group.desired));
    checkCapacity(min, max, desired);
    const launchTemplate = input.LaunchTemplate ? this.checkLaunchTemplate(input.LaunchTemplate) : group.launchTemplate;
    const subnetIds = input.VPCZoneIdentifier !== undefined ? this.checkSubnets(input.VPCZoneIdentifier) : group.subnetIds;
    const healthCheckType = input.HealthCheckType ? checkHealthCheckType(input.HealthCheckType) : group.healthCheckType;
    const terminationPolicies = input.TerminationPolicies ? checkTerminationPolicies(input.TerminationPolicies) : group.terminationPolicies;
    const before = group.desired;
    Object.assign(group, { min, max, desired, launchTemplate, subnetIds, healthCheckType, terminationPolicies });
    if (input.HealthCheckGracePeriod !== undefined) group.healthCheckGracePeriod = input.HealthCheckGracePeriod;
    if (input.DefaultCooldown !== undefined) group.defaultCooldown = input.DefaultCooldown;
    if (input.NewInstancesProtectedFromScaleIn !== undefined) group.newInstancesProtectedFromScaleIn = input.NewInstancesProtectedFromScaleIn;
    this.deps.log('autoscaling', 'group-updated', { group: group.name, min, max, desired });
    this.fleet.reconcile(group, `a user request update of AutoScalingGroup constraints to min: ${min}, max: ${max}, desired: ${desired} changing the desired capacity from ${before} to ${desired}`);
    return {};
  }

  private setDesiredCapacity(input: SetDesiredCapacityCommandInput): Answer<SetDesiredCapacityCommandOutput> {
    const group = this.requireGroup(required(input.AutoScalingGroupName, 'AutoScalingGroupName'));
    const desired = required(input.DesiredCapacity, 'DesiredCapacity');
    if (desired > group.max) throw validationError(`New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`);
    if (desired < group.min) throw validationError(`New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`);
    const before = group.desired;
    group.desired = desired;
    this.deps.log('autoscaling', 'group-updated', { group: group.name, desired });
    this.fleet.reconcile(group, `a user request explicitly set group desired capacity changing the desired capacity from ${before} to ${desired}`);
    return {};
  }

  private delete(input: DeleteAutoScalingGroupCommandInput): Answer<DeleteAutoScalingGroupCommandOutput> {
    const name = required(input.AutoScalingGroupName, 'AutoScalingGroupName');
    const group = this.groups.get(name);
    if (!group) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    if (group.deleting) return {};
    if (!input.ForceDelete) {
      if (group.instances.length > 0) throw new AwsError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.');
      if (this.activities.inProgress(name)) throw new AwsError('ScalingActivityInProgress', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.');
    }
    group.deleting = true;
    group.deleteRequestedAt = Date.now();
    group.min = 0;
    group.max = 0;
    group.desired = 0;
    this.deps.log('autoscaling', 'group-deleting', { group: name, force: input.ForceDelete ?? false });
    this.fleet.reconcile(group, 'a user request deleted the AutoScalingGroup');
    return {};
  }

  private enterStandby(input: EnterStandbyCommandInput): Answer<EnterStandbyCommandOutput> {
    const group = this.requireGroup(required(input.AutoScalingGroupName, 'AutoScalingGroupName'));
    const decrement = required(input.ShouldDecrementDesiredCapacity, 'ShouldDecrementDesiredCapacity');
    const instances = this.groupInstances(group, input.InstanceIds ?? []);
    for (const i of instances) if (i.lifecycle !== 'InService') throw validationError(`The instance ${i.id} is not in InService.`);
    if (decrement && group.desired - instances.length < group.min) {
      throw validationError(`AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}. To place into standby ${instances.length} instances, please update the AutoScalingGroup sizes appropriately.`);
    }
    if (decrement) group.desired -= instances.length;
    const activities = instances.map((i) => this.fleet.enterStandby(group, i));
    if (!decrement) this.fleet.reconcile(group, 'an instance was started in response to instances entering Standby without a decrease of the desired capacity');
    return { Activities: activities };
  }

  private exitStandby(input: ExitStandbyCommandInput): Answer<ExitStandbyCommandOutput> {
    const group = this.requireGroup(required(input.AutoScalingGroupName, 'AutoScalingGroupName'));
    const instances = this.groupInstances(group, input.InstanceIds ?? []);
    for (const i of instances) if (i.lifecycle !== 'Standby') throw validationError(`The instance ${i.id} is not in Standby.`);
    if (group.desired + instances.length > group.max) {
      throw validationError(`AutoScalingGroup ${group.name} has min-size=${group.min}, max-size=${group.max}, and desired-size=${group.desired}. To exit standby ${instances.length} instances, please update the AutoScalingGroup sizes appropriately.`);
    }
    group.desired += instances.length;
    return { Activities: instances.map((i) => this.fleet.exitStandby(group, i)) };
  }

  private terminateInstance(input: TerminateInstanceInAutoScalingGroupCommandInput): Answer<TerminateInstanceInAutoScalingGroupCommandOutput> {
    const id = required(input.InstanceId, 'InstanceId');
    const decrement = required(input.ShouldDecrementDesiredCapacity, 'ShouldDecrementDesiredCapacity');
    const group = [...this.groups.values()].find((g) => g.instances.some((i) => i.id === id));
    const instance = group?.instances.find((i) => i.id === id);
    if (!group || !instance) throw validationError(`Instance Id not found - No managed instance found for instance ID: ${id}`);
    if (instance.lifecycle.startsWith('Terminating') || instance.lifecycle === 'Terminated') return { Activity: undefined };
    if (decrement) {
      if (group.desired - 1 < group.min) throw validationError(`Currently, desiredSize equals minSize (${group.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`);
      group.desired -= 1;
    }
    const activity = this.fleet.terminate(group, instance, `a user request terminated instance ${id}`);
    if (!decrement) this.fleet.reconcile(group, `an instance was started in response to a user request terminating instance ${id}`);
    return { Activity: activity };
  }

  private describeInstances(input: DescribeAutoScalingInstancesCommandInput): Answer<DescribeAutoScalingInstancesCommandOutput> {
    const ids = input.InstanceIds ?? [];
    const all = [...this.groups.values()].flatMap((g) => g.instances.map((i) => ({ group: g, instance: i })));
    const chosen = all.filter(({ instance }) => !ids.length || ids.includes(instance.id));
    const { page, next } = paginate(chosen, input.NextToken, input.MaxRecords ?? 50, 'InvalidNextToken');
    return {
      AutoScalingInstances: page.map(({ group, instance }) => {
        const { LifecycleState, HealthStatus, ...rest } = describeInstance(instance);
        return { ...rest, AutoScalingGroupName: group.name, LifecycleState: String(LifecycleState), HealthStatus: String(HealthStatus).toUpperCase() };
      }),
      NextToken: next,
    };
  }

  private createOrUpdateTags(input: CreateOrUpdateTagsCommandInput): Answer<CreateOrUpdateTagsCommandOutput> {
    const tags = required(input.Tags, 'Tags');
    const byGroup = this.tagsByGroup(tags);
    for (const [group, groupTags] of byGroup) {
      const merged = new Map(group.tags.map((t) => [t.Key!, t]));
      for (const t of checkTags(groupTags, group.name)) merged.set(t.Key!, t);
      if (merged.size > MAX_TAGS) throw new AwsError('LimitExceeded', `The quota of ${MAX_TAGS} tags per Auto Scaling group would be exceeded for ${group.name}`);
    }
    for (const [group, groupTags] of byGroup) {
      const merged = new Map(group.tags.map((t) => [t.Key!, t]));
      for (const t of checkTags(groupTags, group.name)) merged.set(t.Key!, t);
      group.tags = [...merged.values()];
    }
    return {};
  }

  private deleteTags(input: DeleteTagsCommandInput): Answer<DeleteTagsCommandOutput> {
    for (const [group, groupTags] of this.tagsByGroup(required(input.Tags, 'Tags'))) {
      const keys = new Set(groupTags.map((t) => t.Key));
      group.tags = group.tags.filter((t) => !keys.has(t.Key));
    }
    return {};
  }

  private describeTags(input: DescribeTagsCommandInput): Answer<DescribeTagsCommandOutput> {
    const all = [...this.groups.values()].flatMap((g) => g.tags);
    const chosen = all.filter((t) =>
      (input.Filters ?? []).every((f) => {
        const values = f.Values ?? [];
        const field = f.Name === 'auto-scaling-group' ? t.ResourceId : f.Name === 'key' ? t.Key : f.Name === 'value' ? t.Value : f.Name === 'propagate-at-launch' ? String(t.PropagateAtLaunch) : undefined;
        return field !== undefined && values.includes(field);
      }),
    );
    const { page, next } = paginate(chosen, input.NextToken, input.MaxRecords ?? 50, 'InvalidNextToken');
    return { Tags: page, NextToken: next };
  }

  private attach(name: string, arns: string[]): void {
    const group = this.requireGroup(name);
    if (arns.length > 10) throw validationError('At most 10 target groups can be attached at once');
    const added = this.checkTargetGroups(arns).filter((arn) => !group.targetGroupArns.includes(arn));
    group.targetGroupArns.push(...added);
    this.fleet.registerAll(group, added);
    this.deps.log('autoscaling', 'target-groups-attached', { group: name, targetGroups: added });
  }

  private detach(name: string, arns: string[]): void {
    const group = this.requireGroup(name);
    const removed = group.targetGroupArns.filter((arn) => arns.includes(arn));
    group.targetGroupArns = group.targetGroupArns.filter((arn) => !arns.includes(arn));
    this.fleet.deregisterAll(group, removed);
    this.deps.log('autoscaling', 'target-groups-detached', { group: name, targetGroups: removed });
  }

  private requireGroup(name: string): GroupRecord {
    const group = this.groups.get(name);
    if (!group) throw validationError(`AutoScalingGroup name not found - AutoScalingGroup '${name}' not found`);
    if (group.deleting) throw new AwsError('ScalingActivityInProgress', `AutoScalingGroup '${name}' is being deleted`);
    return group;
  }

  private groupInstances(group: GroupRecord, ids: string[]): GroupInstance[] {
    if (ids.length === 0) throw validationError('InstanceIds must name at least one instance');
    return ids.map((id) => {
      const instance = group.instances.find((i) => i.id === id);
      if (!instance) throw validationError(`The instance ${id} is not part of Auto Scaling group ${group.name}.`);
      return instance;
    });
  }

  private tagsByGroup(tags: Tag[]): Map<GroupRecord, Tag[]> {
    const byGroup = new Map<GroupRecord, Tag[]>();
    for (const t of tags) {
      if (t.ResourceType !== undefined && t.ResourceType !== 'auto-scaling-group') throw validationError(`ResourceType must be 'auto-scaling-group', got '${t.ResourceType}'`);
      const group = this.requireGroup(required(t.ResourceId, 'Tags.member.ResourceId'));
      byGroup.set(group, [...(byGroup.get(group) ?? []), t]);
    }
    return byGroup;
  }

  private checkLaunchTemplate(spec: LaunchTemplateSpecification | undefined): LaunchTemplateSpecification {
    if (!spec || (!spec.LaunchTemplateId && !spec.LaunchTemplateName)) throw validationError('Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.');
    try {
      const { template } = this.deps.launchTemplates.resolve(spec);
      return { LaunchTemplateId: template.LaunchTemplateId, LaunchTemplateName: template.LaunchTemplateName, Version: spec.Version ?? '$Default' };
    } catch (err) {
      throw validationError(`You must use a valid fully-formed launch template. ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private checkSubnets(vpcZoneIdentifier: string | undefined): string[] {
    const ids = (vpcZoneIdentifier ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (ids.length === 0) throw validationError('No default VPC for this user. GroupName is only supported for EC2-Classic and default VPC: give VPCZoneIdentifier (subnet ids)');
    for (const id of ids) if (!this.deps.network.subnet(id)) throw validationError(`The subnet ID '${id}' does not exist`);
    return ids;
  }

  private checkTargetGroups(arns: string[]): string[] {
    for (const arn of arns) {
      if (!this.deps.instanceTargetGroup(arn)) throw validationError(`Provided Target Groups may not be valid. Please ensure they exist and try again. (${arn})`);
    }
    return [...new Set(arns)];
  }
}

function checkCapacity(min: number, max: number, desired: number): void {
  if (min < 0 || max < 0) throw validationError('MinSize and MaxSize must not be negative');
  if (min > max) throw validationError(`The minimum size of the group (${min}) is greater than its maximum size (${max}).`);
  if (desired < min || desired > max) throw validationError(`Desired capacity:${desired} must be between the specified min size:${min} and max size:${max}`);
}

function checkHealthCheckType(type: string): string {
  if (!HEALTH_CHECK_TYPES.includes(type)) throw validationError(`HealthCheckType: the local cloud emulates ${HEALTH_CHECK_TYPES.join(' and ')} health checks, not '${type}'`);
  return type;
}

function checkTerminationPolicies(policies: string[]): string[] {
  for (const p of policies) if (!TERMINATION_POLICIES.includes(p)) throw validationError(`Termination policy '${p}' is not valid`);
  return policies;
}

function checkTags(tags: Tag[], groupName: string): TagDescription[] {
  if (tags.length > MAX_TAGS) throw new AwsError('LimitExceeded', `An Auto Scaling group can have at most ${MAX_TAGS} tags`);
  return tags.map((t) => {
    const key = required(t.Key, 'Tags.member.Key');
    if (key.length > 128 || key.toLowerCase().startsWith('aws:')) throw validationError(`Tag key '${key}' must be at most 128 characters and not begin with 'aws:'`);
    if ((t.Value ?? '').length > 256) throw validationError(`The value of tag '${key}' must be at most 256 characters`);
    return { ResourceId: groupName, ResourceType: 'auto-scaling-group', Key: key, Value: t.Value ?? '', PropagateAtLaunch: t.PropagateAtLaunch ?? false };
  });
}

/** DescribeAutoScalingGroups filters: `tag-key`, `tag-value`, `tag:<key>`. */
function matchesTagFilters(tags: TagDescription[], filters: Filter[]): boolean {
  return filters.every((f) => {
    const values = f.Values ?? [];
    const name = f.Name ?? '';
    const candidates = name.startsWith('tag:') ? tags.filter((t) => t.Key === name.slice(4)).map((t) => t.Value ?? '') : name === 'tag-key' ? tags.map((t) => t.Key ?? '') : name === 'tag-value' ? tags.map((t) => t.Value ?? '') : [];
    return candidates.some((c) => values.some((v) => wildcardPattern(v, false).test(c)));
  });
}

function elbv2Sources(sources: { Identifier?: string; Type?: string }[]): string[] {
  return sources.map((s) => {
    if (s.Type !== undefined && s.Type !== 'elbv2') throw validationError(`TrafficSources: the local cloud emulates elbv2 target groups, not '${s.Type}'`);
    return required(s.Identifier, 'TrafficSources.member.Identifier');
  });
}
