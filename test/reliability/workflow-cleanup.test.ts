// Reliability: removing and retiring. Nothing is deleted while the listener
// still references it, deletion runs rules → alarms → Auto Scaling group →
// target group, a change that would pass an ALB limit is refused before
// anything exists, and old instances drain before they stop.
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateListenerCommand, CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { alarmSpecs } from '../../functions/core/alarms.ts';
import { leftBehind } from '../../functions/core/leftovers.ts';
import { createTrafficRouter } from '../../functions/adapters/router.ts';
import { startLoad, type Load } from '../../local/load.ts';
import { sleep, startWorld, until, type World } from './workflow-world.ts';
import { settledSnapshot, startBootingWorld } from './slow-aws.ts';

describe('reliability: removing and retiring', () => {
  let world: World | undefined;
  let load: Load | undefined;
  afterEach(async () => {
    await load?.stop();
    await world?.stop();
    load = undefined;
    world = undefined;
  });

  it('23. cleanup of release 2 of `shop` deletes its own alarms and none of service `shop-2`, whose names start the same', async () => {
    // Prepare: service `shop-2` (same account) has the alarms bluegreen arms for its releases 1 and 12.
    world = await startBootingWorld({ service: { retention: { mode: 'warm', minutes: 30, generations: 0 } } });
    const aws = world.engine.deps.adapters(world.config.services[0]!);
    const shop2 = { ...world.config.services[0]!, name: 'shop-2' };
    const other = [1, 12].flatMap((number) => {
      const name = `bg-shop-2-${number}`;
      const release = { service: 'shop-2', number, version: 'v7', targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`, targetGroupName: name, autoScalingGroupName: name };
      return alarmSpecs(shop2, release, world!.infra.loadBalancerArn);
    });
    await aws.alarms.put(other);
    await world.release('v1');
    const execution = await world.deploy('v2');
    await world.waitFor('retention');
    const armed = await alarmNames(world);

    // Act: release 2 is rolled back during its retention window and removed.
    await world.signal('rollback', 'slack:U1');
    const done = await world.finished(execution);

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(armed).toEqual(['bg-shop-1-5xx', 'bg-shop-2-1-5xx', 'bg-shop-2-12-5xx', 'bg-shop-2-5xx']);
    expect(await alarmNames(world)).toEqual(['bg-shop-1-5xx', 'bg-shop-2-1-5xx', 'bg-shop-2-12-5xx']);
    expect(world.calls().filter((c) => c.call === 'alarms.delete').map((c) => c.detail)).toEqual(['bg-shop-2-5xx']);
    expect(await settledSnapshot(world)).toMatchObject({ listener: { default: 'bg-shop-1' }, targetGroups: ['bg-shop-1'] });
    expect(await world.lock()).toBeNull();
  });

  it('14. a target group a rule still references is never deleted; deletion runs rules → alarms → Auto Scaling group → target group', async () => {
    // Prepare
    world = await startWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    await world.release('v1');
    const lastGood = await settledSnapshot(world);

    // Act 1: v2 rolled back from its canary; its release is removed.
    const rolledBack = world.deploy('v2');
    await world.waitFor('promotion');
    world.resetCalls();
    await world.signal('rollback', 'slack:U1');
    expect(await world.finished(await rolledBack)).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    const order = world
      .calls()
      .filter((c) => ['router.applyWrites', 'alarms.delete', 'fleet.delete', 'targetGroups.delete'].includes(c.call))
      .map((c) => `${c.call} ${c.call === 'router.applyWrites' ? c.detail.split(' ')[1] : c.detail}`);

    // Act 2: once release 2's group is gone (its name stays taken while it is deleted), v3's canary;
    // someone routes /beta/* to it by hand; then it is rolled back.
    await settledSnapshot(world);
    const referenced = world.deploy('v3');
    await world.waitFor('promotion');
    const v3 = (await world.engine.deps.adapters(world.config.services[0]!).targetGroups.listReleases('shop')).find((r) => r.version === 'v3')!;
    await world.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: world.infra.listenerArn,
        Priority: 500,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/beta/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: v3.targetGroupArn }],
      }),
    );
    world.cloud.resetApiCalls();
    await world.signal('rollback', 'slack:U1');
    const refused = await world.finished(await referenced);

    // Assess
    // ELBv2 answers ResourceInUse for a while after the rule change (local/cloud/realism.ts): the step runs again,
    // deleting the (already deleting) group and retrying the target group, until the target group goes.
    expect(order.slice(0, 4)).toEqual(['router.applyWrites modify-default,modify-rule', 'alarms.delete bg-shop-2-5xx', 'fleet.delete bg-shop-2', 'targetGroups.delete bg-shop-2']);
    expect(new Set(order.slice(4))).toEqual(new Set(order.length > 4 ? ['fleet.delete bg-shop-2', 'targetGroups.delete bg-shop-2'] : []));
    expect(order.at(-1)).toBe('targetGroups.delete bg-shop-2');
    expect(refused).toMatchObject({ status: 'FAILED', error: 'ResourceInUse' });
    expect(refused.cause).toContain('refusing to delete release 3');
    const deletes = Object.entries(world.cloud.apiCalls()).flatMap(([, ops]) => Object.keys(ops).filter((op) => op.startsWith('Delete')));
    expect(deletes).toEqual([]);
    expect(await settledSnapshot(world)).toEqual({
      ...lastGood,
      // Release numbers never go back: v3, after release 2 was deleted, is release 3.
      targetGroups: ['bg-shop-1', 'bg-shop-3'],
      autoScalingGroups: [...lastGood.autoScalingGroups, { name: 'bg-shop-3', min: 2, max: 4, desired: 2, instances: 2 }],
      alarms: ['bg-shop-1-5xx', 'bg-shop-3-5xx'],
    });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v3' });
    expect((await world.lastFinished())?.reason).toMatch(/^ResourceInUse: /);
  });

  it('15. the load balancer near its 100-rule limit → a header-canary deploy is refused in Prepare, QuotaExceeded, nothing created', async () => {
    // Prepare: 99 rules on another listener of the same load balancer.
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    const other = await world.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: world.infra.loadBalancerArn,
        Protocol: 'HTTP',
        Port: 8080,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'none' } }],
      }),
    );
    for (let priority = 1; priority <= 99; priority++) {
      await world.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: other.Listeners![0]!.ListenerArn!,
          Priority: priority,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/p${priority}/*`] } }],
          Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'ok' } }],
        }),
      );
    }
    const before = await settledSnapshot(world);
    world.cloud.resetApiCalls();
    world.resetCalls();

    // Act: the first release needs two header rules.
    const done = await world.finished(await world.deploy('v1'));

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'QuotaExceeded' });
    expect(done.cause).toContain('the load balancer has 99 rules; adding 2 would pass the limit of 100 rules per load balancer');
    expect(world.calls().map((c) => c.call)).toEqual(['router.readListener', 'targetGroups.listReleases', 'router.countRules']);
    const writes = Object.values(world.cloud.apiCalls()).flatMap((ops) => Object.keys(ops).filter((op) => !op.startsWith('Describe')));
    expect(writes).toEqual([]);
    expect(await settledSnapshot(world)).toEqual(before);
    expect(before).toEqual({ listener: { default: 'fixed 503' }, targetGroups: [], autoScalingGroups: [], alarms: [] });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v1' });
    expect((await world.lastFinished())?.reason).toMatch(/^QuotaExceeded: /);
  });

  it('24. a rule bluegreen did not create holds a priority the header canary needs → refused in Prepare, PriorityInUse naming that rule, nothing created', async () => {
    // Prepare: a hand-made path rule at priority 11, which the `x-client-mode: blue` rule needs.
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    const { Rules } = await world.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: world.infra.listenerArn,
        Priority: 11,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'admin' } }],
      }),
    );
    const before = await settledSnapshot(world);
    world.cloud.resetApiCalls();
    world.resetCalls();

    // Act
    const done = await world.finished(await world.deploy('v1'));

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'PriorityInUse' });
    expect(done.cause).toContain(`priority 11, which the x-client-mode: blue rule needs, is taken by rule ${Rules![0]!.RuleArn} (conditions other than one header) that bluegreen did not create`);
    expect(world.calls().map((c) => c.call)).toEqual(['router.readListener', 'targetGroups.listReleases']);
    const writes = Object.values(world.cloud.apiCalls()).flatMap((ops) => Object.keys(ops).filter((op) => !op.startsWith('Describe')));
    expect(writes).toEqual([]);
    expect(await settledSnapshot(world)).toEqual(before);
    expect(await world.lock()).toBeNull();
    expect((await world.lastFinished())?.reason).toMatch(/^PriorityInUse: /);
  });

  it('27. a first header-canary release that never becomes healthy leaves nothing behind: no target group, group, alarm or listener rule', async () => {
    // Prepare: the attach step creates the header rules of the first release.
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' }, faults: { v1: { neverHealthy: true } } });
    const before = await settledSnapshot(world);

    // Act
    const done = await world.finished(await world.deploy('v1'));

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'HealthDeadlineExceeded' });
    expect(world.calls().filter((c) => c.call === 'router.applyWrites').map((c) => c.detail.split(' ')[1])).toEqual([
      'modify-default,create-rule,create-rule',
      'modify-default,delete-rule,delete-rule',
    ]);
    expect(await settledSnapshot(world)).toEqual(before);
    expect(before).toEqual({ listener: { default: 'fixed 503' }, targetGroups: [], autoScalingGroups: [], alarms: [] });
    const listener = await createTrafficRouter(world.elbv2).readListener(world.infra.listenerArn);
    expect(listener.rules).toEqual([]);
    const { strategy } = world.config.services[0]!;
    expect(leftBehind('shop', strategy, 1, { listener, releases: [], targetGroups: [], autoScalingGroups: [], alarms: [] })).toEqual([]);
    expect(await world.lock()).toBeNull();
  });

  it('17. old instances stop only after the deregistration delay; a slow request in flight at the switch completes with 200', async () => {
    // Prepare: the old release is scaled to zero right after the switch; draining lasts 30 s.
    let slow: Promise<{ status: number; body: string }> | undefined;
    world = await startBootingWorld({
      service: { retention: { mode: 'zero', minutes: 1, generations: 0 } },
      targetGroup: { deregistrationDelaySeconds: 30 },
      beforeStep: async (event, w) => {
        if (event.step !== 'shiftTraffic' || event.state.version !== 'v2') return;
        slow = fetch(`${w.url}/checkout?delayMs=${w.cloud.realMs(20)}`).then(async (r) => ({ status: r.status, body: await r.text() }));
        await sleep(50); // in flight on a v1 instance before the listener changes
      },
    });
    await world.release('v1');
    const v1 = world.cloud.instances().filter((i) => i.version === 'v1').map((i) => i.instanceId);
    const stoppedAt = new Map<string, number>();
    const watch = setInterval(() => {
      for (const i of world!.cloud.instances()) if (v1.includes(i.instanceId) && i.state !== 'running' && !stoppedAt.has(i.instanceId)) stoppedAt.set(i.instanceId, Date.now());
    }, 5);
    load = startLoad({ url: world.url, rps: 50 });
    world.resetCalls();

    // Act
    const execution = await world.deploy('v2');
    await world.waitFor('retention');
    await until(() => stoppedAt.size === v1.length, 'every v1 instance stopping');
    clearInterval(watch);
    const seen = await load.stop();
    const answer = await slow!;

    // Assess
    const scaledIn = world.calls().find((c) => c.call === 'fleet.setCapacity' && c.detail === 'bg-shop-1')!.at;
    const switched = world.calls().find((c) => c.call === 'router.applyWrites' && c.detail.endsWith('modify-default'))!.at;
    expect(scaledIn).toBeGreaterThan(switched);
    for (const at of stoppedAt.values()) expect(at - scaledIn).toBeGreaterThanOrEqual(world.cloud.realMs(30));
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ version: 'v1', path: '/checkout' });
    expect(seen.failed).toBe(0);
    expect(await settledSnapshot(world)).toMatchObject({
      listener: { default: 'bg-shop-2 (bg-shop-1 attached)' },
      autoScalingGroups: [
        { name: 'bg-shop-1', min: 0, desired: 0 },
        { name: 'bg-shop-2', desired: 2, instances: 2 },
      ],
    });
    expect(await world.finished(execution)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'succeeded', version: 'v2' });
  });
});

async function alarmNames(world: World): Promise<string[]> {
  const { MetricAlarms } = await world.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'bg-' }));
  return (MetricAlarms ?? []).map((a) => a.AlarmName ?? '').sort();
}
