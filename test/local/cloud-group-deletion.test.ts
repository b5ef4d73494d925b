// Deleting an Auto Scaling group "takes a few minutes" ("Delete your Auto
// Scaling infrastructure"): the group stays "Delete in progress", its name
// taken, for at least two minutes and until its last instance is gone.
import { AlreadyExistsFault, AutoScalingClient, CreateAutoScalingGroupCommand, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud, type Realism } from '../../local/cloud/local-cloud.ts';

/** 10 AWS seconds last 100 ms. */
const TIME_SCALE = 0.01;

let cloud: LocalCloud | undefined;
let clients: { ec2: EC2Client; autoScaling: AutoScalingClient } | undefined;
afterEach(async () => {
  clients?.ec2.destroy();
  clients?.autoScaling.destroy();
  await cloud?.stop();
  cloud = undefined;
});

/** A cloud with a subnet and a launch template; `create(name, desired)` makes a group. Instance boot is not the subject: off, so instances come up at once. */
async function start(groupDeletion: Realism['groupDeletion']) {
  cloud = await startLocalCloud({ timeScale: TIME_SCALE, instanceMode: 'inline', realism: { groupDeletion, instanceBoot: false } });
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  const ec2 = new EC2Client(config);
  const autoScaling = new AutoScalingClient(config);
  clients = { ec2, autoScaling };
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.4.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.4.0.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
  const templateId = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'deletion', LaunchTemplateData: { ImageId: 'ami-1' } }))).LaunchTemplate!.LaunchTemplateId!;
  const create = (name: string, desired: number) =>
    autoScaling.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateId: templateId }, MinSize: 0, MaxSize: 2, DesiredCapacity: desired, VPCZoneIdentifier: subnetId }));
  const describe = async (name: string) => (await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0];
  return { autoScaling, create, describe };
}

/** AWS seconds since `t0`. */
const since = (t0: number) => (Date.now() - t0) / 1000 / TIME_SCALE;

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Auto Scaling group deletion', () => {
  it('shows a force-deleted group "Delete in progress", its name taken, for two minutes after its instance is gone, then frees the name', async () => {
    // Prepare
    const { autoScaling, create, describe } = await start({ seconds: 120 });
    await create('shop-2', 1);
    await until(async () => (await describe('shop-2'))?.Instances?.[0]?.LifecycleState === 'InService');

    // Act
    const t0 = Date.now();
    await autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'shop-2', ForceDelete: true }));
    const deleting = await describe('shop-2');
    const recreated = await create('shop-2', 1).catch((error: unknown) => error);
    await until(async () => (await describe('shop-2'))?.Instances?.length === 0);
    const instanceGoneAt = since(t0);
    const empty = await describe('shop-2');
    await until(async () => (await describe('shop-2')) === undefined);
    const goneAt = since(t0);
    await create('shop-2', 0);

    // Assess
    expect(deleting).toMatchObject({ Status: 'Delete in progress', MinSize: 0, MaxSize: 0, DesiredCapacity: 0 });
    expect(recreated).toBeInstanceOf(AlreadyExistsFault);
    expect((recreated as Error).message).toMatch(/already exists/);
    expect(instanceGoneAt).toBeLessThan(120);
    expect(empty).toMatchObject({ Status: 'Delete in progress', Instances: [] });
    expect(goneAt).toBeGreaterThanOrEqual(120);
    expect(await describe('shop-2')).toMatchObject({ AutoScalingGroupName: 'shop-2', DesiredCapacity: 0 });
    expect((await describe('shop-2'))?.Status).toBeUndefined();
  });

  it('keeps even an empty group "Delete in progress" for two minutes', async () => {
    // Prepare
    const { autoScaling, create, describe } = await start({ seconds: 120 });
    await create('empty', 0);

    // Act
    const t0 = Date.now();
    await autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'empty' }));
    const deleting = await describe('empty');
    await until(async () => (await describe('empty')) === undefined);

    // Assess
    expect(deleting?.Status).toBe('Delete in progress');
    expect(since(t0)).toBeGreaterThanOrEqual(120);
  });

  it('with groupDeletion off, removes a group with its last instance', async () => {
    // Prepare
    const { autoScaling, create, describe } = await start(false);
    await create('instant', 0);

    // Act
    await autoScaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'instant' }));

    // Assess
    expect(await describe('instant')).toBeUndefined();
  });
});
