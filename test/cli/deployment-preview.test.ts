// The deployment played forward on paper, per strategy: each phase's listener
// writes from the phase before, the hold after it, and what a rollback would
// write; limits checked at every phase. Pure: no network.
import { describe, expect, it } from 'vitest';
import { applyWrites, previewDeployment } from '../../cli/deployment-preview.ts';
import { describeWrite, diffListener } from '../../functions/core/diff.ts';
import { QuotaExceeded } from '../../functions/core/errors.ts';
import { desiredListener, headerOf, NO_RELEASE } from '../../functions/core/listener.ts';
import type { ListenerView } from '../../functions/core/model.ts';
import { LISTENER_ARN, r1, r2, state, STRATEGIES, viewOf } from '../core/fixtures.ts';

/** A listener as the seed leaves it: 503 by default, no rules. */
const fresh: ListenerView = { listenerArn: LISTENER_ARN, defaultAction: NO_RELEASE, rules: [] };

/** The listener as the workflow leaves it with `r1` live and nothing else. */
function stableListener(svc: (typeof STRATEGIES)[keyof typeof STRATEGIES]) {
  return viewOf(desiredListener(svc.strategy, state({ live: r1 })));
}

describe('previewDeployment', () => {
  it.each([
    [
      'blue-green',
      [
        ['attach', 'provisioned', ['default → bg-web-1 (bg-web-2 attached)'], 'health', ['default → bg-web-1']],
        ['shift', 'promoted', ['default → bg-web-2 (bg-web-1 attached)'], 'retention', ['default → bg-web-1']],
      ],
    ],
    [
      'header-canary',
      [
        ['attach', 'provisioned', ['default → bg-web-1 (bg-web-2 attached)'], 'health', ['default → bg-web-1']],
        [
          'shift',
          'canary',
          ['set rule 10 (x-client-mode: green) → bg-web-2'],
          'promotion',
          ['default → bg-web-1', 'set rule 10 (x-client-mode: green) → fixed 404'],
        ],
        [
          'promote',
          'promoted',
          ['default → bg-web-2 (bg-web-1 attached)', 'set rule 10 (x-client-mode: green) → fixed 404', 'set rule 11 (x-client-mode: blue) → bg-web-2'],
          'retention',
          ['default → bg-web-1', 'set rule 11 (x-client-mode: blue) → bg-web-1'],
        ],
      ],
    ],
    [
      'weighted-canary',
      [
        ['attach', 'provisioned', ['default → bg-web-1 (bg-web-2 attached)'], 'health', ['default → bg-web-1']],
        ['shift', 'canary', ['default → bg-web-1:90 + bg-web-2:10'], 'bake', ['default → bg-web-1']],
        ['advance', 'canary', ['default → bg-web-1:50 + bg-web-2:50'], 'bake', ['default → bg-web-1']],
        ['advance', 'promoted', ['default → bg-web-2 (bg-web-1 attached)'], 'retention', ['default → bg-web-1']],
      ],
    ],
  ] as const)('%s: every phase with its writes, its hold and its rollback', (strategy, expected) => {
    // Prepare
    const svc = STRATEGIES[strategy];

    // Act
    const preview = previewDeployment(svc, stableListener(svc), state({ live: r1 }), r2, 0);

    // Assess
    expect(preview.phases.map((p) => [p.command, p.phase, p.changes, p.hold.kind, p.rollback?.changes])).toEqual(expected);
    expect(preview.phases[0]!.rollback).toMatchObject({ restore: [], remove: [2] });
    expect(preview.phases.at(-1)!.rollback).toMatchObject({ restore: [1], remove: [2] });
    expect(preview.maxAddedRules).toBe(0);
  });

  it('attach adds the new release at weight 0 beside the live one and waits for the health gate, not a hold', () => {
    // Prepare
    const svc = STRATEGIES['blue-green'];

    // Act
    const [attach] = previewDeployment(svc, stableListener(svc), state({ live: r1 }), r2, 0).phases;

    // Assess
    expect(attach!.writes).toEqual([
      {
        kind: 'modify-default',
        action: {
          type: 'forward',
          targets: [
            { targetGroupArn: r1.targetGroupArn, weight: 100 },
            { targetGroupArn: r2.targetGroupArn, weight: 0 },
          ],
        },
      },
    ]);
    expect(attach!.hold).toEqual({ kind: 'health', seconds: svc.healthGate.deadlineSeconds, onTimeout: 'abort' });
  });

  it('each phase starts from the listener the phase before left: replaying the writes reaches the promoted listener', () => {
    // Prepare
    const svc = STRATEGIES['weighted-canary'];
    const start = stableListener(svc);

    // Act
    const preview = previewDeployment(svc, start, state({ live: r1 }), r2, 0);
    const end = preview.phases.reduce((view, phase) => applyWrites(view, phase.writes), start);

    // Assess
    const promoted = desiredListener(svc.strategy, state({ phase: 'promoted', live: r2, previous: r1 }));
    expect(diffListener(end, promoted, headerOf(svc.strategy)).map(describeWrite)).toEqual([]);
  });

  it('a first release is attached at weight 0 behind the 503 (the header rules created), goes live in one shift, and has nothing to roll back to', () => {
    // Prepare
    const svc = STRATEGIES['header-canary'];

    // Act
    const preview = previewDeployment(svc, fresh, state({}), r1, 3);

    // Assess
    expect(preview.phases).toHaveLength(2);
    expect(preview.phases[0]).toMatchObject({
      command: 'attach',
      phase: 'provisioned',
      changes: ['default → no traffic (bg-web-1 attached)', 'add rule 10 (x-client-mode: green) → fixed 404', 'add rule 11 (x-client-mode: blue) → fixed 404'],
      hold: { kind: 'health' },
      rollback: null,
    });
    expect(preview.phases[0]!.writes[0]).toEqual({ kind: 'modify-default', action: { type: 'forward', targets: [{ targetGroupArn: r1.targetGroupArn, weight: 0 }] } });
    expect(preview.phases[1]).toMatchObject({
      command: 'shift',
      phase: 'stable',
      changes: ['default → bg-web-1', 'set rule 11 (x-client-mode: blue) → bg-web-1'],
      hold: { kind: 'none' },
      rollback: null,
    });
    expect(preview.maxAddedRules).toBe(2);
  });

  it('refuses, naming the phase and the limit, when the rules would not fit on the load balancer', () => {
    // Prepare
    const svc = STRATEGIES['header-canary'];

    // Act
    const preview = () => previewDeployment(svc, fresh, state({}), r1, 99);

    // Assess
    expect(preview).toThrow(QuotaExceeded);
    expect(preview).toThrow('attach: the load balancer has 99 rules; adding 2 would pass the limit of 100 rules per load balancer');
  });
});
