// A release's servers: one Auto Scaling group per release, launched from a
// launch template version that carries the artifact version. The version's
// description names the release (`bg-shop-5 APP_VERSION=2.0.0`): a retried
// step finds the version it made instead of making another, and deleting a
// release deletes its version.
//
// AWS operations — autoscaling:*: DescribeAutoScalingGroups,
// CreateAutoScalingGroup, UpdateAutoScalingGroup, EnterStandby, ExitStandby,
// DeleteAutoScalingGroup; ec2:*: DescribeLaunchTemplateVersions,
// CreateLaunchTemplateVersion, DeleteLaunchTemplateVersions.
import {
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  EnterStandbyCommand,
  ExitStandbyCommand,
  UpdateAutoScalingGroupCommand,
  type AutoScalingClient,
  type AutoScalingGroup,
} from '@aws-sdk/client-auto-scaling';
import {
  CreateLaunchTemplateVersionCommand,
  DeleteLaunchTemplateVersionsCommand,
  DescribeLaunchTemplateVersionsCommand,
  paginateDescribeLaunchTemplateVersions,
  type EC2Client,
  type LaunchTemplateTagSpecification,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { AwsRequestFailed, ConfigInvalid, FleetNameTaken, ResourceNotFound } from '../core/errors.ts';
import { TAG, type Capacity } from '../core/model.ts';
import { awsErrorCode, call, mapAwsError } from './aws-errors.ts';

/** EnterStandby and ExitStandby take at most 20 instances per call. */
const STANDBY_BATCH = 20;
/** DeleteLaunchTemplateVersions takes at most 200 versions per call, DescribeLaunchTemplateVersions answers at most 200 per page. */
const VERSIONS_BATCH = 200;

export interface FleetInstance {
  id: string;
  /** `Pending`, `InService`, `Standby`, `Terminating`… */
  lifecycleState: string;
  /** `Healthy` or `Unhealthy`. */
  healthStatus: string;
}

export interface FleetView {
  name: string;
  capacity: Capacity;
  instances: FleetInstance[];
  targetGroupArns: string[];
  subnets: string[];
  healthCheckGracePeriod: number;
  /** Null for a group launched otherwise (launch configuration, mixed instances policy). */
  launchTemplate: { id: string; version: string } | null;
  tags: Record<string, string>;
  /** `Delete in progress` while a deletion runs; absent otherwise. */
  status?: string;
}

export interface FleetSpec {
  name: string;
  launchTemplate: { id: string; version: string };
  capacity: Capacity;
  subnets: string[];
  targetGroupArn: string;
  healthCheckGracePeriod: number;
  /** Propagated to the instances at launch. */
  tags: Record<string, string>;
}

/** The release a launch template version is made for: its resource name (`bg-shop-5`) and artifact version. */
export interface VersionedRelease {
  name: string;
  version: string;
}

export interface Fleet {
  describe(name: string): Promise<FleetView | null>;
  /**
   * The release's launch template version: the one already made for it (a
   * retried step), else a new one from `$Latest` whose user data exports
   * `variable=version` and whose instances carry the version tag. Returns its number.
   */
  launchTemplateVersion(launchTemplateId: string, release: VersionedRelease, variable: string): Promise<string>;
  /** Deletes the versions made for the release (`bg-shop-5`), except the template's default version; none left is done already. */
  deleteLaunchTemplateVersions(launchTemplateId: string, releaseName: string): Promise<void>;
  /**
   * Creating a group that already exists is fine when it is the one `spec`
   * describes (a retried step); any other group of that name (being deleted,
   * another launch template version or target group) is `FleetNameTaken`.
   */
  create(spec: FleetSpec): Promise<void>;
  setCapacity(name: string, capacity: Capacity): Promise<void>;
  /** on: every InService instance to Standby, lowering the desired capacity; off: every Standby instance back. */
  standby(name: string, on: boolean): Promise<void>;
  /** Force-deletes the group and its instances; a missing group is already deleted. */
  delete(name: string): Promise<void>;
}

export function createFleet(autoScaling: AutoScalingClient, ec2: EC2Client): Fleet {
  async function describeGroup(name: string): Promise<AutoScalingGroup | null> {
    const described = await call('autoscaling:DescribeAutoScalingGroups', () =>
      autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] })),
    );
    return described.AutoScalingGroups?.[0] ?? null;
  }

  async function versionsOf(launchTemplateId: string): Promise<LaunchTemplateVersion[]> {
    return call('ec2:DescribeLaunchTemplateVersions', async () => {
      const versions: LaunchTemplateVersion[] = [];
      for await (const page of paginateDescribeLaunchTemplateVersions({ client: ec2 }, { LaunchTemplateId: launchTemplateId, MaxResults: VERSIONS_BATCH })) {
        versions.push(...(page.LaunchTemplateVersions ?? []));
      }
      return versions;
    });
  }

  return {
    async describe(name) {
      const group = await describeGroup(name);
      return group ? toFleetView(group) : null;
    },

    async launchTemplateVersion(launchTemplateId, release, variable) {
      const { version } = release;
      const described = await call('ec2:DescribeLaunchTemplateVersions', () =>
        ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['$Latest'] })),
      );
      const latest = described.LaunchTemplateVersions?.[0];
      if (!latest) throw new ResourceNotFound(`launch template ${launchTemplateId} has no $Latest version`);
      const made = madeFor(latest, release.name) ? latest : (await versionsOf(launchTemplateId)).find((v) => madeFor(v, release.name));
      if (made?.VersionNumber !== undefined) return String(made.VersionNumber);
      const data = latest.LaunchTemplateData ?? {};
      const userData = withExport(launchTemplateId, decode(data.UserData), variable, version);
      const created = await call('ec2:CreateLaunchTemplateVersion', () =>
        ec2.send(
          new CreateLaunchTemplateVersionCommand({
            LaunchTemplateId: launchTemplateId,
            SourceVersion: String(latest.VersionNumber),
            VersionDescription: `${release.name} ${variable}=${version}`.slice(0, 255),
            LaunchTemplateData: {
              UserData: Buffer.from(userData).toString('base64'),
              TagSpecifications: withVersionTag(data.TagSpecifications ?? [], version),
            },
          }),
        ),
      );
      const number = created.LaunchTemplateVersion?.VersionNumber;
      if (number === undefined) throw new AwsRequestFailed(`launch template ${launchTemplateId}: no version number in the answer`);
      return String(number);
    },

    async deleteLaunchTemplateVersions(launchTemplateId, releaseName) {
      // The default version cannot be deleted (EC2 API reference, "DeleteLaunchTemplateVersions"):
      // whoever made a release's version the default has taken it over.
      const numbers = (await versionsOf(launchTemplateId))
        .filter((v) => madeFor(v, releaseName) && !v.DefaultVersion && v.VersionNumber !== undefined)
        .map((v) => String(v.VersionNumber));
      for (let i = 0; i < numbers.length; i += VERSIONS_BATCH) {
        const answer = await call('ec2:DeleteLaunchTemplateVersions', () =>
          ec2.send(new DeleteLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: numbers.slice(i, i + VERSIONS_BATCH) })),
        );
        // Each version is answered on its own; one already gone is deleted already.
        const failed = (answer.UnsuccessfullyDeletedLaunchTemplateVersions ?? []).filter((f) => f.ResponseError?.Code !== 'launchTemplateVersionDoesNotExist');
        if (failed.length > 0) {
          const reasons = failed.map((f) => `version ${f.VersionNumber}: ${f.ResponseError?.Code}: ${f.ResponseError?.Message}`).join('; ');
          throw new AwsRequestFailed(`ec2:DeleteLaunchTemplateVersions on ${launchTemplateId} for ${releaseName} failed: ${reasons}`);
        }
      }
    },

    async create(spec) {
      try {
        await autoScaling.send(
          new CreateAutoScalingGroupCommand({
            AutoScalingGroupName: spec.name,
            LaunchTemplate: { LaunchTemplateId: spec.launchTemplate.id, Version: spec.launchTemplate.version },
            MinSize: spec.capacity.min,
            MaxSize: spec.capacity.max,
            DesiredCapacity: spec.capacity.desired,
            VPCZoneIdentifier: spec.subnets.join(','),
            TargetGroupARNs: [spec.targetGroupArn],
            HealthCheckType: 'ELB',
            HealthCheckGracePeriod: spec.healthCheckGracePeriod,
            Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value, PropagateAtLaunch: true })),
          }),
        );
      } catch (error) {
        if (!awsErrorCode(error).startsWith('AlreadyExists')) throw mapAwsError(error, 'autoscaling:CreateAutoScalingGroup');
        // Auto Scaling answers AlreadyExists for a group still being deleted too ("Delete in progress").
        const problem = notAskedFor(await describeGroup(spec.name), spec);
        if (problem) throw new FleetNameTaken(`Auto Scaling group ${spec.name} already exists and is not the one this deployment asked for: ${problem}`, { cause: error });
      }
    },

    async setCapacity(name, capacity) {
      await call('autoscaling:UpdateAutoScalingGroup', () =>
        autoScaling.send(
          new UpdateAutoScalingGroupCommand({
            AutoScalingGroupName: name,
            MinSize: capacity.min,
            MaxSize: capacity.max,
            DesiredCapacity: capacity.desired,
          }),
        ),
      );
    },

    async standby(name, on) {
      const group = await describeGroup(name);
      if (!group) throw new ResourceNotFound(`Auto Scaling group ${name} not found`);
      const from = on ? 'InService' : 'Standby';
      const ids = (group.Instances ?? []).filter((i) => i.LifecycleState === from).map((i) => i.InstanceId ?? '');
      for (let i = 0; i < ids.length; i += STANDBY_BATCH) {
        const batch = { AutoScalingGroupName: name, InstanceIds: ids.slice(i, i + STANDBY_BATCH) };
        if (on) {
          await call('autoscaling:EnterStandby', () =>
            autoScaling.send(new EnterStandbyCommand({ ...batch, ShouldDecrementDesiredCapacity: true })),
          );
        } else {
          await call('autoscaling:ExitStandby', () => autoScaling.send(new ExitStandbyCommand(batch)));
        }
      }
    },

    async delete(name) {
      try {
        await call('autoscaling:DeleteAutoScalingGroup', () =>
          autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true })),
        );
      } catch (error) {
        if (!(error instanceof ResourceNotFound)) throw error;
      }
    },
  };
}

