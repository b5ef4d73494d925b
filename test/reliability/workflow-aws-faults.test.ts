// Reliability: AWS faults. Throttling is retried by the workflow (ASL Retry,
// backoff with jitter) within the API budget; a step that dies half-way
// converges when it runs again; one that dies for good (a crash, or retries
// exhausted) is compensated from the half-way listener; a missing permission
// stops the deployment at once, named, with what it created removed.
import { afterEach, describe, expect, it } from 'vitest';
import { isPlanShape } from '../../functions/core/plan-shapes.ts';
import { leftBehind } from '../../functions/core/leftovers.ts';
import type { ListenerWrite } from '../../functions/core/model.ts';
import { createTrafficRouter } from '../../functions/adapters/router.ts';
import type { ApiCallCounts } from '../../local/cloud/local-cloud.ts';
import { seeded, type World } from './workflow-world.ts';
import { settledSnapshot, startBootingWorld } from './slow-aws.ts';

describe('reliability: AWS faults', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('6. throttling on a share of ELBv2 and Auto Scaling calls → the deployment completes, polling within the Describe budget', async () => {
    // Prepare
    world = await startBootingWorld({ random: seeded(7), service: { retention: { mode: 'warm', minutes: 0, generations: 0 } } });
    await world.release('v1');
    const { cloud } = world;
    // Each fault fires on a share of calls, a few times: unbounded rates (a quarter of every Auto Scaling call) run
    // out the 6 attempts the workflow gives a step's throttling, whatever the seed, however quick the cloud.
    const faults = [
      cloud.injectFault({ service: 'elasticloadbalancing', operation: '*', error: 'Throttling', rate: 0.2, count: 4 }),
      cloud.injectFault({ service: 'autoscaling', operation: '*', error: 'Throttling', rate: 0.5, count: 2 }),
      cloud.injectFault({ service: 'autoscaling', operation: '*', error: 'TooManyRequests', status: 429, rate: 0.5, count: 2 }),
    ];
    const perSecond: number[] = [];
    let last = describes(cloud.apiCalls());
    const meter = setInterval(() => {
      const now = describes(cloud.apiCalls());
      perSecond.push(now - last);
      last = now;
    }, cloud.realMs(1));

    // Act
    const done = await world.finished(await world.deploy('v2'));
    clearInterval(meter);

    // Assess
    expect(done, done.cause).toMatchObject({ status: 'SUCCEEDED' });
    expect(faults.map((f) => f.hits > 0)).toEqual([true, true, true]);
    expect(Math.max(...perSecond)).toBeLessThanOrEqual(10);
    expect(await settledSnapshot(world)).toMatchObject({ listener: { default: 'bg-shop-2' }, targetGroups: ['bg-shop-2'], alarms: ['bg-shop-2-5xx'] });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'succeeded', version: 'v2' });
  });

  it('7. a task dies between two listener writes → the step runs again and converges from the half-way listener', async () => {
    // Prepare: a header canary waiting for promotion; promotion is three writes (default, green rule, blue rule).
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' }, service: { retention: { mode: 'warm', minutes: 0, generations: 0 } } });
    await world.release('v1');
    const execution = await world.deploy('v2');
    await world.waitFor('promotion');
    expect(await world.listener()).toEqual({ default: 'bg-shop-1 (bg-shop-2 attached)', green: 'bg-shop-2', blue: 'bg-shop-1' });
    const fault = world.cloud.injectFault({ service: 'elasticloadbalancing', operation: 'ModifyRule', error: 'ServiceUnavailable', count: 1 });
    world.resetCalls();

    // Act: the first ModifyRule fails after the default action was written; the ASL retries the step.
    await world.signal('promote', 'slack:U1');
    const done = await world.finished(execution);

    // Assess
    expect(fault.hits).toBe(1);
    const writes = world.calls().filter((c) => c.call === 'router.applyWrites').map((c) => c.detail.split(' ')[1]);
    expect(writes.slice(0, 2)).toEqual(['modify-default,modify-rule,modify-rule', 'modify-rule,modify-rule']);
    expect(done, done.cause).toMatchObject({ status: 'SUCCEEDED' });
    expect(await settledSnapshot(world)).toEqual({
      listener: { default: 'bg-shop-2', green: 'fixed 404', blue: 'bg-shop-2' },
      targetGroups: ['bg-shop-2'],
      autoScalingGroups: [{ name: 'bg-shop-2', min: 2, max: 4, desired: 2, instances: 2 }],
      alarms: ['bg-shop-2-5xx'],
    });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'succeeded', version: 'v2' });
  });

  it('26. a task dies for good between two listener writes (its process crashes: no Retry names that) → compensation puts the listener back on the last good release from the half-way listener', async () => {
    // Prepare: a header canary waiting for promotion; the promote task will stop after its first write (default → v2).
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    await world.release('v1');
    const lastGood = await settledSnapshot(world);
    const execution = await world.deploy('v2');
    await world.waitFor('promotion');
    const adapters = world.engine.deps.adapters.bind(world.engine.deps);
    let halfWay: string | undefined;
    world.engine.deps.adapters = (service) => {
      const aws = adapters(service);
      const applyWrites = async (listenerArn: string, writes: ListenerWrite[]) => {
        if (halfWay !== undefined || writes.length < 2) return aws.router.applyWrites(listenerArn, writes);
        await aws.router.applyWrites(listenerArn, writes.slice(0, 1));
        halfWay = JSON.stringify(await world!.listener());
        // What Lambda reports when the function's process exits mid-invocation (a crash, out of memory).
        throw Object.assign(new Error('Runtime exited with error: signal: killed'), { name: 'Runtime.ExitError' });
      };
      return { ...aws, router: { ...aws.router, applyWrites } };
    };

    // Act
    await world.signal('promote', 'slack:U1');
    const done = await world.finished(execution);

    // Assess: the task died with default → v2 and blue → v1; the execution ends on v1, nothing of v2 left.
    expect(halfWay).toBe(JSON.stringify({ default: 'bg-shop-2 (bg-shop-1 attached)', green: 'bg-shop-2', blue: 'bg-shop-1' }));
    expect(done).toMatchObject({ status: 'FAILED', error: 'Runtime.ExitError' });
    expect(await settledSnapshot(world)).toEqual(lastGood);
    const { strategy } = world.config.services[0]!;
    const listener = await createTrafficRouter(world.elbv2).readListener(world.infra.listenerArn);
    expect(isPlanShape(strategy, listener, 'x-client-mode')).toBe(true);
    const releases = await world.engine.deps.adapters(world.config.services[0]!).targetGroups.listReleases('shop');
    const { targetGroups, autoScalingGroups, alarms } = await settledSnapshot(world);
    expect(leftBehind('shop', strategy, 2, { listener, releases, targetGroups, autoScalingGroups: autoScalingGroups.map((g) => g.name), alarms })).toEqual([]);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v2' });
  });

  it('16. AccessDenied on CreateAutoScalingGroup → stops at once, the missing permission named, the target group removed', async () => {
    // Prepare
    world = await startBootingWorld();
    await world.release('v1');
    const before = await settledSnapshot(world);
    const fault = world.cloud.injectFault({ service: 'autoscaling', operation: 'CreateAutoScalingGroup', error: 'AccessDenied' });
    world.resetCalls();
    world.cloud.resetApiCalls();

    // Act
    const done = await world.finished(await world.deploy('v2'));

    // Assess: one attempt, no retry; compensation deleted the target group it had created.
    expect(done).toMatchObject({ status: 'FAILED', error: 'AccessDenied' });
    expect(done.cause).toContain('missing permission autoscaling:CreateAutoScalingGroup');
    expect(fault.hits).toBe(1);
    expect(world.cloud.apiCalls().autoscaling?.CreateAutoScalingGroup).toBe(1);
    expect(world.calls().map((c) => c.call).filter((c) => c === 'fleet.create' || c === 'targetGroups.create' || c === 'targetGroups.delete')).toEqual([
      'targetGroups.create',
      'fleet.create',
      'targetGroups.delete',
    ]);
    expect(await settledSnapshot(world)).toEqual(before);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v2' });
    expect((await world.lastFinished())?.reason).toContain('autoscaling:CreateAutoScalingGroup');
  });
});

/** ELBv2 Describe* calls answered so far (refused ones included: they count against the bucket too). */
function describes(calls: ApiCallCounts): number {
  return Object.entries(calls.elasticloadbalancing ?? {})
    .filter(([operation]) => operation.startsWith('Describe'))
    .reduce((sum, [, n]) => sum + n, 0);
}
