// Target groups, one per release: found by name prefix and tags, copied from
// the live release (settings and attributes), watched for health, deleted.
//
// AWS operations (elasticloadbalancing:*): DescribeTargetGroups, DescribeTags,
// DescribeTargetGroupAttributes, CreateTargetGroup (with tags), ModifyTargetGroupAttributes,
// AddTags (only on a group that already existed), DescribeTargetHealth, DeleteTargetGroup.
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  paginateDescribeTargetGroups,
  type ElasticLoadBalancingV2Client,
  type TargetGroup,
  type TargetTypeEnum,
  type ProtocolEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsRequestFailed, ResourceInUse, ResourceNotFound, TargetGroupInUse } from '../core/errors.ts';
import { MANAGED_BY, TAG, type Release, type TargetHealth } from '../core/model.ts';
import { RESOURCE_PREFIX, autoScalingGroupName } from '../core/names.ts';
import { awsErrorCode, call, mapAwsError } from './aws-errors.ts';

/** DescribeTags takes at most 20 ARNs per call. */
const TAGS_BATCH = 20;

const TARGET_STATES: TargetHealth['state'][] = ['initial', 'healthy', 'unhealthy', 'unused', 'draining', 'unavailable'];

/** What a new release's target group copies from the live one. */
export interface TargetGroupSettings {
  protocol: ProtocolEnum;
  port: number;
  vpcId: string;
  targetType: TargetTypeEnum;
  /** HTTP1, HTTP2 or GRPC; absent: the AWS default (HTTP1). */
  protocolVersion?: string;
  healthCheck: {
    path: string;
    protocol: ProtocolEnum;
    /** A port number or `traffic-port`. */
    port: string;
    intervalSeconds: number;
    timeoutSeconds: number;
    healthyThreshold: number;
    unhealthyThreshold: number;
    /** HTTP codes, e.g. `200` or `200-399`. */
    matcher: string;
  };
  /** Every attribute as DescribeTargetGroupAttributes reports it (deregistration delay, stickiness, slow start, algorithm…). */
  attributes: Record<string, string>;
}

export interface TargetGroups {
  /** The service's managed releases, oldest first; untagged or foreign groups are left out. */
  listReleases(service: string): Promise<Release[]>;
  readSettings(targetGroupArn: string): Promise<TargetGroupSettings>;
  /** Creates (or finds, by name) the group, copies the attributes, then tags it; returns its ARN. */
  create(name: string, settings: TargetGroupSettings, tags: Record<string, string>): Promise<string>;
  health(targetGroupArn: string): Promise<TargetHealth[]>;
  /** A missing group is already deleted; a group ELBv2 still counts as used is `TargetGroupInUse`. */
  delete(targetGroupArn: string): Promise<void>;
}

export function createTargetGroups(client: ElasticLoadBalancingV2Client): TargetGroups {
  return {
    async listReleases(service) {
      const prefix = `${RESOURCE_PREFIX}-${service}-`;
      const groups = (await describeAllTargetGroups(client)).filter((group) => group.TargetGroupName?.startsWith(prefix));
      const tags = await describeTags(client, groups.map((group) => group.TargetGroupArn ?? ''));
      return groups
        .flatMap((group) => toRelease(service, group, tags.get(group.TargetGroupArn ?? '') ?? {}))
        .sort((a, b) => a.number - b.number);
    },

    async readSettings(targetGroupArn) {
      const described = await call('elasticloadbalancing:DescribeTargetGroups', () =>
        client.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] })),
      );
      const group = described.TargetGroups?.[0];
      if (!group) throw new ResourceNotFound(`target group ${targetGroupArn} not found`);
      const attributes = await call('elasticloadbalancing:DescribeTargetGroupAttributes', () =>
        client.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn })),
      );
      return toSettings(group, Object.fromEntries((attributes.Attributes ?? []).map((a) => [a.Key ?? '', a.Value ?? ''])));
    },

    async create(name, settings, tags) {
      // Tags at creation: IAM scopes CreateTargetGroup by `aws:RequestTag`, and a
      // group never exists untagged (no orphan invisible to `listReleases`).
      const { targetGroupArn, created } = await createOrFind(client, name, settings, tags);
      if (!created) {
        // A group of that name existed (a retried step): make sure it carries the release tags.
        await call('elasticloadbalancing:AddTags', () =>
          client.send(new AddTagsCommand({ ResourceArns: [targetGroupArn], Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) })),
        );
      }
      // An empty value is an unset attribute (the app cookie name of an lb_cookie
      // group, say): AWS refuses it back.
      const attributes = Object.entries(settings.attributes)
        .filter(([, value]) => value !== '')
        .map(([Key, Value]) => ({ Key, Value }));
      if (attributes.length > 0) {
        await call('elasticloadbalancing:ModifyTargetGroupAttributes', () =>
          client.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn, Attributes: attributes })),
        );
      }
      return targetGroupArn;
    },

    async health(targetGroupArn) {
      const described = await call('elasticloadbalancing:DescribeTargetHealth', () =>
        client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
      );
      return (described.TargetHealthDescriptions ?? []).map((d) => ({
        id: d.Target?.Id ?? '',
        port: d.Target?.Port,
        state: toTargetState(d.TargetHealth?.State),
        reason: d.TargetHealth?.Reason,
      }));
    },

    async delete(targetGroupArn) {
      try {
        await call('elasticloadbalancing:DeleteTargetGroup', () =>
          client.send(new DeleteTargetGroupCommand({ TargetGroupArn: targetGroupArn })),
        );
      } catch (error) {
        if (error instanceof ResourceNotFound) return;
        // The caller checked that no rule references the group; ELBv2 can still
        // answer ResourceInUse for a while after the listener change.
        if (error instanceof ResourceInUse) throw new TargetGroupInUse(error.message, { cause: error });
        throw error;
      }
    },
  };
}

