import { describe, expect, it } from 'vitest';
import { describeAction, diffListener, shortName } from '../../functions/core/diff.ts';
import { desiredListener, NO_RELEASE, forward, headerOf, targetsOf } from '../../functions/core/listener.ts';
import type { Command, DeploymentState, DesiredListener, Phase } from '../../functions/core/model.ts';
import { plan } from '../../functions/core/plan.ts';
import { deriveState } from '../../functions/core/state.ts';
import { STRATEGIES, r1, r2, r3, service, state, viewOf } from './fixtures.ts';

const STATES: Record<string, DeploymentState> = {
  empty: state({}),
  'first provisioned': state({ phase: 'provisioned', candidate: r1 }),
  stable: state({ live: r1 }),
  provisioned: state({ phase: 'provisioned', live: r1, candidate: r2 }),
  promoted: state({ phase: 'promoted', live: r2, previous: r1 }),
};

const COMMANDS: Record<string, Command> = {
  deploy: { type: 'deploy', version: 'v9' },
  'deploy live version': { type: 'deploy', version: 'v1' },
  shift: { type: 'shift' },
  advance: { type: 'advance' },
  promote: { type: 'promote' },
  rollback: { type: 'rollback' },
  abort: { type: 'abort' },
  retire: { type: 'retire' },
};

