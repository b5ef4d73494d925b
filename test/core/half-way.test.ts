// A task that dies between two listener writes leaves the listener half-way.
// For every strategy and every transition the plan makes, every half-way
// listener is not a shape the plan produces, and compensation, planned from
// it and the listener last written, brings it back to one: no half-written
// listener is ever left behind.
import { describe, expect, it } from 'vitest';
import { planCompensation } from '../../functions/core/compensation.ts';
import { applyWrites, diffListener, driftFrom } from '../../functions/core/diff.ts';
import { desiredListener, forward, headerOf, targetsOf } from '../../functions/core/listener.ts';
import type { Command, DeploymentState, DesiredListener, ListenerView, Release } from '../../functions/core/model.ts';
import { isPlanShape } from '../../functions/core/plan-shapes.ts';
import { plan } from '../../functions/core/plan.ts';
import { r1, r2, r3, STRATEGIES, state, viewOf } from './fixtures.ts';

type Strategy = keyof typeof STRATEGIES;

interface Transition {
  strategy: Strategy;
  name: string;
  /** The listener before the step: the one the execution last wrote and verified. */
  from: DesiredListener;
  /** What the step writes. */
  to: DesiredListener;
  /** The release the execution created. */
  mine: Release;
  releases: Release[];
}

const COMMANDS: Command[] = [{ type: 'attach' }, { type: 'shift' }, { type: 'advance' }, { type: 'promote' }, { type: 'rollback' }, { type: 'abort' }, { type: 'retire' }];

function statesOf(strategy: Strategy): Record<string, DeploymentState> {
  const config = STRATEGIES[strategy];
  const provisioned = state({ phase: 'provisioned', live: r1, candidate: r2 });
  const states: Record<string, DeploymentState> = {
    'first provisioned': state({ phase: 'provisioned', candidate: r1 }),
    provisioned,
    'provisioned beside a retained release': state({ phase: 'provisioned', live: r2, candidate: r3, previous: r1 }),
    promoted: state({ phase: 'promoted', live: r2, previous: r1 }),
  };
  if (strategy === 'header-canary') states.canary = plan(config, provisioned, { type: 'shift' }).next;
  if (config.strategy.type === 'weighted-canary') {
    for (const weight of config.strategy.steps.filter((w) => w < 100)) states[`canary ${weight}%`] = { ...provisioned, phase: 'canary', canaryWeight: weight };
  }
  return states;
}

function transitions(): Transition[] {
  return (Object.keys(STRATEGIES) as Strategy[]).flatMap((strategy) => {
    const config = STRATEGIES[strategy];
    return Object.entries(statesOf(strategy)).flatMap(([stateName, s]) =>
      COMMANDS.flatMap((command) => {
        let to: DesiredListener;
        try {
          to = plan(config, s, command).listener;
        } catch {
          return [];
        }
        // Before attach the candidate is not on the listener yet.
        const before = command.type === 'attach' ? { ...s, candidate: null, phase: s.previous ? ('promoted' as const) : ('stable' as const) } : s;
        const mine = s.candidate ?? s.live!;
        const releases = [s.live, s.candidate, s.previous, ...s.older].filter((r): r is Release => r !== null);
        return [{ strategy, name: `${stateName} → ${command.type}`, from: desiredListener(config.strategy, before), to, mine, releases }];
      }),
    );
  });
}

/** Every listener a step writing `from` → `to` leaves when it dies after k of its n writes, 0 < k < n. */
function halfWays(t: Transition): Array<{ k: number; n: number; listener: ListenerView }> {
  const start = viewOf(t.from);
  const writes = diffListener(start, t.to, 'x-client-mode');
  return writes.slice(1).map((_, i) => ({ k: i + 1, n: writes.length, listener: applyWrites(start, writes.slice(0, i + 1)) }));
}

const ALL = transitions();
const HALF_WAYS = ALL.flatMap((t) => halfWays(t).map((h) => ({ ...t, ...h, case: `${t.strategy}: ${t.name}, dead after write ${h.k} of ${h.n}` })));

