// CloudWatch alarm state changes through EventBridge: the real middy handler,
// the store on dynalite, Step Functions on moto.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../functions/lib/logging.ts';
import { createHandler } from '../../functions/alarm.ts';
import { alarmEvent, type AlarmEvent } from '../support/events.ts';
import { motoAvailable } from '../support/servers.ts';
import { captureOutput, CONFIG, lambdaContext, newWorld, startEmulators, type Emulators, type World } from './harness.ts';


const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

describe.skipIf(!motoAvailable)('CloudWatch alarm', () => {
  let emulators: Emulators;
  let world: World;
  let output: ReturnType<typeof captureOutput>;

  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators?.stop());
  beforeEach(async () => {
    world = await newWorld(emulators);
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const handler = () => createHandler({ config: CONFIG, store: world.store, executions: world.executions, logger: createLogger('alarm') });
  const send = (event: AlarmEvent | Record<string, unknown>) => handler()(event, lambdaContext());

  /** web waiting in `kind` for release `releaseNumber`, as the workflow leaves it. */
  async function waiting(kind: 'promotion' | 'bake' | 'retention', releaseNumber = 4) {
    const executionName = `web-${SHA.slice(0, 12)}-d1`;
    const trigger = { kind: 'push' as const, by: 'github:octocat', deliveryId: 'd1' };
    await world.store.claim('web', { executionName, version: SHA, trigger });
    const { executionArn } = await world.executions.start(executionName, { service: 'web', version: SHA, trigger });
    await world.store.putWait('web', { executionArn, token: await world.taskToken(executionName), kind, releaseNumber, expiresAt: '2026-11-23T10:00:00.000Z' });
    return executionName;
  }

  it.each(['promotion', 'bake', 'retention'] as const)('rolls back release 4 when its alarm fires during %s', async (kind) => {
    // Prepare
    const executionName = await waiting(kind);

    // Act
    const result = await send(alarmEvent('alarm-state-alarm'));

    // Assess
    expect(result).toEqual({ outcome: 'rollback-signalled', reason: 'rollback of web release 4 signalled' });
    const resumed = (await world.outputOf(executionName)) as { action: string; by: string; reason: string };
    expect(resumed).toMatchObject({ action: 'rollback', by: 'alarm:bg-web-4-5xx' });
    expect(resumed.reason).toMatch(/^bg-web-4-5xx in ALARM: Threshold Crossed/);
    expect((await world.store.history('web', 1))[0]).toMatchObject({ kind: 'signal', by: 'alarm:bg-web-4-5xx', action: 'rollback' });
  });

  it('rolls back once when the same event arrives twice', async () => {
    // Prepare
    await waiting('bake');

    // Act
    const first = await send(alarmEvent('alarm-state-alarm'));
    const second = await send(alarmEvent('alarm-state-alarm'));

    // Assess
    expect([first.outcome, second.outcome]).toEqual(['rollback-signalled', 'ignored']);
    expect(second.reason).toContain('already handled');
    expect((await world.store.history('web', 10)).filter((e) => e.kind === 'signal')).toHaveLength(1);
  });

  it('rolls back once when two alarms of the release fire together', async () => {
    // Prepare
    await waiting('bake');

    // Act
    const results = await Promise.all([
      send(alarmEvent('alarm-state-alarm')),
      send(alarmEvent('alarm-state-alarm', { id: 'other-event', alarmName: 'bg-web-4-unhealthy' })),
    ]);

    // Assess
    expect(results.map((r) => r.outcome).sort()).toEqual(['ignored', 'rollback-signalled']);
    expect(results.find((r) => r.outcome === 'ignored')?.reason).toContain('already taken by alarm:bg-web-4-');
  });

  it.each([
    ['an OK state', alarmEvent('alarm-state-ok'), 'bake', 'state OK needs nothing'],
    ['an alarm of another release', alarmEvent('alarm-state-alarm', { alarmName: 'bg-web-3-5xx' }), 'bake', 'not of release 3'],
    ['an alarm not named after a release', alarmEvent('alarm-state-alarm', { alarmName: 'billing-over-budget' }), 'bake', 'not an alarm of a managed release'],
    ['an alarm of an unconfigured service', alarmEvent('alarm-state-alarm', { alarmName: 'bg-shop-4-5xx' }), 'bake', 'service shop is not configured'],
    ['an event of another kind', { ...alarmEvent('alarm-state-alarm'), 'detail-type': 'EC2 Instance State-change Notification' }, 'bake', 'not a CloudWatch alarm state change'],
  ] as const)('ignores %s and leaves the wait open', async (_case, event, kind, reason) => {
    // Prepare
    await waiting(kind);

    // Act
    const result = await send(event);

    // Assess
    expect(result.outcome).toBe('ignored');
    expect(result.reason).toContain(reason);
    expect((await world.store.getWait('web'))?.taken).toBeNull();
  });

  it('ignores an alarm when nothing waits', async () => {
    // Act
    const result = await send(alarmEvent('alarm-state-alarm'));

    // Assess
    expect(result).toMatchObject({ outcome: 'ignored', reason: 'web: nothing to roll back: no deployment of web is running' });
    expect(output.text()).toContain('"alarm":"bg-web-4-5xx"');
  });
});
