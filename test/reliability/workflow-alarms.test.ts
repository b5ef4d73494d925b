// Reliability: alarms and rollbacks. A release that starts failing under real
// traffic is rolled back automatically (CloudWatch alarm → EventBridge → the
// alarm function → the workflow), to a warm release in one write, or to a
// scaled-to-zero release only once it serves again. An alarm whose one
// state-change event found no open wait is read by the workflow itself: as a
// hold opens, and before it advances or promotes.
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from 'vitest';
import { startLoad, type Load } from '../../local/load.ts';
import { sleep, startWorld, until, type World } from './workflow-world.ts';

/** Timers, event delivery and in-flight requests: real milliseconds beyond the alarm period and the rollback. */
const SLACK_MS = 250;
/**
 * AWS seconds from the first 5xx to the alarm at most: the errors' minute (the next one, when they began in the last
 * instant of a minute) ends, ALB publishes it a minute later (local/cloud/realism.ts), and a 60 s alarm evaluates
 * every minute ("Using Amazon CloudWatch alarms").
 */
const ALARM_LATENCY_SECONDS = 60 + 60 + 60 + 60;

/** Until CloudWatch has `name` in ALARM (the load must be running on the failing version). */
async function inAlarm(world: World, name: string): Promise<void> {
  const state = async () => (await world.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.StateValue;
  await until(async () => (await state()) === 'ALARM', `${name} in ALARM`, world.cloud.realMs(ALARM_LATENCY_SECONDS) + 5000);
}

/** A step hook: just before `step` of v2 runs, v2 fails every request, and the hook returns once its 5xx alarm is in ALARM. */
function v2FailsBefore(step: string): NonNullable<Parameters<typeof startWorld>[0]>['beforeStep'] {
  return async (event, w) => {
    if (event.step !== step || event.state.version !== 'v2') return;
    w.cloud.setVersionFaults('v2', { errorRate: 1 });
    await inAlarm(w, 'bg-shop-2-5xx');
  };
}

describe('reliability: alarms and rollbacks', () => {
  let world: World | undefined;
  let load: Load | undefined;
  afterEach(async () => {
    await load?.stop();
    await world?.stop();
    load = undefined;
    world = undefined;
  });

  it('3. green healthy, then its alarm fires during bake → automatic rollback; errors stop within the alarm latency plus the rollback', async () => {
    // Prepare: a weighted canary at 50 % bakes long enough for the alarm (5xx > 2 in one 60 s period) to decide.
    const times: { faulty?: number; alarm?: number; routedBack?: number } = {};
    world = await startWorld({
      strategy: { type: 'weighted-canary', steps: [50, 100] },
      service: { bake: { seconds: 600, alarms: { http5xx: { threshold: 2, periods: 1, periodSeconds: 60 } } } },
      alarms: true,
      beforeStep: (event) => {
        if (event.step === 'cleanup' && event.state.rolledBack) times.routedBack ??= Date.now();
      },
    });
    world.cloud.onEvent((event) => {
      if ((event.detail as { state?: { value?: string } }).state?.value === 'ALARM') times.alarm ??= Date.now();
    });
    await world.release('v1');
    const before = await world.snapshot();
    load = startLoad({ url: world.url, rps: 100 });

    // Act: v2 passes its health gate, takes half the traffic, then fails every request.
    const execution = await world.deploy('v2');
    await world.waitFor('bake');
    expect(await world.listener()).toEqual({ default: 'bg-shop-1:50 + bg-shop-2:50' });
    times.faulty = Date.now();
    world.cloud.setVersionFaults('v2', { errorRate: 1 });
    const done = await world.finished(execution);
    await sleep(world.cloud.realMs(5));
    await load.stop();

    // Assess
    expect(done).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    const samples = load.samples().map((s) => ({ ...s, at: s.at + load!.startedAt }));
    const errors = samples.filter((s) => s.kind === 'appError');
    expect(errors.length).toBeGreaterThan(0);
    const lastError = Math.max(...errors.map((s) => s.at));
    const latency = world.cloud.realMs(ALARM_LATENCY_SECONDS);
    const { listenerPropagation } = world.cloud.realism;
    const propagation = listenerPropagation ? world.cloud.realMs(listenerPropagation.seconds) : 0;
    const rollback = times.routedBack! - times.alarm! + propagation;
    expect(times.alarm! - times.faulty).toBeLessThanOrEqual(latency + SLACK_MS);
    expect(lastError - times.faulty).toBeLessThanOrEqual(latency + rollback + SLACK_MS);
    expect(samples.filter((s) => s.at > times.routedBack! + propagation + 100).every((s) => s.version === 'v1')).toBe(true);
    expect(samples.filter((s) => s.kind === 'failed')).toEqual([]);
    expect(await world.snapshot()).toEqual(before);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'rolled-back', version: 'v2' });
  }, 60_000); // two releases, up to four minutes of alarm latency and two of group deletion: some 12 s at 0.02

  it('4. alarm after promotion, inside retention → rollback to the warm old release in one default-action write', async () => {
    // Prepare
    world = await startWorld({ service: { retention: { mode: 'warm', minutes: 10, generations: 0 } }, alarms: true });
    await world.release('v1');
    const before = await world.snapshot();
    load = startLoad({ url: world.url, rps: 50 });

    // Act: v2 goes live, v1 stays attached at weight 0; then v2 starts failing.
    const execution = await world.deploy('v2');
    await world.waitFor('retention');
    expect(await world.listener()).toEqual({ default: 'bg-shop-2 (bg-shop-1 attached)' });
    world.resetCalls();
    world.cloud.setVersionFaults('v2', { errorRate: 1 });
    const done = await world.finished(execution);
    const seen = await load.stop();

    // Assess: the rollback was one read, one health read, one write, one read-back; nothing scaled.
    expect(done).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    const calls = world.calls().map((c) => `${c.call} ${c.detail}`);
    const rollback = calls.slice(0, calls.indexOf(calls.find((c) => c.startsWith('alarms.list'))!));
    expect(rollback).toEqual([
      `router.readListener ${world.infra.listenerArn}`,
      'targetGroups.health bg-shop-1',
      `router.applyWrites ${world.infra.listenerArn} modify-default`,
      `router.readListener ${world.infra.listenerArn}`,
      `router.readListener ${world.infra.listenerArn}`, // cleanup reads the listener before deleting
    ]);
    const rolledBack = (await world.engine.store.history('shop', 50)).find((e) => e.kind === 'step' && e.step === 'rollback');
    expect(rolledBack).toMatchObject({ by: 'alarm:bg-shop-2-5xx', listenerChanges: [{ kind: 'modify-default' }] });
    expect(seen.failed).toBe(0);
    expect(await world.snapshot()).toEqual(before);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'rolled-back', version: 'v2' });
  });

  it('5. rollback to a release scaled to zero → scale up, wait healthy, then switch; never to an empty target group', async () => {
    // Prepare
    world = await startWorld({ service: { retention: { mode: 'zero', minutes: 10, generations: 0 } } });
    await world.release('v1');
    const before = await world.snapshot();
    const execution = await world.deploy('v2');
    await world.waitFor('retention');
    await until(async () => (await world!.snapshot()).autoScalingGroups.find((g) => g.name === 'bg-shop-1')?.instances === 0, 'v1 scaled to zero');
    expect((await world.snapshot()).autoScalingGroups).toEqual([
      { name: 'bg-shop-1', min: 0, max: 4, desired: 0, instances: 0 },
      { name: 'bg-shop-2', min: 2, max: 4, desired: 2, instances: 2 },
    ]);
    load = startLoad({ url: world.url, rps: 50 });
    world.resetCalls();

    // Act
    await world.signal('rollback', 'slack:U1');
    const done = await world.finished(execution);
    const seen = await load.stop();

    // Assess: capacity first, health polled until ready, then the one switch.
    expect(done).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    const calls = world.calls().map((c) => `${c.call} ${c.detail}`);
    const scaled = calls.indexOf('fleet.setCapacity bg-shop-1');
    const switched = calls.findIndex((c) => c.startsWith('router.applyWrites'));
    expect(scaled).toBeGreaterThan(-1);
    expect(switched).toBeGreaterThan(scaled);
    expect(calls.slice(scaled, switched).filter((c) => c === 'targetGroups.health bg-shop-1').length).toBeGreaterThanOrEqual(1);
    expect(calls.filter((c) => c.startsWith('router.applyWrites'))).toHaveLength(1);
    expect(seen.failed).toBe(0);
    expect(seen.byVersion.v1).toBeGreaterThan(0);
    expect(await world.listener()).toEqual({ default: 'bg-shop-1' });
    expect((await world.snapshot()).autoScalingGroups).toEqual([{ name: 'bg-shop-1', min: 2, max: 4, desired: 2, instances: 2 }]);
    expect((await world.snapshot()).targetGroups).toEqual(before.targetGroups);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'rolled-back', version: 'v2' });
  });

  it('29. an alarm that fires between two holds (just before Advance) rolls back; the release is never promoted', async () => {
    // Prepare: a weighted canary at 50 % with a short bake; its 5xx alarm goes to ALARM while Advance runs,
    // so its one event finds the bake's wait timed out (a dead token) and no wait open.
    world = await startWorld({
      strategy: { type: 'weighted-canary', steps: [50, 100] },
      alarms: true,
      beforeStep: v2FailsBefore('advance'),
    });
    await world.release('v1');
    const before = await world.snapshot();
    load = startLoad({ url: world.url, rps: 50 });

    // Act
    const done = await world.finished(await world.deploy('v2'));
    await load.stop();

    // Assess: rolled back from 50 %, never advanced; the refusal and the rollback in the history, no signal.
    expect(done).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(await world.listener()).toEqual({ default: 'bg-shop-1' });
    expect(await world.snapshot()).toEqual(before);
    const history = await world.engine.store.history('shop', 50);
    const steps = history.filter((e) => e.kind === 'step' && e.version === 'v2').map((e) => [e.step, e.by]);
    expect(steps.reverse()).toEqual([
      ['shift', 'workflow'],
      ['advance-refused', 'workflow'],
      ['rollback', 'alarm:bg-shop-2-5xx'],
    ]);
    expect(history.find((e) => e.step === 'rollback')?.reason).toMatch(/^bg-shop-2-5xx in ALARM before advance: /);
    expect(history.filter((e) => e.kind === 'signal')).toEqual([]); // the alarm event answered nothing
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'rolled-back', version: 'v2' });
  });

  it('30. an alarm already in ALARM when a hold opens rolls back at once, without its event', async () => {
    // Prepare: the canary fails before its bake begins, and no alarm event reaches the alarm function (`alarms` off):
    // only the hold's own read can see it. The bake is long: the hold does not time out while the alarm decides.
    world = await startWorld({
      strategy: { type: 'weighted-canary', steps: [50, 100] },
      service: { bake: { seconds: 600, alarms: { http5xx: { threshold: 2, periods: 1, periodSeconds: 60 } } } },
      beforeStep: v2FailsBefore('hold'),
    });
    await world.release('v1');
    const before = await world.snapshot();
    load = startLoad({ url: world.url, rps: 50 });

    // Act
    const done = await world.finished(await world.deploy('v2'));
    await load.stop();

    // Assess: the hold answered its own wait with the alarm's rollback.
    expect(done).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(await world.listener()).toEqual({ default: 'bg-shop-1' });
    expect(await world.snapshot()).toEqual(before);
    const history = await world.engine.store.history('shop', 50);
    const signals = history.filter((e) => e.kind === 'signal');
    expect(signals).toEqual([expect.objectContaining({ by: 'alarm:bg-shop-2-5xx', action: 'rollback', releaseNumber: 2 })]);
    expect(signals[0]!.reason).toMatch(/^bg-shop-2-5xx in ALARM as the bake wait opened: /);
    expect(history.filter((e) => e.kind === 'step' && e.version === 'v2').map((e) => e.step).reverse()).toEqual(['shift', 'rollback']);
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'rolled-back', version: 'v2' });
  });
});
