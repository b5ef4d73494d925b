// Where a service stands, read from the listener (who gets traffic) and the
// tagged releases (what exists), with nothing remembered in between.
import { describe, expect, it } from 'vitest';
import { forward, NO_RELEASE, NOT_FOUND } from '../../functions/core/listener.ts';
import type { Action, DeploymentState, HeaderRule, ListenerView, Release } from '../../functions/core/model.ts';
import { deriveState, standingForDeploy } from '../../functions/core/state.ts';
import { LISTENER_ARN, r1, r2, r3, release, state } from './fixtures.ts';

const H = 'x-client-mode';
const r4 = release(4);
const w = (r: Release, weight: number): [string, number] => [r.targetGroupArn, weight];
const green = (action: Action, extra: Partial<HeaderRule & { managed: boolean }> = {}) => ({ priority: 10, header: H, values: ['green'], action, ruleArn: 'rule-10', managed: true, ...extra });
const view = (defaultAction: Action, rules: ListenerView['rules'] = []): ListenerView => ({ listenerArn: LISTENER_ARN, defaultAction, rules });
const UNMANAGED = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy/0000000000000009';

describe('deriveState', () => {
  it.each<[string, ListenerView, Release[], Partial<DeploymentState>]>([
    ['nothing yet', view(NO_RELEASE), [], {}],
    ['a first release being brought up', view(NO_RELEASE), [r1], { phase: 'provisioned', candidate: r1 }],
    ['a first release attached at weight 0', view(forward(w(r1, 0))), [r1], { phase: 'provisioned', candidate: r1 }],
    ['one release live', view(forward(w(r1, 1))), [r1], { live: r1 }],
    ['a new release beside the live one', view(forward(w(r1, 1))), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a new release attached at weight 0', view(forward(w(r1, 100), w(r2, 0))), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a weighted canary', view(forward(w(r1, 90), w(r2, 10))), [r1, r2], { phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 }],
    ['a weighted canary listed newest first', view(forward(w(r2, 10), w(r1, 90))), [r2, r1], { phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 }],
    ['a weighted canary in other units', view(forward(w(r1, 900), w(r2, 100))), [r1, r2], { phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 }],
    ['a weighted canary of a third, rounded', view(forward(w(r1, 1), w(r2, 2))), [r1, r2], { phase: 'canary', live: r1, candidate: r2, canaryWeight: 67 }],
    ['a weighted canary with the previous release attached', view(forward(w(r2, 50), w(r3, 50), w(r1, 0))), [r1, r2, r3], { phase: 'canary', live: r2, candidate: r3, canaryWeight: 50, previous: r1 }],
    ['a header canary', view(forward(w(r1, 100), w(r2, 0)), [green(forward(w(r2, 1)))]), [r1, r2], { phase: 'canary', live: r1, candidate: r2 }],
    ['a header canary and the same release weighted', view(forward(w(r1, 80), w(r2, 20)), [green(forward(w(r2, 1)))]), [r1, r2], { phase: 'canary', live: r1, candidate: r2, canaryWeight: 20 }],
    ['a green rule to the live release', view(forward(w(r1, 1)), [green(forward(w(r1, 1)))]), [r1], { live: r1 }],
    ['a green rule answering 404', view(forward(w(r1, 1)), [green(NOT_FOUND)]), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a green rule to two groups', view(forward(w(r1, 1)), [green(forward(w(r2, 1), w(r3, 1)))]), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a green rule to a group it does not manage', view(forward(w(r1, 1)), [green(forward([UNMANAGED, 1]))]), [r1], { live: r1 }],
    ['a green rule on another header', view(forward(w(r1, 1)), [green(forward(w(r2, 1)), { header: 'x-other' })]), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a green rule it does not own', view(forward(w(r1, 1)), [green(forward(w(r2, 1)), { managed: false })]), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a blue rule only', view(forward(w(r1, 1)), [green(forward(w(r2, 1)), { values: ['blue'] })]), [r1, r2], { phase: 'provisioned', live: r1, candidate: r2 }],
    ['a rule matching green among other values', view(forward(w(r1, 1)), [green(forward(w(r2, 1)), { values: ['beta', 'green'] })]), [r1, r2], { phase: 'canary', live: r1, candidate: r2 }],
    ['a promoted release with the previous one kept', view(forward(w(r2, 100), w(r1, 0))), [r1, r2], { phase: 'promoted', live: r2, previous: r1 }],
    ['older generations kept, listed in any order', view(forward(w(r3, 1))), [r2, r1, r3], { phase: 'promoted', live: r3, previous: r2, older: [r1] }],
    ['three generations kept', view(forward(w(r4, 1))), [r1, r3, r4, r2], { phase: 'promoted', live: r4, previous: r3, older: [r2, r1] }],
    ['a new release while an old one is kept', view(forward(w(r2, 1))), [r3, r1, r2], { phase: 'provisioned', live: r2, candidate: r3, previous: r1 }],
    ['the newest of two new releases as the candidate', view(forward(w(r1, 1))), [r1, r2, r3], { phase: 'provisioned', live: r1, candidate: r3 }],
    ['the newest release when nothing is live', view(NOT_FOUND), [r1, r3, r2], { phase: 'provisioned', candidate: r3 }],
    ['an unmanaged group serving', view(forward([UNMANAGED, 1])), [r1], { phase: 'provisioned', candidate: r1 }],
    ['an unmanaged group serving beside a release', view(forward([UNMANAGED, 50], w(r1, 50))), [r1], { phase: 'provisioned', candidate: r1 }],
    ['three releases taking traffic', view(forward(w(r1, 40), w(r2, 30), w(r3, 30))), [r1, r2, r3], { phase: 'provisioned', candidate: r3 }],
  ])('reads %s', (_case, listener, releases, expected) => {
    expect(deriveState('web', listener, releases, H)).toEqual(state(expected));
  });

  it('names the service it was asked about', () => {
    expect(deriveState('api', view(NO_RELEASE), [], H).service).toBe('api');
  });

  it('finds its rules on the strategy header, whatever the case', () => {
    const listener = view(forward(w(r1, 1)), [green(forward(w(r2, 1)), { header: 'X-Canary' })]);
    expect(deriveState('web', listener, [r1, r2], 'x-canary')).toMatchObject({ phase: 'canary', candidate: r2 });
  });

  it('refuses a listener sending canary traffic to two releases', () => {
    const listener = view(forward(w(r1, 90), w(r2, 10)), [green(forward(w(r3, 1)))]);
    expect(() => deriveState('web', listener, [r1, r2, r3], H)).toThrow(
      expect.objectContaining({ name: 'UnexpectedListener', message: `listener ${LISTENER_ARN} sends canary traffic to two releases (bg-web-2, bg-web-3)` }) as Error,
    );
  });
});

