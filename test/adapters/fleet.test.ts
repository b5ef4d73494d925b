// Auto Scaling groups and launch template versions against real AWS APIs,
// plus the user-data edits a scripted EC2 client shows best.
import {
  CreateLaunchTemplateVersionCommand,
  DescribeInstancesCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  type LaunchTemplateVersion,
} from '@aws-sdk/client-ec2';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateTargetGroupCommand, DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFleet, type Fleet, type FleetSpec, type FleetView } from '../../functions/adapters/fleet.ts';
import { createTargetGroups } from '../../functions/adapters/target-groups.ts';
import { ConfigInvalid, FleetNameTaken } from '../../functions/core/errors.ts';
import { TAG } from '../../functions/core/model.ts';
import { releaseTags } from '../../functions/core/names.ts';
import { seedInfrastructure } from '../../local/seed.ts';
import { backends, useBackend, type AwsClients } from '../support/backends.ts';

let seeds = 0;

/** A seeded VPC and launch template, a target group, and the spec of release 1's fleet on them. */
async function prepare(aws: AwsClients, capacity = { min: 0, max: 4, desired: 2 }): Promise<FleetSpec> {
  seeds += 1;
  const infra = await seedInfrastructure(aws, { name: `fleet-${seeds}` });
  const name = `bg-fleet${seeds}-1`;
  const group = await aws.elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: infra.vpcId }));
  const version = await createFleet(aws.autoScaling, aws.ec2).launchTemplateVersion(infra.launchTemplateId, { name, version: '1.0.0' }, 'APP_VERSION');
  return {
    name,
    launchTemplate: { id: infra.launchTemplateId, version },
    capacity,
    subnets: infra.subnetIds,
    targetGroupArn: group.TargetGroups![0]!.TargetGroupArn!,
    healthCheckGracePeriod: 60,
    tags: releaseTags(`fleet${seeds}`, 1, '1.0.0'),
  };
}

async function userDataOf(aws: AwsClients, launchTemplateId: string, version: string): Promise<LaunchTemplateVersion> {
  const described = await aws.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: [version] }));
  return described.LaunchTemplateVersions![0]!;
}

const decode = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');

/**
 * Reads `name` until every instance is in `state` (moto moves at once, AWS and
 * the local cloud pass through Pending, EnteringStandby, Terminating…) and
 * returns that view; after 10 s, the last view, for the assertions to show.
 */
async function settled(fleet: Fleet, name: string, state: string, count: number): Promise<FleetView | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const view = await fleet.describe(name);
    const instances = view?.instances ?? [];
    if ((instances.length === count && instances.every((i) => i.lifecycleState === state)) || Date.now() > deadline) return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads `name` until the group is gone (AWS keeps describing it while its instances terminate); after 10 s, the last view. */
