// Reliability: what real AWS does that an instant emulator does not, on the
// full workflow (real ASL, real step Lambda, local cloud).
import { DescribeLaunchTemplateVersionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from './workflow-world.ts';

/** `version description` of every version of the service's launch template, oldest first. */
async function templateVersions(world: World): Promise<string[]> {
  const ec2 = new EC2Client(world.cloud.clientConfig());
  const described = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: world.infra.launchTemplateId }));
  ec2.destroy();
  return (described.LaunchTemplateVersions ?? []).sort((a, b) => a.VersionNumber! - b.VersionNumber!).map((v) => `${v.VersionNumber} ${v.VersionDescription ?? ''}`.trim());
}

describe('reliability: AWS as it really behaves', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('DeleteTargetGroup answering ResourceInUse for a while after the listener change → retried, the old release still retired', async () => {
    // Prepare
    world = await startWorld();
    await world.release('v1');
    const fault = world.cloud.injectFault({ service: 'elasticloadbalancing', operation: 'DeleteTargetGroup', error: 'ResourceInUse', count: 3 });

    // Act
    const done = await world.finished(await world.deploy('v2'));

    // Assess
    expect(done).toMatchObject({ status: 'SUCCEEDED' });
    expect(fault.hits).toBe(3);
    expect(await world.snapshot()).toMatchObject({ listener: { default: 'bg-shop-2' }, targetGroups: ['bg-shop-2'], alarms: ['bg-shop-2-5xx'] });
    expect(await world.lastFinished()).toMatchObject({ outcome: 'succeeded', version: 'v2' });
  });

  it('a retried CreateFleet makes one launch template version, and a release deleted takes its version with it', async () => {
    // Prepare: v1 live; the first CreateAutoScalingGroup of v2 fails with a transient fault, so the step runs again.
    world = await startWorld();
    await world.release('v1');
    const fault = world.cloud.injectFault({ service: 'autoscaling', operation: 'CreateAutoScalingGroup', error: 'InternalFailure', count: 1 });

    // Act: v2 goes live and release 1 is retired.
    const done = await world.finished(await world.deploy('v2'));

    // Assess: the template's own version, and release 2's once.
    expect(done).toMatchObject({ status: 'SUCCEEDED' });
    expect(fault.hits).toBe(1);
    expect(await world.snapshot()).toMatchObject({ targetGroups: ['bg-shop-2'] });
    expect(await templateVersions(world)).toEqual(['1', expect.stringMatching(/^\d+ bg-shop-2 APP_VERSION=v2$/)]);
  });

  it('a release rolled back and deleted leaves its number behind: the next release gets a new one, never the name of a group still being deleted', async () => {
    // Prepare: v1 live; v2's canary rolled back, so release 2 is deleted (its Auto Scaling group "Delete in progress" for a while).
    world = await startWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    await world.release('v1');
    const rolledBack = world.deploy('v2');
    await world.waitFor('promotion');
    await world.signal('rollback', 'slack:U1');
    expect(await world.finished(await rolledBack)).toMatchObject({ status: 'FAILED', error: 'RolledBack' });

    // Act
    const next = world.deploy('v3');
    await world.waitFor('promotion');

    // Assess
    const releases = await world.engine.deps.adapters(world.config.services[0]!).targetGroups.listReleases('shop');
    expect(releases.map((r) => `${r.targetGroupName} ${r.version}`)).toEqual(['bg-shop-1 v1', 'bg-shop-3 v3']);
    expect(await world.listener()).toMatchObject({ green: 'bg-shop-3' });
    await world.signal('rollback', 'slack:U1');
    await world.finished(await next);
  });
});
