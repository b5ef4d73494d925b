// The listener each strategy wants in each phase: who takes the default
// traffic, which groups stay attached at weight 0 for health checks, and what
// the header rules answer.
import { describe, expect, it } from 'vitest';
import { desiredListener, forward, headerOf, NO_RELEASE, NOT_FOUND, ownedRules, ownedView, referencedTargetGroups, targetsOf } from '../../functions/core/listener.ts';
import type { Action, DeploymentState, DesiredListener, ListenerView } from '../../functions/core/model.ts';
import { LISTENER_ARN, r1, r2, r3, service, state } from './fixtures.ts';

const w = (r: typeof r1, weight: number): [string, number] => [r.targetGroupArn, weight];
const header = service({ type: 'header-canary', header: 'x-canary', priority: 20 }).strategy;
const weighted = service({ type: 'weighted-canary', steps: [25, 100] }).strategy;
const blueGreen = service({ type: 'blue-green' }).strategy;
const rules = (green: Action, blue: Action): DesiredListener['rules'] => [
  { priority: 20, header: 'x-canary', values: ['green'], action: green },
  { priority: 21, header: 'x-canary', values: ['blue'], action: blue },
];

describe('answers for no release', () => {
  it('a header naming no release is answered 404, in plain text', () => {
    expect(NOT_FOUND).toEqual({ type: 'fixed-response', statusCode: 404, contentType: 'text/plain', body: 'no release for this client mode' });
  });

  it('before the first release takes traffic the service answers 503, in plain text', () => {
    expect(NO_RELEASE).toEqual({ type: 'fixed-response', statusCode: 503, contentType: 'text/plain', body: 'no release yet' });
  });
});

describe('desiredListener', () => {
  it.each<[string, DeploymentState, Action]>([
    ['nothing yet', state({}), NO_RELEASE],
    ['a first release being brought up, attached for health checks', state({ phase: 'provisioned', candidate: r1 }), forward(w(r1, 0))],
    ['one release live', state({ live: r1 }), forward(w(r1, 1))],
    ['a new release attached beside the live one', state({ phase: 'provisioned', live: r1, candidate: r2 }), forward(w(r1, 100), w(r2, 0))],
    ['a promoted release, the previous one attached', state({ phase: 'promoted', live: r2, previous: r1 }), forward(w(r2, 100), w(r1, 0))],
    ['a new release while the previous one is kept', state({ phase: 'provisioned', live: r2, candidate: r3, previous: r1 }), forward(w(r2, 100), w(r3, 0), w(r1, 0))],
    ['a previous release without a live one, not attached', state({ phase: 'provisioned', candidate: r2, previous: r1 }), forward(w(r2, 0))],
  ])('blue/green, %s', (_case, s, defaultAction) => {
    expect(desiredListener(blueGreen, s)).toEqual({ defaultAction, rules: [] });
  });

  it.each<[string, DeploymentState, Action]>([
    ['a canary step', state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 25 }), forward(w(r1, 75), w(r2, 25))],
    ['a canary step with the previous release kept', state({ phase: 'canary', live: r2, candidate: r3, previous: r1, canaryWeight: 25 }), forward(w(r2, 75), w(r3, 25), w(r1, 0))],
    ['a weight outside the canary phase', state({ phase: 'provisioned', live: r1, candidate: r2, canaryWeight: 25 }), forward(w(r1, 100), w(r2, 0))],
    ['a weight without a live release', state({ phase: 'canary', candidate: r2, canaryWeight: 25 }), forward(w(r2, 0))],
  ])('weighted canary, %s', (_case, s, defaultAction) => {
    expect(desiredListener(weighted, s)).toEqual({ defaultAction, rules: [] });
  });

  it('a canary weight means nothing to blue/green', () => {
    expect(desiredListener(blueGreen, state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 25 })).defaultAction).toEqual(forward(w(r1, 100), w(r2, 0)));
  });

  it.each<[string, DeploymentState, DesiredListener]>([
    ['nothing yet: no rule routes to no release (an aborted first release leaves none behind)', state({}), { defaultAction: NO_RELEASE, rules: [] }],
    ['one release live', state({ live: r1 }), { defaultAction: forward(w(r1, 1)), rules: rules(NOT_FOUND, forward(w(r1, 1))) }],
    ['a new release being brought up', state({ phase: 'provisioned', live: r1, candidate: r2 }), { defaultAction: forward(w(r1, 100), w(r2, 0)), rules: rules(NOT_FOUND, forward(w(r1, 1))) }],
    ['the canary', state({ phase: 'canary', live: r1, candidate: r2 }), { defaultAction: forward(w(r1, 100), w(r2, 0)), rules: rules(forward(w(r2, 1)), forward(w(r1, 1))) }],
    ['promoted', state({ phase: 'promoted', live: r2, previous: r1 }), { defaultAction: forward(w(r2, 100), w(r1, 0)), rules: rules(NOT_FOUND, forward(w(r2, 1))) }],
  ])('header canary on its own header and priorities, %s', (_case, s, expected) => {
    expect(desiredListener(header, s)).toEqual(expected);
  });
});

describe('headers and owned rules', () => {
  it('uses the header canary header, x-client-mode otherwise', () => {
    expect([headerOf(header), headerOf(weighted), headerOf(blueGreen)]).toEqual(['x-canary', 'x-client-mode', 'x-client-mode']);
  });

  const live: ListenerView = {
    listenerArn: LISTENER_ARN,
    defaultAction: forward(w(r1, 100), w(r2, 0)),
    rules: [
      { priority: 20, header: 'X-Canary', values: ['green'], action: forward(w(r2, 1)), ruleArn: 'rule-20', managed: true },
      { priority: 21, header: 'x-canary', values: ['blue'], action: forward(w(r1, 1)), ruleArn: 'rule-21', managed: true },
      { priority: 5, header: 'x-debug', values: ['1'], action: NOT_FOUND, ruleArn: 'rule-5', managed: true },
      { priority: 6, header: 'x-canary', values: ['x'], action: forward(w(r3, 1)), ruleArn: 'rule-6', managed: false },
    ],
  };

  it('owns the managed rules of its header only, whatever the case', () => {
    expect(ownedRules(live, 'x-canary').map((r) => r.ruleArn)).toEqual(['rule-20', 'rule-21']);
    expect(ownedRules(live, 'X-CANARY').map((r) => r.ruleArn)).toEqual(['rule-20', 'rule-21']);
  });

  it('reads the owned part of a listener in the desired shape', () => {
    expect(ownedView(live, 'x-canary')).toEqual({
      defaultAction: forward(w(r1, 100), w(r2, 0)),
      rules: [
        { priority: 20, header: 'X-Canary', values: ['green'], action: forward(w(r2, 1)) },
        { priority: 21, header: 'x-canary', values: ['blue'], action: forward(w(r1, 1)) },
      ],
    });
  });

  it('counts as serving only the groups with weight', () => {
    expect(targetsOf(forward(w(r1, 90), w(r2, 10), w(r3, 0)))).toEqual([r1.targetGroupArn, r2.targetGroupArn]);
    expect(targetsOf(NOT_FOUND)).toEqual([]);
  });

  it('keeps from deletion every group the listener references at any weight, in any rule', () => {
    expect(referencedTargetGroups(live)).toEqual(new Set([r1.targetGroupArn, r2.targetGroupArn, r3.targetGroupArn]));
    expect(referencedTargetGroups({ ...live, defaultAction: NOT_FOUND, rules: [] })).toEqual(new Set());
  });
});
