// Entering a hold: the wait is recorded, then the release's alarms are read.
// An alarm already in ALARM (its one state-change event came while no wait
// was open) answers the wait at once with its rollback, as the alarm function
// would have; an alarm that changes state after the read finds the wait open.
import { describe, expect, it } from 'vitest';
import { TaskTokenRejected } from '../../functions/core/errors.ts';
import type { Hold } from '../../functions/core/holds.ts';
import { hold } from '../../functions/steps/hold.ts';
import { r1, r2, service } from '../core/fixtures.ts';
import { alarm, EXECUTION, TOKEN, useStepWorld } from './step-world.ts';

const world = useStepWorld();
const weighted = service({ type: 'weighted-canary', steps: [50, 100] });
const bake: Hold = { kind: 'bake', seconds: 600, onTimeout: 'advance' };
const context = { execution: EXECUTION, token: TOKEN };

describe('the hold reads the release alarms once its wait is recorded', () => {
  it('opens the wait and sends nothing while every alarm is OK', async () => {
    // Prepare
    const w = await world(weighted, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx', 'OK'), alarm('bg-web-2-unhealthy', 'INSUFFICIENT_DATA'), alarm('bg-web-2-latency', 'OK')];
    let openWhenRead: boolean | undefined;
    w.onList = async () => void (openWhenRead = (await w.store.getWait('web'))?.taken === null);

    // Act
    await hold(w.deps, w.state({ hold: bake }), context);

    // Assess
    expect(openWhenRead).toBe(true);
    expect(w.sent).toEqual([]);
    expect(await w.store.getWait('web')).toMatchObject({ token: TOKEN, kind: 'bake', releaseNumber: 2, taken: null });
  });

  it.each([
    ['bake', 'a weighted canary baking', weighted, { canaryWeight: 50 }, bake],
    ['promotion', 'a header canary waiting for a person', service({ type: 'header-canary', promotion: 'manual' }), {}, { kind: 'promotion', seconds: 3600, onTimeout: 'rollback' }],
    ['retention', 'a promoted release keeping the old one warm', service(), { phase: 'promoted', live: r2, previous: r1, candidate: null }, { kind: 'retention', seconds: 600, onTimeout: 'retire' }],
  ] as const)('answers its own %s wait with the rollback when an alarm is already in ALARM (%s)', async (kind, _case, config, at, h) => {
    // Prepare
    const w = await world(config, at);
    w.alarms = [alarm('bg-web-2-5xx'), alarm('bg-web-2-unhealthy', 'OK')];

    // Act
    await hold(w.deps, w.state({ hold: h }), context);

    // Assess: the same answer, taken the same way, as the alarm function's.
    const reason = `bg-web-2-5xx in ALARM as the ${kind} wait opened: Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (2.0).`;
    expect(w.sent).toEqual([{ token: TOKEN, output: { action: 'rollback', by: 'alarm:bg-web-2-5xx', reason } }]);
    expect((await w.store.getWait('web'))?.taken).toMatchObject({ by: 'alarm:bg-web-2-5xx', action: 'rollback' });
    expect(await w.store.history('web', 10)).toEqual([
      expect.objectContaining({ kind: 'signal', by: 'alarm:bg-web-2-5xx', action: 'rollback', reason, executionName: 'web-v2-d2', releaseNumber: 2 }),
    ]);
  });

  it('counts only the alarms the workflow armed on this release', async () => {
    // Prepare: only the 5xx alarm is configured; the others of the list are not this deployment's.
    const config = service({ type: 'weighted-canary', steps: [50, 100] }, { bake: { alarms: { http5xx: { threshold: 2 } } } });
    const w = await world(config, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx', 'OK'), alarm('bg-web-2-latency'), alarm('bg-web-1-5xx'), alarm('bg-web-2-5xx-copy')];

    // Act
    await hold(w.deps, w.state({ hold: bake }), context);

    // Assess
    expect(w.reads).toBe(1);
    expect(w.sent).toEqual([]);
    expect((await w.store.getWait('web'))?.taken).toBeNull();
  });

  it('leaves a wait answered between its record and the read as it was answered', async () => {
    // Prepare: an operator promotes right after the wait opens.
    const w = await world(weighted, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx')];
    w.onList = async () => void (await w.store.takeWait('web', { by: 'slack:U1', action: 'promote', expectedToken: TOKEN }));

    // Act
    await hold(w.deps, w.state({ hold: bake }), context);

    // Assess: nothing more is sent; the promote step reads the alarm again and refuses.
    expect(w.sent).toEqual([]);
    expect((await w.store.getWait('web'))?.taken).toMatchObject({ by: 'slack:U1', action: 'promote' });
  });

  it('does not fail when the token is already dead (the hold timed out meanwhile)', async () => {
    // Prepare
    const w = await world(weighted, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx')];
    w.sendError = new TaskTokenRejected('Task Timed Out');

    // Act
    const next = await hold(w.deps, w.state({ hold: bake }), context);

    // Assess: the wait stays taken (nobody else answers it); the next step reads the alarm again.
    expect(next.hold).toEqual(bake);
    expect((await w.store.getWait('web'))?.taken).toMatchObject({ by: 'alarm:bg-web-2-5xx' });
  });

  it('answers its own wait with an abort asked for while no wait was open (as the hold was entered)', async () => {
    // Prepare: the operator's abort met no open wait, so it was written on the lock; every alarm is in ALARM too.
    const w = await world(weighted, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx')];
    await w.store.requestAbort('web', { by: 'cli:ops', reason: 'wrong build' });

    // Act
    await hold(w.deps, w.state({ hold: bake }), context);

    // Assess: the abort, as asked and by whom, not the alarm's rollback.
    expect(w.sent).toEqual([{ token: TOKEN, output: { action: 'abort', by: 'cli:ops', reason: 'wrong build' } }]);
    expect((await w.store.getWait('web'))?.taken).toMatchObject({ by: 'cli:ops', action: 'abort' });
  });
});