describe('isPlanShape', () => {
  it.each(ALL.map((t) => ({ ...t, case: `${t.strategy}: ${t.name}` })))('holds before and after every transition: $case', ({ strategy, from, to }) => {
    const { strategy: s } = STRATEGIES[strategy];
    expect(isPlanShape(s, viewOf(from), headerOf(s))).toBe(true);
    expect(isPlanShape(s, viewOf(to), headerOf(s))).toBe(true);
  });

  it('the transitions that write more than once: the header canary\'s (blue/green and weighted canaries write the default action alone)', () => {
    const counted = (strategy: Strategy) => new Set(HALF_WAYS.filter((h) => h.strategy === strategy).map((h) => h.name));
    expect([...counted('header-canary')].sort()).toEqual([
      'canary → abort',
      'canary → promote',
      'canary → rollback',
      'first provisioned → abort',
      'first provisioned → attach',
      'first provisioned → shift',
      'promoted → abort',
      'promoted → rollback',
    ]);
    expect([...counted('blue-green')].sort()).toEqual([]);
    expect([...counted('weighted-canary')].sort()).toEqual([]);
  });

  it.each(HALF_WAYS)('is false for a half-way listener: $case', ({ strategy, listener }) => {
    const { strategy: s } = STRATEGIES[strategy];
    expect(isPlanShape(s, listener, headerOf(s))).toBe(false);
  });

  it('keeps the stickiness of the default forward: a sticky listener the plan wrote is one of its shapes', () => {
    const { strategy } = STRATEGIES['weighted-canary'];
    const sticky = state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 10, stickiness: { durationSeconds: 300 } });
    expect(isPlanShape(strategy, viewOf(desiredListener(strategy, sticky)), 'x-client-mode')).toBe(true);
  });

  it('is false for a listener changed by hand into a mix, true for the empty listener of no release', () => {
    const { strategy } = STRATEGIES['header-canary'];
    const canary = desiredListener(strategy, state({ phase: 'canary', live: r1, candidate: r2 }));
    expect(isPlanShape(strategy, viewOf({ ...canary, defaultAction: forward([r2.targetGroupArn, 1]) }), 'x-client-mode')).toBe(false);
    expect(isPlanShape(strategy, viewOf(desiredListener(strategy, state({}))), 'x-client-mode')).toBe(true);
  });
});

describe('compensation from a half-way listener', () => {
  it.each(HALF_WAYS)('converges to a plan shape without drift: $case', ({ strategy, from, listener, mine, releases }) => {
    const config = STRATEGIES[strategy];
    const decision = planCompensation(config, listener, from, releases, mine.number);

    expect(decision.drift).toEqual([]);
    expect(decision.listener).not.toBeNull();
    expect(driftFrom(listener, decision.accepted, 'x-client-mode')).toEqual([]);
    const end = applyWrites(listener, diffListener(listener, decision.listener!, 'x-client-mode'));
    expect(isPlanShape(config.strategy, end, 'x-client-mode')).toBe(true);
    // This execution's release is removed exactly when nothing routes to it any more: never from under traffic, never left behind.
    expect(decision.remove).toEqual(JSON.stringify(end).includes(mine.targetGroupArn) ? null : mine);
  });

  it.each(HALF_WAYS.filter((h) => !h.name.startsWith('promoted')))(
    'puts traffic back on the last good release and removes the new one: $case',
    ({ strategy, from, listener, mine, releases }) => {
      const decision = planCompensation(STRATEGIES[strategy], listener, from, releases, mine.number);
      expect(decision.remove).toEqual(mine);
      expect(targetsOf(decision.listener!.defaultAction)).toEqual(targetsOf(from.defaultAction).filter((arn) => arn !== mine.targetGroupArn));
    },
  );

  it('finishes a rollback of a promoted release that died half-way: the default is back, the blue rule follows', () => {
    const config = STRATEGIES['header-canary'];
    const promoted = state({ phase: 'promoted', live: r2, previous: r1 });
    const from = desiredListener(config.strategy, promoted);
    const to = plan(config, promoted, { type: 'rollback' }).listener;
    const [first] = diffListener(viewOf(from), to, 'x-client-mode');
    const half = applyWrites(viewOf(from), [first!]);

    const decision = planCompensation(config, half, from, [r1, r2], 2);

    expect(decision).toMatchObject({ listener: to, remove: r2, drift: [] });
  });
});