async function describeAllTargetGroups(client: ElasticLoadBalancingV2Client): Promise<TargetGroup[]> {
  return call('elasticloadbalancing:DescribeTargetGroups', async () => {
    const groups: TargetGroup[] = [];
    for await (const page of paginateDescribeTargetGroups({ client }, {})) groups.push(...(page.TargetGroups ?? []));
    return groups;
  });
}

async function describeTags(client: ElasticLoadBalancingV2Client, arns: string[]): Promise<Map<string, Record<string, string>>> {
  const tags = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += TAGS_BATCH) {
    const described = await call('elasticloadbalancing:DescribeTags', () =>
      client.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + TAGS_BATCH) })),
    );
    for (const d of described.TagDescriptions ?? []) {
      tags.set(d.ResourceArn ?? '', Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])));
    }
  }
  return tags;
}

/** `unhealthy.draining` (an unhealthy target being drained) is draining; a state this code does not know is unavailable. */
function toTargetState(state: string | undefined): TargetHealth['state'] {
  if (state === 'unhealthy.draining') return 'draining';
  return TARGET_STATES.find((known) => known === state) ?? 'unavailable';
}

/** A release only when tagged managed-by=bluegreen, for this service, with a release number and a version. */
function toRelease(service: string, group: TargetGroup, tags: Record<string, string>): Release[] {
  const number = Number(tags[TAG.release]);
  const version = tags[TAG.version];
  if (tags[TAG.managedBy] !== MANAGED_BY || tags[TAG.service] !== service) return [];
  if (!Number.isInteger(number) || number < 1 || version === undefined) return [];
  return [
    {
      service,
      number,
      version,
      targetGroupArn: group.TargetGroupArn ?? '',
      targetGroupName: group.TargetGroupName ?? '',
      autoScalingGroupName: autoScalingGroupName(service, number),
    },
  ];
}

function toSettings(group: TargetGroup, attributes: Record<string, string>): TargetGroupSettings {
  const arn = group.TargetGroupArn ?? '';
  return {
    protocol: present(group.Protocol, 'Protocol', arn),
    port: present(group.Port, 'Port', arn),
    vpcId: present(group.VpcId, 'VpcId', arn),
    targetType: present(group.TargetType, 'TargetType', arn),
    protocolVersion: group.ProtocolVersion,
    healthCheck: {
      path: present(group.HealthCheckPath, 'HealthCheckPath', arn),
      protocol: present(group.HealthCheckProtocol, 'HealthCheckProtocol', arn),
      port: present(group.HealthCheckPort, 'HealthCheckPort', arn),
      intervalSeconds: present(group.HealthCheckIntervalSeconds, 'HealthCheckIntervalSeconds', arn),
      timeoutSeconds: present(group.HealthCheckTimeoutSeconds, 'HealthCheckTimeoutSeconds', arn),
      healthyThreshold: present(group.HealthyThresholdCount, 'HealthyThresholdCount', arn),
      unhealthyThreshold: present(group.UnhealthyThresholdCount, 'UnhealthyThresholdCount', arn),
      matcher: present(group.Matcher?.HttpCode, 'Matcher.HttpCode', arn),
    },
    attributes,
  };
}

/** Only HTTP(S) instance/ip target groups can be copied: they always report these fields. */
function present<T>(value: T | undefined, field: string, targetGroupArn: string): T {
  if (value === undefined) throw new AwsRequestFailed(`target group ${targetGroupArn} has no ${field}: only HTTP(S) target groups can be copied`);
  return value;
}

/** Same name, same group: a retried create finds the group the first attempt made. */
async function createOrFind(
  client: ElasticLoadBalancingV2Client,
  name: string,
  settings: TargetGroupSettings,
  tags: Record<string, string>,
): Promise<{ targetGroupArn: string; created: boolean }> {
  try {
    const created = await client.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: settings.protocol,
        Port: settings.port,
        VpcId: settings.vpcId,
        TargetType: settings.targetType,
        ProtocolVersion: settings.protocolVersion,
        HealthCheckPath: settings.healthCheck.path,
        HealthCheckProtocol: settings.healthCheck.protocol,
        HealthCheckPort: settings.healthCheck.port,
        HealthCheckIntervalSeconds: settings.healthCheck.intervalSeconds,
        HealthCheckTimeoutSeconds: settings.healthCheck.timeoutSeconds,
        HealthyThresholdCount: settings.healthCheck.healthyThreshold,
        UnhealthyThresholdCount: settings.healthCheck.unhealthyThreshold,
        Matcher: { HttpCode: settings.healthCheck.matcher },
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn;
    if (arn) return { targetGroupArn: arn, created: true };
  } catch (error) {
    // AWS answers an identical create with the existing group, a differing one with DuplicateTargetGroupName.
    if (!awsErrorCode(error).startsWith('DuplicateTargetGroupName')) throw mapAwsError(error, 'elasticloadbalancing:CreateTargetGroup');
  }
  return { targetGroupArn: await findByName(client, name), created: false };
}

async function findByName(client: ElasticLoadBalancingV2Client, name: string): Promise<string> {
  const existing = await call('elasticloadbalancing:DescribeTargetGroups', () =>
    client.send(new DescribeTargetGroupsCommand({ Names: [name] })),
  );
  const arn = existing.TargetGroups?.[0]?.TargetGroupArn;
  if (!arn) throw new ResourceNotFound(`target group ${name} not found`);
  return arn;
}
