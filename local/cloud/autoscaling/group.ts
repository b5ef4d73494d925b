// An Auto Scaling group as the local cloud keeps it, and its
// DescribeAutoScalingGroups view.
import type { AutoScalingGroup, Instance, LaunchTemplateSpecification, LifecycleState, TagDescription } from '@aws-sdk/client-auto-scaling';
import { ACCOUNT_ID } from '../ids.ts';

export interface GroupInstance {
  readonly id: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly instanceType: string;
  /** The launch template version the instance was launched from. */
  readonly launchTemplate: LaunchTemplateSpecification;
  readonly launchedAt: number;
  lifecycle: LifecycleState;
  health: 'Healthy' | 'Unhealthy';
  protectedFromScaleIn: boolean;
  /** Real time it entered InService (health-check grace period counts from here). */
  inServiceSince?: number;
}

export interface GroupRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdTime: Date;
  launchTemplate: LaunchTemplateSpecification;
  min: number;
  max: number;
  desired: number;
  defaultCooldown: number;
  subnetIds: string[];
  targetGroupArns: string[];
  healthCheckType: string;
  healthCheckGracePeriod: number;
  terminationPolicies: string[];
  newInstancesProtectedFromScaleIn: boolean;
  tags: TagDescription[];
  instances: GroupInstance[];
  /** ForceDelete in progress: instances are being terminated. */
  deleting: boolean;
  /** Real time DeleteAutoScalingGroup was called. */
  deleteRequestedAt?: number;
}

/** Lifecycle states that count toward the desired capacity. */
export const COUNTED_STATES: ReadonlySet<string> = new Set(['Pending', 'Pending:Wait', 'Pending:Proceed', 'InService']);

const SERVICE_LINKED_ROLE = `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;

export function groupArn(region: string, name: string, uuid: string): string {
  return `arn:aws:autoscaling:${region}:${ACCOUNT_ID}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;
}

export function describeGroup(group: GroupRecord, zoneOf: (subnetId: string) => string | undefined): AutoScalingGroup {
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    LaunchTemplate: group.launchTemplate,
    MinSize: group.min,
    MaxSize: group.max,
    DesiredCapacity: group.desired,
    DefaultCooldown: group.defaultCooldown,
    AvailabilityZones: [...new Set(group.subnetIds.map((id) => zoneOf(id) ?? ''))],
    LoadBalancerNames: [],
    TargetGroupARNs: [...group.targetGroupArns],
    TrafficSources: group.targetGroupArns.map((arn) => ({ Identifier: arn, Type: 'elbv2' })),
    HealthCheckType: group.healthCheckType,
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: group.instances.map(describeInstance),
    CreatedTime: group.createdTime,
    SuspendedProcesses: [],
    VPCZoneIdentifier: group.subnetIds.join(','),
    EnabledMetrics: [],
    Tags: group.tags,
    TerminationPolicies: group.terminationPolicies,
    NewInstancesProtectedFromScaleIn: group.newInstancesProtectedFromScaleIn,
    ServiceLinkedRoleARN: SERVICE_LINKED_ROLE,
    CapacityRebalance: false,
    ...(group.deleting ? { Status: 'Delete in progress' } : {}),
  };
}

export function describeInstance(instance: GroupInstance): Instance {
  return {
    InstanceId: instance.id,
    InstanceType: instance.instanceType,
    AvailabilityZone: instance.availabilityZone,
    LifecycleState: instance.lifecycle,
    HealthStatus: instance.health,
    LaunchTemplate: instance.launchTemplate,
    ProtectedFromScaleIn: instance.protectedFromScaleIn,
  };
}