// Expected outcome: the next phase, or the named error. Columns follow COMMANDS.
type Row = [state: string, deploy: string, deployLive: string, shift: string, advance: string, promote: string, rollback: string, abort: string, retire: string];
const TABLE: Record<keyof typeof STRATEGIES, Row[]> = {
  'blue-green': [
    ['empty', 'stable', 'stable', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'NothingToAbort', 'stable'],
    ['first provisioned', 'DeploymentInProgress', 'DeploymentInProgress', 'stable', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'stable', 'provisioned'],
    ['stable', 'stable', 'VersionAlreadyLive', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'NothingToAbort', 'stable'],
    ['provisioned', 'DeploymentInProgress', 'DeploymentInProgress', 'promoted', 'NothingToAdvance', 'NothingToPromote', 'stable', 'stable', 'provisioned'],
    ['promoted', 'promoted', 'promoted', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'stable', 'stable', 'stable'],
  ],
  'header-canary': [
    ['empty', 'stable', 'stable', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'NothingToAbort', 'stable'],
    ['first provisioned', 'DeploymentInProgress', 'DeploymentInProgress', 'stable', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'stable', 'provisioned'],
    ['stable', 'stable', 'VersionAlreadyLive', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'NothingToAbort', 'stable'],
    ['provisioned', 'DeploymentInProgress', 'DeploymentInProgress', 'canary', 'NothingToAdvance', 'NothingToPromote', 'stable', 'stable', 'provisioned'],
    ['canary', 'DeploymentInProgress', 'DeploymentInProgress', 'NothingToShift', 'NothingToAdvance', 'promoted', 'stable', 'stable', 'canary'],
    ['promoted', 'promoted', 'promoted', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'stable', 'stable', 'stable'],
  ],
  'weighted-canary': [
    ['empty', 'stable', 'stable', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'NothingToAbort', 'stable'],
    ['first provisioned', 'DeploymentInProgress', 'DeploymentInProgress', 'stable', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'stable', 'provisioned'],
    ['stable', 'stable', 'VersionAlreadyLive', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack', 'NothingToAbort', 'stable'],
    ['provisioned', 'DeploymentInProgress', 'DeploymentInProgress', 'canary', 'NothingToAdvance', 'NothingToPromote', 'stable', 'stable', 'provisioned'],
    ['canary', 'DeploymentInProgress', 'DeploymentInProgress', 'NothingToShift', 'canary', 'promoted', 'stable', 'stable', 'canary'],
    ['promoted', 'promoted', 'promoted', 'NothingToShift', 'NothingToAdvance', 'NothingToPromote', 'stable', 'stable', 'stable'],
  ],
};

/** The canary state as each strategy reaches it (header canary: weight 0; weighted: first step). */
function stateFor(strategy: keyof typeof STRATEGIES, name: string): DeploymentState {
  return name === 'canary' ? plan(STRATEGIES[strategy], STATES.provisioned!, { type: 'shift' }).next : STATES[name]!;
}

function outcome(strategy: keyof typeof STRATEGIES, s: DeploymentState, c: Command): string {
  try {
    return plan(STRATEGIES[strategy], s, c).next.phase;
  } catch (e) {
    return (e as Error).name;
  }
}

describe('plan: every strategy × phase × command', () => {
  const cases = Object.entries(TABLE).flatMap(([strategy, rows]) =>
    rows.flatMap(([stateName, ...expected]) =>
      Object.keys(COMMANDS).map((command, i) => ({ strategy: strategy as keyof typeof STRATEGIES, stateName, command, expected: expected[i]! })),
    ),
  );

  it.each(cases)('$strategy, $stateName, $command → $expected', ({ strategy, stateName, command, expected }) => {
    expect(outcome(strategy, stateFor(strategy, stateName), COMMANDS[command]!)).toBe(expected);
  });

  it.each(cases.filter((c) => !c.expected.startsWith('Nothing') && !['DeploymentInProgress', 'VersionAlreadyLive'].includes(c.expected)))(
    'the planned listener reads back as the planned state: $strategy, $stateName, $command',
    ({ strategy, stateName, command }) => {
      const config = STRATEGIES[strategy];
      const p = plan(config, stateFor(strategy, stateName), COMMANDS[command]!);
      const releasesLeft = [p.next.live, p.next.candidate, p.next.previous, ...p.next.older].filter((r) => r !== null);
      const derived = deriveState('web', viewOf(p.listener), releasesLeft, headerOf(config.strategy));
      expect({ phase: derived.phase, live: derived.live, candidate: derived.candidate, weight: derived.canaryWeight }).toEqual({
        phase: p.next.phase,
        live: p.next.live,
        candidate: p.next.candidate,
        weight: p.next.canaryWeight,
      });
    },
  );
});

describe('header canary follows the seed design tables', () => {
  const config = STRATEGIES['header-canary'];
  /** Where each kind of request goes, and which groups are attached at weight 0 for health checks. */
  const routes = (l: DesiredListener) => ({
    default: targetsOf(l.defaultAction).map(shortName),
    green: describeAction(l.rules.find((r) => r.values.includes('green'))!.action),
    blue: describeAction(l.rules.find((r) => r.values.includes('blue'))!.action),
    attached: l.defaultAction.type === 'forward' ? l.defaultAction.targets.filter((t) => t.weight === 0).map((t) => shortName(t.targetGroupArn)) : [],
  });
  const canary = () => plan(config, STATES.provisioned!, { type: 'shift' });

  it('initial: default and blue → tg-n, green → 404', () => {
    expect(routes(desiredListener(config.strategy, STATES.stable!))).toEqual({ default: ['bg-web-1'], blue: 'bg-web-1', green: 'fixed 404', attached: [] });
  });

  it('while tg-(n+1) is health-checked: traffic as before, tg-(n+1) attached at weight 0', () => {
    const p = plan(config, STATES.provisioned!, { type: 'attach' });
    expect(routes(p.listener)).toEqual({ default: ['bg-web-1'], blue: 'bg-web-1', green: 'fixed 404', attached: ['bg-web-2'] });
  });

  it('after the artifacts are deployed: green → tg-(n+1), blue and default → tg-n', () => {
    expect(routes(canary().listener)).toEqual({ default: ['bg-web-1'], blue: 'bg-web-1', green: 'bg-web-2', attached: ['bg-web-2'] });
  });

  it('promotion: default and blue → tg-(n+1), green → 404; tg-n retained and attached', () => {
    const p = plan(config, canary().next, { type: 'promote' });
    expect(routes(p.listener)).toEqual({ default: ['bg-web-2'], blue: 'bg-web-2', green: 'fixed 404', attached: ['bg-web-1'] });
    expect(p.retain).toEqual([{ release: r1, mode: 'warm' }]);
  });

  it('rollback: default and blue → tg-n, green → 404; tg-(n+1) detached and removed', () => {
    const p = plan(config, canary().next, { type: 'rollback' });
    expect(routes(p.listener)).toEqual({ default: ['bg-web-1'], blue: 'bg-web-1', green: 'fixed 404', attached: [] });
    expect(p.remove).toEqual([r2]);
  });

  it('rollback after promotion restores tg-n before switching and removes tg-(n+1)', () => {
    const p = plan(config, STATES.promoted!, { type: 'rollback' });
    expect(routes(p.listener)).toEqual({ default: ['bg-web-1'], blue: 'bg-web-1', green: 'fixed 404', attached: [] });
    expect(p.restore).toEqual([r1]);
    expect(p.remove).toEqual([r2]);
  });

  it('a rollback from a retained release is one write: the default action', () => {
    const promoted = plan(config, canary().next, { type: 'promote' });
    const rollback = plan(config, promoted.next, { type: 'rollback' });
    expect(diffListener(viewOf(promoted.listener), rollback.listener, 'x-client-mode').map((w) => w.kind)).toEqual(['modify-default', 'modify-rule']);
    expect(diffListener(viewOf(promoted.listener), rollback.listener, 'x-client-mode')[0]).toEqual({ kind: 'modify-default', action: forward([r1.targetGroupArn, 1]) });
  });
});

describe('weighted canary steps', () => {
  const config = STRATEGIES['weighted-canary'];

  it('shifts the first step, advances through each, and promotes at 100', () => {
    let s = STATES.provisioned!;
    const weights: number[] = [];
    for (const command of [{ type: 'shift' }, { type: 'advance' }, { type: 'advance' }] as Command[]) {
      const p = plan(config, s, command);
      const action = p.listener.defaultAction;
      weights.push(action.type === 'forward' ? (action.targets.find((t) => t.targetGroupArn === r2.targetGroupArn)?.weight ?? 0) : -1);
      s = p.next;
    }
    expect(weights).toEqual([10, 50, 100]); // 10%, 50%, then all of it
    expect(s).toMatchObject({ phase: 'promoted', live: r2, previous: r1 });
  });

  it('a single step of 100 is a blue/green switch', () => {
    const p = plan(service({ type: 'weighted-canary', steps: [100] }), STATES.provisioned!, { type: 'shift' });
    expect(p.next.phase).toBe('promoted');
  });
});

describe('deploy', () => {
  it('numbers the new release after every known one and copies the live release', () => {
    const p = plan(STRATEGIES['blue-green'], state({ phase: 'promoted', live: r3, previous: r2, older: [r1] }), { type: 'deploy', version: 'v4' });
    expect(p.create).toEqual({ number: 4, version: 'v4', targetGroupName: 'bg-web-4', autoScalingGroupName: 'bg-web-4', copyFrom: r3 });
    expect(p.remove).toEqual([]);
  });

  it('the first release uses the configured defaults', () => {
    expect(plan(STRATEGIES['blue-green'], STATES.empty!, COMMANDS.deploy!).create).toMatchObject({ number: 1, copyFrom: null });
  });

  it('redeploying the previous version is a new release (roll forward)', () => {
    expect(plan(STRATEGIES['blue-green'], STATES.promoted!, { type: 'deploy', version: r1.version }).create?.number).toBe(3);
  });

  it('the first release goes live directly, without a canary', () => {
    const p = plan(STRATEGIES['header-canary'], STATES['first provisioned']!, { type: 'shift' });
    expect(p.listener.defaultAction).toEqual(forward([r1.targetGroupArn, 1]));
  });

  it('aborting the first release leaves the listener answering "no release"', () => {
    expect(plan(STRATEGIES['blue-green'], STATES['first provisioned']!, { type: 'abort' }).listener.defaultAction).toEqual(NO_RELEASE);
  });
});

describe('retire', () => {
  const promoted = state({ phase: 'promoted', live: r3, previous: r2, older: [r1] });

  it.each([
    [0, [], [r2, r1], 'stable'],
    [1, [r2], [r1], 'promoted'],
    [2, [r2, r1], [], 'promoted'],
  ] as const)('keeps %i generation(s) scaled to zero and deletes the rest', (generations, kept, removed, phase: Phase) => {
    const p = plan(service({ type: 'blue-green' }, { retention: { generations } }), promoted, { type: 'retire' });
    expect(p.retain).toEqual(kept.map((release) => ({ release, mode: 'zero' })));
    expect(p.remove).toEqual(removed);
    expect(p.next.phase).toBe(phase);
  });

  it('moves no traffic: it only detaches the releases it retires', () => {
    const config = STRATEGIES['header-canary'];
    const p = plan(config, promoted, { type: 'retire' });
    const before = desiredListener(config.strategy, promoted);
    expect(targetsOf(p.listener.defaultAction)).toEqual(targetsOf(before.defaultAction));
    expect(p.listener.rules).toEqual(before.rules);
    expect(p.listener.defaultAction).toEqual(forward([r3.targetGroupArn, 1]));
  });
});