describe('standingForDeploy: a new deployment holds the lock, so a newer release was left by one that ended', () => {
  it('takes a newer release that takes no traffic for a leftover, and plans from the live release', () => {
    expect(standingForDeploy(state({ phase: 'provisioned', live: r1, candidate: r2 }))).toEqual({ state: state({ phase: 'stable', live: r1 }), leftover: r2 });
  });

  it('keeps the retained previous release and its phase', () => {
    expect(standingForDeploy(state({ phase: 'provisioned', live: r2, previous: r1, candidate: r3 }))).toEqual({ state: state({ phase: 'promoted', live: r2, previous: r1 }), leftover: r3 });
  });

  it('takes a first release that never took traffic for a leftover', () => {
    expect(standingForDeploy(state({ phase: 'provisioned', candidate: r1 }))).toEqual({ state: state({ phase: 'stable' }), leftover: r1 });
  });

  it('leaves a service without a newer release as it is', () => {
    const promoted = state({ phase: 'promoted', live: r2, previous: r1 });
    expect(standingForDeploy(promoted)).toEqual({ state: promoted, leftover: null });
  });

  it('refuses a newer release that takes canary traffic, saying what to do by hand', () => {
    expect(() => standingForDeploy(state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 }))).toThrow(
      expect.objectContaining({
        name: 'DeploymentInProgress',
        message: 'web: release 2 (version v2) takes canary traffic and no deployment drives it (the one that did has ended): send that traffic back to release 1 by hand (the default action, the green header rule to 404), then deploy again',
      }) as Error,
    );
  });
});
