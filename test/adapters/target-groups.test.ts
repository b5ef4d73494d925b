// Target groups against a real ELBv2 API: a new release copies the live one,
// releases are found by tags alone, health and deletion map cleanly.
import { RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeTagsCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { createTargetGroups } from '../../functions/adapters/target-groups.ts';
import { ResourceNotFound, TargetGroupInUse } from '../../functions/core/errors.ts';
import { MANAGED_BY, TAG } from '../../functions/core/model.ts';
import { releaseTags } from '../../functions/core/names.ts';
import { seedInfrastructure, type SeededInfrastructure } from '../../local/seed.ts';
import { backends, useBackend, type AwsClients } from '../support/backends.ts';

let seeds = 0;

async function seed(aws: AwsClients): Promise<SeededInfrastructure> {
  seeds += 1;
  return seedInfrastructure(aws, { name: `groups-${seeds}` });
}

/** A target group made by hand, the way a user's first release might look. */
async function handMadeGroup(aws: AwsClients, name: string, vpcId: string): Promise<string> {
  const created = await aws.elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: vpcId,
      TargetType: 'instance',
      HealthCheckProtocol: 'HTTP',
      HealthCheckPath: '/health',
      HealthCheckPort: 'traffic-port',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 4,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 3,
      Matcher: { HttpCode: '200-299' },
    }),
  );
  return created.TargetGroups![0]!.TargetGroupArn!;
}