async function gone(fleet: Fleet, name: string): Promise<FleetView | null> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const view = await fleet.describe(name);
    if (view === null || Date.now() > deadline) return view;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(backends)('Fleet against $name', (backend) => {
  const clients = useBackend(backend);

  it("creates a fleet from the release's template version, attached to its target group, and describes it", async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);

    // Act
    await fleet.create(spec);

    // Assess: an instance is registered in its target group once it is InService, after its boot.
    const view = await settled(fleet, spec.name, 'InService', 2);
    expect(view).toMatchObject({
      name: spec.name,
      capacity: spec.capacity,
      targetGroupArns: [spec.targetGroupArn],
      subnets: spec.subnets,
      healthCheckGracePeriod: 60,
      launchTemplate: spec.launchTemplate,
      tags: spec.tags,
    });
    expect(view!.instances).toHaveLength(2);
    expect(view!.instances.every((i) => i.id.startsWith('i-') && i.healthStatus === 'Healthy')).toBe(true);
    const health = await createTargetGroups(aws.elbv2).health(spec.targetGroupArn);
    expect(health.map((t) => t.id).sort()).toEqual(view!.instances.map((i) => i.id).sort());
    const instances = await aws.ec2.send(new DescribeInstancesCommand({ InstanceIds: view!.instances.map((i) => i.id) }));
    for (const instance of (instances.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      expect(instance.Tags).toEqual(expect.arrayContaining([{ Key: TAG.version, Value: '1.0.0' }, { Key: TAG.release, Value: '1' }]));
    }
  });

  it('creates idempotently: a retried create of the same fleet succeeds', async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    await fleet.create(spec);

    // Act (AWS answers AlreadyExists; moto replaces the group instead, so
    // nothing about its instances is asserted here)
    await fleet.create(spec);

    // Assess
    expect(await fleet.describe(spec.name)).toMatchObject({ name: spec.name, capacity: spec.capacity, targetGroupArns: [spec.targetGroupArn] });
  });

  it('describes a missing fleet as null', async () => {
    await expect(createFleet(clients().autoScaling, clients().ec2).describe('bg-nothing-1')).resolves.toBeNull();
  });

  it('sets the capacity', async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    await fleet.create(spec);

    // Act
    await fleet.setCapacity(spec.name, { min: 1, max: 5, desired: 3 });

    // Assess
    const view = await fleet.describe(spec.name);
    expect(view!.capacity).toEqual({ min: 1, max: 5, desired: 3 });
    expect(view!.instances).toHaveLength(3);
  });

  it('moves every in-service instance to standby and back', async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws, { min: 0, max: 4, desired: 2 });
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    await fleet.create(spec);
    await settled(fleet, spec.name, 'InService', 2);

    // Act
    await fleet.standby(spec.name, true);
    const parked = await settled(fleet, spec.name, 'Standby', 2);
    await fleet.standby(spec.name, false);
    const back = await settled(fleet, spec.name, 'InService', 2);

    // Assess
    expect(parked!.capacity.desired).toBe(0);
    expect(parked!.instances.map((i) => i.lifecycleState)).toEqual(['Standby', 'Standby']);
    expect(back!.capacity.desired).toBe(2);
    expect(back!.instances.map((i) => i.lifecycleState)).toEqual(['InService', 'InService']);
    expect(back!.instances.map((i) => i.id)).toEqual(parked!.instances.map((i) => i.id));
  });

  it('deletes a fleet, and deleting it again is done already', async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    await fleet.create(spec);

    // Act
    await fleet.delete(spec.name);
    const again = await fleet.delete(spec.name).catch((error: unknown) => error);

    // Assess
    expect(again).toBeUndefined();
    expect(await gone(fleet, spec.name)).toBeNull();
  });

  it('makes launch template versions that carry the artifact version', async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);

    // Act
    const second = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-2', version: '2.0.0' }, 'APP_VERSION');
    const third = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-3', version: '3.0.0' }, 'APP_VERSION');

    // Assess
    expect([second, third]).toEqual(['3', '4']); // version 2 is release 1's, made by prepare
    const v2 = await userDataOf(aws, spec.launchTemplate.id, second);
    const v3 = await userDataOf(aws, spec.launchTemplate.id, third);
    expect(decode(v2.LaunchTemplateData?.UserData)).toBe("#!/bin/bash\nexport APP_VERSION='2.0.0'\necho \"starting the application\"\n");
    expect(decode(v3.LaunchTemplateData?.UserData)).toBe("#!/bin/bash\nexport APP_VERSION='3.0.0'\necho \"starting the application\"\n");
    expect(v3.LaunchTemplateData?.TagSpecifications).toEqual([{ ResourceType: 'instance', Tags: [{ Key: TAG.version, Value: '3.0.0' }] }]);
    expect(v3.VersionDescription).toBe('bg-fleet-3 APP_VERSION=3.0.0');
  });

  it("makes one launch template version per release, however often a retried step asks for it, even after another release's", async () => {
    // Prepare
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    const before = await versionNumbers(aws, spec.launchTemplate.id);

    // Act
    const first = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-2', version: '2.0.0' }, 'APP_VERSION');
    const retried = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-2', version: '2.0.0' }, 'APP_VERSION');
    const other = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-20', version: '2.1.0' }, 'APP_VERSION');
    const retriedAfterOther = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-2', version: '2.0.0' }, 'APP_VERSION');

    // Assess
    expect([retried, retriedAfterOther]).toEqual([first, first]);
    expect(other).not.toBe(first);
    expect(await versionNumbers(aws, spec.launchTemplate.id)).toEqual([...before, Number(first), Number(other)]);
  });

  it("deletes the launch template versions made for a release, and no other; deleting them again is done already", async () => {
    // Prepare: the template's default version 1, release 1's version (made by prepare), releases 2 and 3's.
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    const two = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-2', version: '2.0.0' }, 'APP_VERSION');
    const three = await fleet.launchTemplateVersion(spec.launchTemplate.id, { name: 'bg-fleet-3', version: '3.0.0' }, 'APP_VERSION');

    // Act
    await fleet.deleteLaunchTemplateVersions(spec.launchTemplate.id, 'bg-fleet-2');
    const again = await fleet.deleteLaunchTemplateVersions(spec.launchTemplate.id, 'bg-fleet-2').catch((error: unknown) => error);

    // Assess
    expect(again).toBeUndefined();
    expect(await versionNumbers(aws, spec.launchTemplate.id)).toEqual([1, Number(spec.launchTemplate.version), Number(three)]);
    const missing = await aws.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: spec.launchTemplate.id, Versions: [two] })).catch((error: Error) => error.name);
    expect(missing).toBe('InvalidLaunchTemplateId.VersionNotFound');
  });
});

async function versionNumbers(aws: AwsClients, launchTemplateId: string): Promise<number[]> {
  const described = await aws.ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, MaxResults: 200 }));
  return (described.LaunchTemplateVersions ?? []).map((v) => v.VersionNumber!).sort((a, b) => a - b);
}

