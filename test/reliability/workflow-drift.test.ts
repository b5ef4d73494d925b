// Reliability: people changing things during a deployment. A listener
// changed by hand is never overwritten (the workflow stops, named); a group
// resized by hand keeps its new size (the workflow never writes the capacity
// of a group that serves); a rule made by hand is never the workflow's, even
// on its header.
import { CreateRuleCommand, CreateTargetGroupCommand, DescribeRulesCommand, DescribeTargetGroupsCommand, ModifyListenerCommand, ModifyRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { afterEach, describe, expect, it } from 'vitest';
import { until, type World } from './workflow-world.ts';
import { settledSnapshot, startBootingWorld } from './slow-aws.ts';

describe('reliability: changes by hand during a deployment', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('8. the listener changed by hand during a deployment → DriftDetected, the change kept, nothing rewritten', async () => {
    // Prepare: a header canary waits for promotion; someone puts up a maintenance page by hand.
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    await world.release('v1');
    const execution = await world.deploy('v2');
    await world.waitFor('promotion');
    await world.elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: world.infra.listenerArn,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'maintenance' } }],
      }),
    );
    const byHand = await world.listener();
    world.resetCalls();

    // Act
    await world.signal('promote', 'slack:U1');
    const done = await world.finished(execution);

    // Assess: stopped with a clear message; no compensation, no listener write.
    expect(done).toMatchObject({ status: 'FAILED', error: 'DriftDetected' });
    expect(done.cause).toContain(`listener ${world.infra.listenerArn} changed outside this deployment: default is fixed 503, expected bg-shop-1 (bg-shop-2 attached)`);
    expect(done.cause).toContain('Stopping instead of overwriting it.');
    // Promote reads the release's alarms, then the listener, and stops there.
    expect(world.calls().map((c) => c.call)).toEqual(['alarms.list', 'router.readListener']);
    expect(await settledSnapshot(world)).toEqual({
      listener: byHand,
      targetGroups: ['bg-shop-1', 'bg-shop-2'],
      autoScalingGroups: [
        { name: 'bg-shop-1', min: 2, max: 4, desired: 2, instances: 2 },
        { name: 'bg-shop-2', min: 2, max: 4, desired: 2, instances: 2 },
      ],
      alarms: ['bg-shop-1-5xx', 'bg-shop-2-5xx'],
    });
    expect(byHand).toEqual({ default: 'fixed 503', green: 'bg-shop-2', blue: 'bg-shop-1' });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v2' });
    expect((await world.lastFinished())?.reason).toMatch(/^DriftDetected: /);
  });

  it('9. Auto Scaling groups resized by hand during a deployment → the new sizes survive; the workflow writes no serving capacity', async () => {
    // Prepare
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' }, service: { retention: { mode: 'warm', minutes: 1, generations: 0 } } });
    await world.release('v1');
    const execution = await world.deploy('v2');
    await world.waitFor('promotion');
    world.resetCalls();

    // Act: both groups scaled out by hand while the canary waits, then promotion and retirement.
    for (const name of ['bg-shop-1', 'bg-shop-2']) {
      await world.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, MinSize: 3, MaxSize: 6, DesiredCapacity: 3 }));
    }
    await world.signal('promote', 'slack:U1');
    await world.waitFor('retention');
    const duringRetention = (await world.snapshot()).autoScalingGroups;
    const done = await world.finished(execution);

    // Assess
    expect(duringRetention).toEqual([
      { name: 'bg-shop-1', min: 3, max: 6, desired: 3, instances: 3 },
      { name: 'bg-shop-2', min: 3, max: 6, desired: 3, instances: 3 },
    ]);
    expect(done, done.cause).toMatchObject({ status: 'SUCCEEDED' });
    expect(world.calls().filter((c) => c.call === 'fleet.setCapacity' || c.call === 'fleet.standby')).toEqual([]);
    await until(async () => (await world!.snapshot()).autoScalingGroups.length === 1, 'the old group gone');
    expect(await settledSnapshot(world)).toEqual({
      listener: { default: 'bg-shop-2', green: 'fixed 404', blue: 'bg-shop-2' },
      targetGroups: ['bg-shop-2'],
      autoScalingGroups: [{ name: 'bg-shop-2', min: 3, max: 6, desired: 3, instances: 3 }],
      alarms: ['bg-shop-2-5xx'],
    });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'succeeded', version: 'v2' });
  });
  it('22. a hand-made `x-client-mode: beta` rule is not bluegreen\'s: it survives a first release, a canary, promotion and retirement untouched', async () => {
    // Prepare: someone routes `x-client-mode: beta` by hand, on the header the canary uses.
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    const { Rules } = await world.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: world.infra.listenerArn,
        Priority: 5,
        Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['beta'] } }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'beta by hand' } }],
      }),
    );
    const beta = Rules![0]!;

    // Act
    await world.release('v1');
    const execution = await world.deploy('v2');
    await world.waitFor('promotion');
    await world.signal('promote', 'slack:U1');
    const done = await world.finished(execution);

    // Assess: the rule is exactly as it was made and still answers.
    expect(done, done.cause).toMatchObject({ status: 'SUCCEEDED' });
    const after = await world.elbv2.send(new DescribeRulesCommand({ RuleArns: [beta.RuleArn!] }));
    expect(after.Rules?.map((r) => ({ priority: r.Priority, conditions: r.Conditions, actions: r.Actions }))).toEqual([
      { priority: beta.Priority, conditions: beta.Conditions, actions: beta.Actions },
    ]);
    const answer = await fetch(world.url, { headers: { 'x-client-mode': 'beta' } });
    expect([answer.status, await answer.text()]).toEqual([200, 'beta by hand']);
    expect(await settledSnapshot(world)).toMatchObject({ listener: { default: 'bg-shop-2', green: 'fixed 404', blue: 'bg-shop-2' } });
    expect(await world.lock()).toBeNull();
  });
  it('25. the default action pointed at another fleet by hand during the health gate, then the gate fails → compensation leaves the listener, removes only the unrouted release, DriftDetected', async () => {
    // Prepare: v2 never becomes healthy; while its gate waits, an operator sends everyone to a fleet of their own.
    let byHand: string | undefined;
    world = await startBootingWorld({
      strategy: { type: 'header-canary', promotion: 'manual' },
      faults: { v2: { neverHealthy: true } },
      beforeStep: async (event, w) => {
        if (event.step !== 'checkHealth' || event.state.version !== 'v2' || byHand) return;
        const created = await w.elbv2.send(new CreateTargetGroupCommand({ Name: 'fleet-by-hand', Protocol: 'HTTP', Port: 80, VpcId: w.infra.vpcId }));
        byHand = created.TargetGroups![0]!.TargetGroupArn!;
        await w.elbv2.send(new ModifyListenerCommand({ ListenerArn: w.infra.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: byHand }] }));
        w.resetCalls();
      },
    });
    await world.release('v1');

    // Act
    const done = await world.finished(await world.deploy('v2'));

    // Assess: the hand change stands, blue still reaches the live release, release 2 is gone, the failure names the drift.
    expect(done).toMatchObject({ status: 'FAILED', error: 'DriftDetected' });
    expect(done.cause).toContain(`listener ${world.infra.listenerArn} changed outside this deployment: default is fleet-by-hand, expected bg-shop-1 (bg-shop-2 attached)`);
    expect(done.cause).toContain('Left as it is; release 2 removed (nothing routes to it), compensating HealthDeadlineExceeded');
    expect(world.calls().filter((c) => c.call === 'router.applyWrites')).toEqual([]);
    expect(await settledSnapshot(world)).toEqual({
      listener: { default: 'fleet-by-hand', green: 'fixed 404', blue: 'bg-shop-1' },
      targetGroups: ['bg-shop-1'],
      autoScalingGroups: [{ name: 'bg-shop-1', min: 2, max: 4, desired: 2, instances: 2 }],
      alarms: ['bg-shop-1-5xx'],
    });
    const blue = await fetch(world.url, { headers: { 'x-client-mode': 'blue' } });
    expect(blue.status).toBe(200);
    expect(await blue.json()).toMatchObject({ version: 'v1' });
    expect(await world.lock()).toBeNull();
    expect((await world.lastFinished())?.reason).toMatch(/^DriftDetected: /);
  });

  it('28. after DriftDetected, the listener put back by hand as the runbook says → the next deploy goes through and removes the release the stop kept; while that release still takes canary traffic, a deploy is refused naming what to do', async () => {
    // Prepare: scenario 8's stop (maintenance page by hand while the header canary waits), release 2 kept, green → release 2.
    world = await startBootingWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    await world.release('v1');
    const stopped = world.deploy('v2');
    await world.waitFor('promotion');
    const maintenance = { Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'maintenance' } };
    await world.elbv2.send(new ModifyListenerCommand({ ListenerArn: world.infra.listenerArn, DefaultActions: [maintenance] }));
    await world.signal('promote', 'slack:U1');
    expect(await world.finished(await stopped)).toMatchObject({ status: 'FAILED', error: 'DriftDetected' });
    const [v1] = (await world.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['bg-shop-1'] }))).TargetGroups!;
    await world.elbv2.send(new ModifyListenerCommand({ ListenerArn: world.infra.listenerArn, DefaultActions: [{ Type: 'forward', TargetGroupArn: v1!.TargetGroupArn! }] }));
    const halfPutBack = await settledSnapshot(world);
    expect(halfPutBack.listener).toEqual({ default: 'bg-shop-1', green: 'bg-shop-2', blue: 'bg-shop-1' });

    // Act 1: the default is back, the green rule still sends testers to release 2.
    const refused = await world.finished(await world.deploy('v3'));

    // Assess 1: refused before anything is created, saying what to put back.
    expect(refused).toMatchObject({ status: 'FAILED', error: 'DeploymentInProgress' });
    expect(refused.cause).toContain('release 2 (version v2) takes canary traffic and no deployment drives it');
    expect(await settledSnapshot(world)).toEqual(halfPutBack);

    // Act 2: the green rule back to 404, as the runbook says; deploy again.
    const rules = (await world.elbv2.send(new DescribeRulesCommand({ ListenerArn: world.infra.listenerArn }))).Rules ?? [];
    const green = rules.find((r) => r.Conditions?.some((c) => c.HttpHeaderConfig?.Values?.includes('green')))!;
    await world.elbv2.send(new ModifyRuleCommand({ RuleArn: green.RuleArn!, Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no release for this client mode' } }] }));
    const execution = await world.deploy('v3');
    await world.waitFor('promotion');
    await world.signal('promote', 'slack:U1');
    const done = await world.finished(execution);

    // Assess 2: release 3 serves, release 2 (group, target group, alarm) is gone, the lock is free.
    expect(done).toMatchObject({ status: 'SUCCEEDED' });
    const after = await settledSnapshot(world);
    expect(after.listener).toMatchObject({ green: 'fixed 404', blue: 'bg-shop-3' });
    expect(after.listener.default).toMatch(/^bg-shop-3/);
    expect(after.targetGroups).not.toContain('bg-shop-2');
    expect(after.autoScalingGroups.map((g) => g.name)).not.toContain('bg-shop-2');
    expect(after.alarms).not.toContain('bg-shop-2-5xx');
    const served = await fetch(world.url);
    expect(await served.json()).toMatchObject({ version: 'v3' });
    expect(await world.lock()).toBeNull();
  });
});
