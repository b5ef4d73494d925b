// Advance and promote read the release's alarms before they write the
// listener: a release whose alarm is in ALARM is never advanced or promoted,
// whoever asks. The step moves nothing, records the refusal, and hands the
// workflow the alarm's rollback (its `signal`, which the ASL sends to RollBack).
import { describe, expect, it } from 'vitest';
import { describeAction } from '../../functions/core/diff.ts';
import { advance, promote } from '../../functions/steps/move-forward.ts';
import { service } from '../core/fixtures.ts';
import { alarm, useStepWorld } from './step-world.ts';

const world = useStepWorld();
const weighted = service({ type: 'weighted-canary', steps: [50, 100] });
const headerCanary = service({ type: 'header-canary', promotion: 'automatic' });
const REASON = 'Threshold Crossed: 1 datapoint [7.0] was greater than the threshold (2.0).';

describe('advance', () => {
  it('moves the canary forward while every alarm of the release is OK', async () => {
    // Prepare
    const w = await world(weighted, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx', 'OK'), alarm('bg-web-2-unhealthy', 'OK'), alarm('bg-web-2-latency', 'INSUFFICIENT_DATA')];

    // Act
    const next = await advance(w.deps, w.state());

    // Assess
    expect(w.reads).toBe(1);
    expect(next).toMatchObject({ phase: 'promoted', hold: { kind: 'retention' } });
    expect(next.signal).toBeUndefined();
    expect(describeAction(w.listener().defaultAction)).toBe('bg-web-2 (bg-web-1 attached)');
    expect((await w.store.history('web', 10)).filter((e) => e.kind === 'step')).toEqual([expect.objectContaining({ step: 'advance', by: 'workflow' })]);
  });

  it('refuses while an alarm of the release is in ALARM: no listener write, the refusal in the history, the rollback handed on', async () => {
    // Prepare: the canary started failing after its bake began; the alarm's one event met the bake's dead token.
    const w = await world(weighted, { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx', 'OK'), alarm('bg-web-2-unhealthy')];
    const before = w.listener();

    // Act
    const next = await advance(w.deps, w.state());

    // Assess
    const reason = `bg-web-2-unhealthy in ALARM before advance: ${REASON}`;
    expect(w.writes).toEqual([]);
    expect(w.listener()).toEqual(before);
    expect(describeAction(before.defaultAction)).toBe('bg-web-1:50 + bg-web-2:50');
    expect(next).toEqual({ ...w.state(), signal: { action: 'rollback', by: 'alarm:bg-web-2-unhealthy', reason } });
    expect(await w.store.history('web', 10)).toEqual([expect.objectContaining({ kind: 'step', step: 'advance-refused', by: 'workflow', reason, version: 'v2', releaseNumber: 2 })]);
  });

  it('counts only the alarms the workflow armed on the release', async () => {
    // Prepare: only the 5xx alarm is configured.
    const w = await world(service({ type: 'weighted-canary', steps: [50, 100] }, { bake: { alarms: { http5xx: { threshold: 2 } } } }), { canaryWeight: 50 });
    w.alarms = [alarm('bg-web-2-5xx', 'OK'), alarm('bg-web-2-latency'), alarm('bg-web-1-5xx')];

    // Act
    const next = await advance(w.deps, w.state());

    // Assess
    expect(w.reads).toBe(1);
    expect(next.phase).toBe('promoted');
    expect(w.writes).not.toEqual([]);
  });
});

describe('promote', () => {
  it('refuses after a bake elapsed with an alarm in ALARM', async () => {
    // Prepare
    const w = await world(headerCanary, {});
    w.alarms = [alarm('bg-web-2-5xx')];
    const before = w.listener();

    // Act
    const next = await promote(w.deps, w.state());

    // Assess
    expect(w.listener()).toEqual(before);
    expect(next.signal).toEqual({ action: 'rollback', by: 'alarm:bg-web-2-5xx', reason: `bg-web-2-5xx in ALARM before promote: ${REASON}` });
    expect((await w.store.history('web', 10)).map((e) => [e.step, e.by])).toEqual([['promote-refused', 'workflow']]);
  });

  it('refuses a person who asks to promote while an alarm is in ALARM, and records who asked and why it was refused', async () => {
    // Prepare: the promote button was pressed; the hold passes the signal on.
    const w = await world(service({ type: 'header-canary', promotion: 'manual' }), {});
    w.alarms = [alarm('bg-web-2-5xx')];
    const before = w.listener();

    // Act
    const next = await promote(w.deps, w.state({ signal: { action: 'promote', by: 'slack:U1', reason: 'looks good' } }));

    // Assess: rolled back instead, attributed to the alarm.
    const reason = `bg-web-2-5xx in ALARM before promote: ${REASON}`;
    expect(w.writes).toEqual([]);
    expect(w.listener()).toEqual(before);
    expect(next.signal).toEqual({ action: 'rollback', by: 'alarm:bg-web-2-5xx', reason });
    expect(await w.store.history('web', 10)).toEqual([expect.objectContaining({ kind: 'step', step: 'promote-refused', by: 'slack:U1', reason })]);
  });

  it('promotes while every alarm is OK', async () => {
    // Prepare
    const w = await world(headerCanary, {});
    w.alarms = [alarm('bg-web-2-5xx', 'OK')];

    // Act
    const next = await promote(w.deps, w.state({ signal: { action: 'promote', by: 'slack:U1', reason: 'looks good' } }));

    // Assess
    expect(w.reads).toBe(1);
    expect(next.phase).toBe('promoted');
    expect(next.signal).toBeUndefined();
    expect(describeAction(w.listener().defaultAction)).toBe('bg-web-2 (bg-web-1 attached)');
  });
});