// moto replaces a group created twice instead of answering AlreadyExists, so
// what AWS answers for a taken name is shown on the local cloud, which keeps a
// deleted group (`Delete in progress`) until its instances are gone, as AWS does.
describe('Fleet on a taken name (local cloud)', () => {
  const clients = useBackend(backends.find((b) => b.name === 'local cloud')!);

  it('refuses a group of the release name serving another target group, or being deleted, and leaves it as it is', async () => {
    // Prepare: a group of that name already serves another target group.
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    const [release] = (await aws.elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [spec.targetGroupArn] }))).TargetGroups!;
    const other = await aws.elbv2.send(new CreateTargetGroupCommand({ Name: `${spec.name}-x`, Protocol: 'HTTP', Port: 80, VpcId: release!.VpcId }));
    await fleet.create({ ...spec, targetGroupArn: other.TargetGroups![0]!.TargetGroupArn! });

    // Act
    const serving = await fleet.create(spec).catch((error: unknown) => error);
    const untouched = await fleet.describe(spec.name);
    await fleet.delete(spec.name);
    const deleting = await fleet.create(spec).catch((error: unknown) => error);

    // Assess
    expect(serving).toBeInstanceOf(FleetNameTaken);
    expect((serving as Error).message).toContain(`not ${spec.targetGroupArn}`);
    expect(untouched?.targetGroupArns).toEqual([other.TargetGroups![0]!.TargetGroupArn]);
    expect(deleting).toBeInstanceOf(FleetNameTaken);
    expect((deleting as Error).message).toMatch(/being deleted/);
  });

  it('adopts the group a first attempt made for the same spec', async () => {
    const aws = clients();
    const spec = await prepare(aws);
    const fleet = createFleet(aws.autoScaling, aws.ec2);
    await fleet.create(spec);

    await expect(fleet.create(spec)).resolves.toBeUndefined();
    expect(await fleet.describe(spec.name)).toMatchObject({ targetGroupArns: [spec.targetGroupArn], launchTemplate: spec.launchTemplate });
  });
});

describe('Fleet with a scripted EC2 client', () => {
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const ec2Mock = mockClient(ec2);
  const fleet = createFleet(new AutoScalingClient({ region: 'us-east-1' }), ec2);
  const latest = (userData: string | undefined, tags = [{ ResourceType: 'instance' as const, Tags: [{ Key: 'team', Value: 'shop' }] }]) =>
    ec2Mock.on(DescribeLaunchTemplateVersionsCommand).resolves({
      LaunchTemplateVersions: [
        {
          VersionNumber: 7,
          LaunchTemplateData: { UserData: userData && Buffer.from(userData).toString('base64'), TagSpecifications: tags },
        },
      ],
    });

  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(CreateLaunchTemplateVersionCommand).resolves({ LaunchTemplateVersion: { VersionNumber: 8 } });
  });

  it('builds on the latest version, keeps its other tags, and quotes the version for the shell', async () => {
    // Prepare
    latest("#!/bin/sh\nexport APP_VERSION='1.0.0'\nexec /opt/shop/run\n");

    // Act
    const version = await fleet.launchTemplateVersion('lt-0abc', { name: 'bg-shop-2', version: "it's 2.0" }, 'APP_VERSION');

    // Assess
    const input = ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input;
    expect(version).toBe('8');
    expect(input.SourceVersion).toBe('7');
    expect(decode(input.LaunchTemplateData?.UserData)).toBe("#!/bin/sh\nexport APP_VERSION='it'\\''s 2.0'\nexec /opt/shop/run\n");
    expect(input.LaunchTemplateData?.TagSpecifications).toEqual([
      {
        ResourceType: 'instance',
        Tags: [
          { Key: 'team', Value: 'shop' },
          { Key: TAG.version, Value: "it's 2.0" },
        ],
      },
    ]);
  });

  it('gives a template without user data a script that only exports the version', async () => {
    // Prepare
    latest(undefined, []);

    // Act
    await fleet.launchTemplateVersion('lt-0abc', { name: 'bg-shop-2', version: '2.0.0' }, 'SHOP_VERSION');

    // Assess
    const input = ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand)[0]!.args[0].input;
    expect(decode(input.LaunchTemplateData?.UserData)).toBe("#!/bin/bash\nexport SHOP_VERSION='2.0.0'\n");
  });

  it('refuses user data that is not a shell script, and creates nothing', async () => {
    // Prepare
    latest('#cloud-config\nruncmd:\n  - /opt/shop/run\n');

    // Act
    const created = fleet.launchTemplateVersion('lt-0abc', { name: 'bg-shop-2', version: '2.0.0' }, 'APP_VERSION');

    // Assess
    await expect(created).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(created).rejects.toThrow('lt-0abc');
    expect(ec2Mock.commandCalls(CreateLaunchTemplateVersionCommand)).toHaveLength(0);
  });
});