/** Why an existing group is not the one `spec` asks for; undefined when it is (the first attempt of a retried step made it). */
function notAskedFor(group: AutoScalingGroup | null, spec: FleetSpec): string | undefined {
  if (!group) return 'it was being deleted';
  if (group.Status) return `it is being deleted (${group.Status})`;
  const template = group.LaunchTemplate;
  if (template?.LaunchTemplateId !== spec.launchTemplate.id || template.Version !== spec.launchTemplate.version) {
    return `it launches from ${template?.LaunchTemplateId ?? 'no launch template'} version ${template?.Version ?? '-'}, not ${spec.launchTemplate.id} version ${spec.launchTemplate.version}`;
  }
  const targetGroups = group.TargetGroupARNs ?? [];
  if (targetGroups.length !== 1 || targetGroups[0] !== spec.targetGroupArn) {
    return `it serves ${targetGroups.join(', ') || 'no target group'}, not ${spec.targetGroupArn}`;
  }
  return undefined;
}

/** A version made for `releaseName`: its description starts with the name and a space (`bg-shop-5 APP_VERSION=…`). */
function madeFor(version: LaunchTemplateVersion, releaseName: string): boolean {
  return version.VersionDescription?.startsWith(`${releaseName} `) ?? false;
}

function toFleetView(group: AutoScalingGroup): FleetView {
  const template = group.LaunchTemplate;
  return {
    name: group.AutoScalingGroupName ?? '',
    capacity: { min: group.MinSize ?? 0, max: group.MaxSize ?? 0, desired: group.DesiredCapacity ?? 0 },
    instances: (group.Instances ?? []).map((i) => ({
      id: i.InstanceId ?? '',
      lifecycleState: i.LifecycleState ?? '',
      healthStatus: i.HealthStatus ?? '',
    })),
    targetGroupArns: group.TargetGroupARNs ?? [],
    subnets: (group.VPCZoneIdentifier ?? '').split(',').filter((s) => s !== ''),
    healthCheckGracePeriod: group.HealthCheckGracePeriod ?? 0,
    launchTemplate: template?.LaunchTemplateId ? { id: template.LaunchTemplateId, version: template.Version ?? '$Default' } : null,
    tags: Object.fromEntries((group.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    ...(group.Status ? { status: group.Status } : {}),
  };
}

/**
 * The user data with `export VARIABLE='version'` as its first command (any
 * earlier export of the same variable removed). The user data must be a
 * shell script, or empty.
 */
function withExport(launchTemplateId: string, script: string, variable: string, version: string): string {
  const line = `export ${variable}=${shellQuote(version)}`;
  if (script.trim() === '') return `#!/bin/bash\n${line}\n`;
  const [first = '', ...rest] = script.split('\n');
  if (!first.startsWith('#!')) {
    throw new ConfigInvalid(`launch template ${launchTemplateId}: user data must be a shell script starting with #! to carry ${variable}`);
  }
  return [first, line, ...rest.filter((l) => !l.startsWith(`export ${variable}=`))].join('\n');
}

/** The template's tag specifications, with the instance tags carrying the version tag. */
function withVersionTag(specs: LaunchTemplateTagSpecification[], version: string): LaunchTemplateTagSpecification[] {
  const instance = specs.find((s) => s.ResourceType === 'instance');
  const tags = [...(instance?.Tags ?? []).filter((t) => t.Key !== TAG.version), { Key: TAG.version, Value: version }];
  return [...specs.filter((s) => s !== instance), { ResourceType: 'instance', Tags: tags }];
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

function decode(base64: string | undefined): string {
  return base64 ? Buffer.from(base64, 'base64').toString('utf8') : '';
}
