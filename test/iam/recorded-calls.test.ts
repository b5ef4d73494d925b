// The calls the workflow really makes, recorded by the local cloud while it
// deploys, promotes, rolls back and retires releases of each strategy, all
// have a row in the authorization table, so each one was simulated against
// the packaged roles.
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiCallCounts } from '../../local/cloud/local-cloud.ts';
import { startWorld, until, type World } from '../reliability/workflow-world.ts';
import { assertEveryCallHasARow, callsSince } from './recorded-calls.ts';

describe('the calls a deployment makes', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it.each([
    { strategy: { type: 'blue-green' } },
    { strategy: { type: 'header-canary', promotion: 'manual' } },
    { strategy: { type: 'weighted-canary', steps: [50, 100] } },
  ])('all have a row, for a $strategy.type deployment, its rollback and the retirement of the old release', async ({ strategy }) => {
    // Prepare: the calls the world's own seeding made are not the workflow's.
    world = await startWorld({ strategy, alarms: true, service: { retention: { mode: 'warm', minutes: 1, generations: 0 } } });
    const seeded: ApiCallCounts = world.cloud.apiCalls();

    // Act: v1 goes live; v2 is promoted (by hand where the strategy waits for it) and v1 retired; v3 is rolled back.
    await world.release('v1');
    const v2 = await world.deploy('v2');
    if (strategy.type === 'header-canary') {
      await world.waitFor('promotion');
      await world.signal('promote', 'slack:U1');
    }
    expect(await world.finished(v2)).toMatchObject({ status: 'SUCCEEDED' });
    await until(async () => (await world!.snapshot()).targetGroups.length === 1, 'v1 retired', 30_000);
    const v3 = await world.deploy('v3');
    await until(async () => {
      const wait = await world!.engine.store.getWait('shop');
      return wait?.releaseNumber === 3 && wait.taken === null;
    }, 'an open wait of v3');
    await world.signal('rollback', 'cli:test');
    const rolledBack = await world.finished(v3);

    // Assess
    expect(rolledBack).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    const calls = callsSince(seeded, world.cloud.apiCalls());
    expect(calls).toEqual(
      expect.arrayContaining([
        'elasticloadbalancing:CreateTargetGroup',
        'elasticloadbalancing:ModifyListener',
        'elasticloadbalancing:DeleteTargetGroup',
        'ec2:CreateLaunchTemplateVersion',
        'autoscaling:CreateAutoScalingGroup',
        'autoscaling:DeleteAutoScalingGroup',
        'cloudwatch:PutMetricAlarm',
        'cloudwatch:DeleteAlarms',
      ]),
    );
    expect(() => assertEveryCallHasARow(calls)).not.toThrow();
  }, 120_000);

  it('fails, naming it, on a call the table does not know', () => {
    expect(() => assertEveryCallHasARow(['elasticloadbalancing:ModifyListener', 'ec2:TerminateInstances'])).toThrow(/without a row.*ec2:TerminateInstances/);
  });
});
