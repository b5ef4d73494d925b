// Reliability: the health gate. A release takes traffic only once every
// desired target reports healthy itself; otherwise nothing moves and what
// the deployment created is removed.
import { CreateListenerCommand, DeleteListenerCommand, DescribeTargetHealthCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad, type Load } from '../../local/load.ts';
import { sleep, startWorld, until, type World } from './workflow-world.ts';

describe('reliability: the health gate', () => {
  let world: World | undefined;
  let load: Load | undefined;
  afterEach(async () => {
    await load?.stop();
    await world?.stop();
    load = undefined;
    world = undefined;
  });

  it('1. green never becomes healthy → no traffic moved, green removed, blue untouched', async () => {
    // Prepare
    world = await startWorld({ faults: { v2: { neverHealthy: true } } });
    await world.release('v1');
    const before = await world.snapshot();
    load = startLoad({ url: world.url, rps: 50 });

    // Act
    const done = await world.finished(await world.deploy('v2'));
    await sleep(world.cloud.realMs(5));
    const seen = await load.stop();

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'HealthDeadlineExceeded' });
    expect(done.cause).toMatch(/release 2 \(version v2\) was not healthy within 180 s: 0\/2 healthy/);
    expect(await world.snapshot()).toEqual(before);
    expect(before.listener).toEqual({ default: 'bg-shop-1' });
    expect(seen.failed).toBe(0);
    expect(Object.keys(seen.byVersion)).toEqual(['v1']);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v2' });
    expect((await world.lastFinished())?.reason).toMatch(/^HealthDeadlineExceeded/);
  });

  it('2. every target unhealthy, the ALB failing open to them → never counted as healthy', async () => {
    // Prepare: a second listener forwards to v2's target group, so requests reach its unhealthy targets.
    let probe: { listenerArn: string; status: number; version: string; targetStates: string[] } | undefined;
    let probeRemoved = false;
    world = await startWorld({
      faults: { v2: { neverHealthy: true } },
      // A deadline shorter than the group's 60 s grace period after InService (30 s of boot): Auto Scaling does not
      // replace the unhealthy instances first. The app starts in 5 s instead of 20, so v1 is healthy well within it.
      service: { healthGate: { deadlineSeconds: 60, pollSeconds: 2 } },
      realism: { instanceBoot: { bootSeconds: 30, appStartSeconds: 5 } },
      beforeStep: async (event, w) => {
        const release = event.state.release;
        if (event.step === 'checkHealth' && release?.version === 'v2' && !probe) {
          const { elbv2 } = w;
          const states = async () =>
            ((await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: release.targetGroupArn }))).TargetHealthDescriptions ?? []).map((t) => t.TargetHealth?.State ?? '');
          const created = await elbv2.send(
            new CreateListenerCommand({ LoadBalancerArn: w.infra.loadBalancerArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: release.targetGroupArn }] }),
          );
          const listenerArn = created.Listeners![0]!.ListenerArn!;
          await until(async () => {
            const s = await states();
            return s.length === 2 && s.every((x) => x === 'unhealthy');
          }, 'every v2 target unhealthy');
          const answer = await fetch(w.cloud.listenerUrl(listenerArn));
          probe = { listenerArn, status: answer.status, version: ((await answer.json()) as { version: string }).version, targetStates: await states() };
        }
        // Once: compensation runs again while DeleteTargetGroup answers ResourceInUse (the group was just released).
        if (event.step === 'compensate' && probe && !probeRemoved) {
          probeRemoved = true;
          await w.elbv2.send(new DeleteListenerCommand({ ListenerArn: probe.listenerArn }));
        }
      },
    });
    await world.release('v1');
    const before = await world.snapshot();

    // Act
    const done = await world.finished(await world.deploy('v2'));

    // Assess: requests reached the unhealthy targets, the gate still refused them.
    expect(probe).toMatchObject({ status: 200, version: 'v2', targetStates: ['unhealthy', 'unhealthy'] });
    expect(done).toMatchObject({ status: 'FAILED', error: 'HealthDeadlineExceeded' });
    expect(done.cause).toMatch(/0\/2 healthy; i-\w+: unhealthy \(Target\.ResponseCodeMismatch\)/);
    const history = await world.engine.store.history('shop', 50);
    expect(history.filter((e) => e.kind === 'step' && e.version === 'v2')).toEqual([]);
    expect(await world.snapshot()).toEqual(before);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'failed', version: 'v2' });
  });
});
