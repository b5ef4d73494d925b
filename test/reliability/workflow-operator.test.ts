// Reliability: operators. An abort in any phase leaves traffic on the last
// good release and removes what the deployment created; signals that make no
// sense (nothing to promote, nothing to roll back, an answer given twice) are
// refused by name and change nothing.
import { afterEach, describe, expect, it } from 'vitest';
import type { StepEvent } from '../../functions/steps/index.ts';
import { startWorld, type AccountSnapshot, type World } from './workflow-world.ts';

describe('reliability: operators', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.stop();
    world = undefined;
  });

  it('10. abort before health, during the health gate, in the canary hold and in retention → traffic on the last good release, new resources removed', async () => {
    // Prepare: v2 is aborted as its fleet is created, v3 while its health gate polls (it never becomes healthy).
    const abortAt: Record<string, (event: StepEvent) => boolean> = {
      v2: (event) => event.step === 'createFleet',
      v3: (event) => event.step === 'checkHealth' && (event.state.timeline ?? []).some((t) => t.phase === 'attached'),
    };
    const requested: Record<string, string> = {};
    world = await startWorld({
      strategy: { type: 'header-canary', promotion: 'manual' },
      faults: { v3: { neverHealthy: true } },
      service: { retention: { mode: 'warm', minutes: 10, generations: 0 } },
      beforeStep: async (event, w) => {
        const { version } = event.state;
        if (!requested[version] && abortAt[version]?.(event)) {
          requested[version] = event.step;
          expect(await w.signal('abort', 'slack:U1')).toMatchObject({ outcome: 'abort-requested' });
        }
      },
    });
    await world.release('v1');
    const lastGood = await world.snapshot();
    const outcomes: Record<string, { status: string; error?: string; after: AccountSnapshot; outcome?: string; stoppedBy?: string }> = {};
    const record = async (version: string, { status, error }: { status: string; error?: string }) => {
      const done = { status, ...(error ? { error } : {}) };
      const finished = await world!.lastFinished();
      const stoppedBy = /aborted by an operator before \w+/.exec(finished?.reason ?? '')?.[0];
      outcomes[version] = { ...done, after: await world!.snapshot(), ...(finished?.outcome ? { outcome: finished.outcome } : {}), ...(stoppedBy ? { stoppedBy } : {}) };
    };

    // Act
    for (const version of ['v2', 'v3']) await record(version, await world.finished(await world.deploy(version)));
    const inCanary = await world.deploy('v4');
    await world.waitFor('promotion');
    await world.signal('abort', 'slack:U1');
    await record('v4', await world.finished(inCanary));
    const inRetention = await world.deploy('v5');
    await world.waitFor('promotion');
    await world.signal('promote', 'slack:U1');
    await world.waitFor('retention');
    // Aborted releases leave nothing behind, but their numbers are not given again: v5 is release 5.
    expect(await world.listener()).toEqual({ default: 'bg-shop-5 (bg-shop-1 attached)', green: 'fixed 404', blue: 'bg-shop-5' });
    await world.signal('abort', 'slack:U1');
    await record('v5', await world.finished(inRetention));

    // Assess: after every abort the account is as it was with v1 alone.
    expect(requested).toEqual({ v2: 'createFleet', v3: 'checkHealth' });
    expect(outcomes).toEqual({
      v2: { status: 'FAILED', error: 'Aborted', after: lastGood, outcome: 'aborted', stoppedBy: 'aborted by an operator before createFleet' },
      v3: { status: 'FAILED', error: 'Aborted', after: lastGood, outcome: 'aborted', stoppedBy: 'aborted by an operator before checkHealth' },
      v4: { status: 'FAILED', error: 'Aborted', after: lastGood, outcome: 'aborted' },
      v5: { status: 'FAILED', error: 'Aborted', after: lastGood, outcome: 'aborted' },
    });
    expect(lastGood.listener).toEqual({ default: 'bg-shop-1', green: 'fixed 404', blue: 'bg-shop-1' });
    expect(await world.lock()).toBeNull();
  });

  it('11. promote twice, promote or roll back with nothing to act on, roll back a rollback → NothingToPromote, NothingToRollBack, ConcurrentUpdate; nothing changed', async () => {
    // Prepare
    world = await startWorld({ strategy: { type: 'header-canary', promotion: 'manual' }, service: { retention: { mode: 'warm', minutes: 10, generations: 0 } } });
    await world.release('v1');
    const refusal = async (action: 'promote' | 'rollback') => {
      const before = await world!.snapshot();
      const error = await world!.signal(action).then(() => null, (e: Error) => e);
      return { name: error?.name, message: error?.message, unchanged: JSON.stringify(await world!.snapshot()) === JSON.stringify(before) };
    };

    // Act + Assess: with nothing running.
    expect(await refusal('promote')).toMatchObject({ name: 'NothingToPromote', message: 'shop: nothing to promote: no deployment of shop is running', unchanged: true });
    expect(await refusal('rollback')).toMatchObject({ name: 'NothingToRollBack', message: 'shop: nothing to roll back: no deployment of shop is running', unchanged: true });

    // Two promotions of the same canary at once: one wins, the other is refused naming the winner.
    const promoted = world.deploy('v2');
    await world.waitFor('promotion');
    const both = await Promise.allSettled([world.signal('promote', 'slack:U1'), world.signal('promote', 'slack:U2')]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const loser = both.find((r) => r.status === 'rejected')!.reason as Error;
    expect(loser.name).toBe('ConcurrentUpdate');
    expect(loser.message).toMatch(/slack:U[12]/);
    await world.waitFor('retention');
    expect(await refusal('promote')).toMatchObject({ name: 'NothingToPromote', message: 'shop is waiting in retention of release 2: release 2 is live already; nothing to promote', unchanged: true });
    const promotions = (await world.engine.store.history('shop', 50)).filter((e) => e.kind === 'step' && e.step === 'promote');
    expect(promotions).toHaveLength(1);

    // Roll back twice at once, then roll back the rollback.
    const both2 = await Promise.allSettled([world.signal('rollback', 'slack:U1'), world.signal('rollback', 'slack:U2')]);
    expect(both2.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both2.find((r) => r.status === 'rejected')!.reason as Error).name).toBe('ConcurrentUpdate');
    expect(await world.finished(await promoted)).toMatchObject({ status: 'FAILED', error: 'RolledBack' });
    expect(await refusal('rollback')).toMatchObject({ name: 'NothingToRollBack', unchanged: true });
    expect(await world.snapshot()).toEqual({
      listener: { default: 'bg-shop-1', green: 'fixed 404', blue: 'bg-shop-1' },
      targetGroups: ['bg-shop-1'],
      autoScalingGroups: [{ name: 'bg-shop-1', min: 2, max: 4, desired: 2, instances: 2 }],
      alarms: ['bg-shop-1-5xx'],
    });
    expect(await world.lock()).toBeNull();
    expect(await world.lastFinished()).toMatchObject({ outcome: 'rolled-back', version: 'v2' });
  });

  it('31. an abort asked for while a hold is being entered (no wait open yet) is carried out: the deployment ends Aborted, not after the hold', async () => {
    // Prepare: the abort arrives as the promotion hold's task starts, before it records its wait.
    let answer: unknown;
    world = await startWorld({
      strategy: { type: 'header-canary', promotion: 'manual' },
      beforeStep: async (event, w) => {
        if (event.step === 'hold' && event.state.version === 'v2' && answer === undefined) answer = await w.signal('abort', 'slack:U1');
      },
    });
    await world.release('v1');
    const lastGood = await world.snapshot();

    // Act
    const done = await world.finished(await world.deploy('v2'));

    // Assess: the user was told it would stop, and it did, at once; the account is as it was.
    expect(answer).toMatchObject({ outcome: 'abort-requested' });
    expect(done).toMatchObject({ status: 'FAILED', error: 'Aborted' });
    expect(await world.snapshot()).toEqual(lastGood);
    const signals = (await world.engine.store.history('shop', 50)).filter((e) => e.kind === 'signal');
    expect(signals).toEqual([expect.objectContaining({ by: 'slack:U1', action: 'abort' })]);
    expect(await world.lock()).toBeNull();
  });
});