async function tagsOf(aws: AwsClients, arn: string): Promise<Record<string, string>> {
  const described = await aws.elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  return Object.fromEntries((described.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}

describe.each(backends)('TargetGroups against $name', (backend) => {
  const clients = useBackend(backend);

  it('copies settings and every attribute to a new release, then tags it', async () => {
    // Prepare
    const aws = clients();
    const infra = await seed(aws);
    const groups = createTargetGroups(aws.elbv2);
    const live = await handMadeGroup(aws, 'bg-copy-1', infra.vpcId);
    await aws.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: live,
        Attributes: [
          { Key: 'deregistration_delay.timeout_seconds', Value: '45' },
          { Key: 'stickiness.enabled', Value: 'true' },
          { Key: 'stickiness.type', Value: 'lb_cookie' },
          { Key: 'stickiness.lb_cookie.duration_seconds', Value: '3600' },
          { Key: 'slow_start.duration_seconds', Value: '60' },
          { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' },
        ],
      }),
    );
    const settings = await groups.readSettings(live);

    // Act
    const arn = await groups.create('bg-copy-2', settings, releaseTags('copy', 2, '2.0.0'));

    // Assess
    expect(settings).toMatchObject({
      protocol: 'HTTP',
      port: 8080,
      vpcId: infra.vpcId,
      targetType: 'instance',
      healthCheck: {
        path: '/health',
        protocol: 'HTTP',
        port: 'traffic-port',
        intervalSeconds: 10,
        timeoutSeconds: 4,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        matcher: '200-299',
      },
      attributes: {
        'deregistration_delay.timeout_seconds': '45',
        'stickiness.enabled': 'true',
        'stickiness.lb_cookie.duration_seconds': '3600',
        'slow_start.duration_seconds': '60',
        'load_balancing.algorithm.type': 'least_outstanding_requests',
      },
    });
    expect(arn).not.toBe(live);
    expect(await groups.readSettings(arn)).toEqual(settings);
    expect(await tagsOf(aws, arn)).toEqual(releaseTags('copy', 2, '2.0.0'));
  });

  it('creates idempotently: the same name gives the same group', async () => {
    // Prepare
    const aws = clients();
    const infra = await seed(aws);
    const groups = createTargetGroups(aws.elbv2);
    const settings = await groups.readSettings(await handMadeGroup(aws, 'bg-again-1', infra.vpcId));
    const first = await groups.create('bg-again-2', settings, releaseTags('again', 2, '2.0.0'));

    // Act
    const second = await groups.create('bg-again-2', settings, releaseTags('again', 2, '2.0.0'));

    // Assess
    expect(second).toBe(first);
  });

  it('lists the releases of a service from tags alone, oldest first, ignoring foreign and untagged groups', async () => {
    // Prepare: 21 releases (more than one DescribeTags batch), created out of order
    const aws = clients();
    const infra = await seed(aws);
    const groups = createTargetGroups(aws.elbv2);
    const settings = await groups.readSettings(await handMadeGroup(aws, 'template-list', infra.vpcId));
    const numbers = Array.from({ length: 21 }, (_, i) => 21 - i);
    for (const n of numbers) await groups.create(`bg-list-${n}`, settings, releaseTags('list', n, `1.${n}.0`));
    await handMadeGroup(aws, 'bg-list-22', infra.vpcId); // untagged: a release still being created
    const foreign = await handMadeGroup(aws, 'bg-list-23', infra.vpcId);
    await aws.elbv2.send(new AddTagsCommand({ ResourceArns: [foreign], Tags: [{ Key: TAG.managedBy, Value: 'someone-else' }, { Key: TAG.service, Value: 'list' }] }));
    await groups.create('bg-list-admin-1', settings, releaseTags('list-admin', 1, '9.9.9')); // shares the name prefix

    // Act
    const releases = await groups.listReleases('list');

    // Assess
    expect(releases.map((r) => r.number)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(releases[9]).toMatchObject({
      service: 'list',
      number: 10,
      version: '1.10.0',
      targetGroupName: 'bg-list-10',
      autoScalingGroupName: 'bg-list-10',
    });
    expect(releases[9]!.targetGroupArn).toContain(':targetgroup/bg-list-10/');
    expect(await tagsOf(aws, releases[0]!.targetGroupArn)).toMatchObject({ [TAG.managedBy]: MANAGED_BY });
  });

  it('reports the health of every registered target', async () => {
    // Prepare
    const aws = clients();
    const infra = await seed(aws);
    const groups = createTargetGroups(aws.elbv2);
    const arn = await handMadeGroup(aws, 'bg-health-1', infra.vpcId);
    const launched = await aws.ec2.send(new RunInstancesCommand({ ImageId: 'ami-0123456789abcdef0', MinCount: 2, MaxCount: 2, SubnetId: infra.subnetIds[0] }));
    const ids = (launched.Instances ?? []).map((i) => i.InstanceId!);
    await aws.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: ids.map((Id) => ({ Id })) }));

    // Act
    const health = await groups.health(arn);

    // Assess: the states an emulator reports vary (moto: healthy at once), the targets do not
    expect(health.map((t) => t.id).sort()).toEqual([...ids].sort());
    expect(health.every((t) => t.port === 8080)).toBe(true);
    expect(health.every((t) => ['initial', 'healthy', 'unhealthy', 'unused', 'draining', 'unavailable'].includes(t.state))).toBe(true);
  });

  it('refuses to delete a group a listener rule still uses, and deletes a free one once', async () => {
    // Prepare
    const aws = clients();
    const infra = await seed(aws);
    const groups = createTargetGroups(aws.elbv2);
    const used = await handMadeGroup(aws, 'bg-delete-1', infra.vpcId);
    const free = await handMadeGroup(aws, 'bg-delete-2', infra.vpcId);
    await aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: infra.listenerArn,
        Priority: 10,
        Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['blue'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: used }],
      }),
    );

    // Act
    const refused = await groups.delete(used).catch((error: unknown) => error);
    await groups.delete(free);
    const again = await groups.delete(free).catch((error: unknown) => error);

    // Assess
    // The name the workflow's Retry matches: ELBv2 keeps answering this for a while after a listener change.
    expect(refused).toBeInstanceOf(TargetGroupInUse);
    expect((refused as Error).name).toBe('TargetGroupInUse');
    expect(again).toBeUndefined();
    await expect(groups.readSettings(used)).resolves.toMatchObject({ port: 8080 });
    await expect(groups.readSettings(free)).rejects.toBeInstanceOf(ResourceNotFound);
  });
});
