import { describe, expect, it } from 'vitest';
import { alarmSpecs } from '../../functions/core/alarms.ts';
import { parseConfig } from '../../functions/core/config.ts';
import { assertNoDrift, diffListener } from '../../functions/core/diff.ts';
import { assertWithinDeadline, healthVerdict } from '../../functions/core/health.ts';
import { desiredListener, forward, NOT_FOUND } from '../../functions/core/listener.ts';
import type { LiveRule, TargetHealth } from '../../functions/core/model.ts';
import { checkLimits } from '../../functions/core/quotas.ts';
import { deriveState } from '../../functions/core/state.ts';
import { LB_ARN, r1, r2, r3, STRATEGIES, service, state, viewOf } from './fixtures.ts';

const header = STRATEGIES['header-canary'];
const stable = desiredListener(header.strategy, state({ live: r1 }));
const canary = desiredListener(header.strategy, state({ phase: 'canary', live: r1, candidate: r2 }));
const foreign: LiveRule = { ruleArn: 'rule-foreign', priority: 5, header: 'x-debug', values: ['1'], action: NOT_FOUND, managed: true };
const pathRule: LiveRule = { ruleArn: 'rule-path', priority: 1, header: '', values: [], action: forward([r3.targetGroupArn, 1]), managed: false };

describe('diffListener', () => {
  it('writes nothing when the listener already matches', () => {
    expect(diffListener(viewOf(canary), canary, 'x-client-mode')).toEqual([]);
  });

  it('shifting the header canary is one rule write once the candidate is attached', () => {
    const attached = desiredListener(header.strategy, state({ phase: 'provisioned', live: r1, candidate: r2 }));
    expect(diffListener(viewOf(attached), canary, 'x-client-mode')).toEqual([{ kind: 'modify-rule', ruleArn: 'rule-10', rule: canary.rules[0] }]);
  });

  it('writes the default action first, then rules, creates, deletes', () => {
    const promoted = desiredListener(header.strategy, state({ phase: 'promoted', live: r2, previous: r1 }));
    const live = viewOf({ defaultAction: canary.defaultAction, rules: [canary.rules[0]!, { ...canary.rules[1]!, priority: 12 }] });
    expect(diffListener(live, promoted, 'x-client-mode').map((w) => w.kind)).toEqual(['modify-default', 'modify-rule', 'create-rule', 'delete-rule']);
  });

  it('never touches rules it does not own (other headers, other conditions)', () => {
    const writes = diffListener(viewOf(stable, [foreign, pathRule]), desiredListener(STRATEGIES['blue-green'].strategy, state({ live: r1 })), 'x-client-mode');
    expect(writes.map((w) => (w.kind === 'delete-rule' ? w.ruleArn : w.kind))).toEqual(['rule-10', 'rule-11']);
  });

  it('tells a group attached at weight 0 from the same group taking the traffic', () => {
    const attached = viewOf({ defaultAction: forward([r1.targetGroupArn, 0]), rules: [] });
    expect(diffListener(attached, { defaultAction: forward([r1.targetGroupArn, 1]), rules: [] }, 'x-client-mode')).toHaveLength(1);
  });

  it('treats a forward to one group as equal whatever its weight', () => {
    const live = viewOf({ defaultAction: forward([r1.targetGroupArn, 999]), rules: [] });
    expect(diffListener(live, { defaultAction: forward([r1.targetGroupArn, 1]), rules: [] }, 'x-client-mode')).toEqual([]);
  });
});

describe('drift', () => {
  const promoted = desiredListener(header.strategy, state({ phase: 'promoted', live: r2, previous: r1 }));

  it('detects a listener changed by hand and names the difference', () => {
    const handEdited = viewOf({ ...canary, defaultAction: forward([r3.targetGroupArn, 1]) });
    expect(() => assertNoDrift(handEdited, canary, promoted, 'x-client-mode')).toThrow(/changed outside this deployment: default is bg-web-3, expected bg-web-1/);
  });

  it('detects a rule deleted by hand', () => {
    const handEdited = viewOf({ ...canary, rules: [canary.rules[1]!] });
    expect(() => assertNoDrift(handEdited, canary, promoted, 'x-client-mode')).toThrow(/rule 10 is missing/);
  });

  it('accepts a listener half-way between expected and target (a step that died between two writes)', () => {
    const halfWay = viewOf({ defaultAction: promoted.defaultAction, rules: canary.rules });
    expect(() => assertNoDrift(halfWay, canary, promoted, 'x-client-mode')).not.toThrow();
  });

  it('ignores changes to rules it does not own', () => {
    expect(() => assertNoDrift(viewOf(canary, [foreign]), canary, canary, 'x-client-mode')).not.toThrow();
  });
});

describe('quotas are checked before any write', () => {
  const create = diffListener(viewOf({ defaultAction: stable.defaultAction, rules: [] }), stable, 'x-client-mode');

  it.each([
    [98, false],
    [99, true],
  ])('with %i rules on the load balancer, adding 2 is refused: %s', (existing, refused) => {
    const check = () => checkLimits(stable, create, existing);
    if (refused) expect(check).toThrow(/limit of 100 rules per load balancer/);
    else expect(check).not.toThrow();
  });

  it.each([
    ['six target groups', { defaultAction: forward(...[1, 2, 3, 4, 5, 6].map((n) => [`tg${n}`, 1] as [string, number])), rules: [] }, /limit of 5/],
    ['a weight over 999', { defaultAction: forward(['a', 1000], ['b', 1]), rules: [] }, /weight 1000/],
    ['a header value over 128 characters', { defaultAction: NOT_FOUND, rules: [{ priority: 1, header: 'x', values: ['v'.repeat(129)], action: NOT_FOUND }] }, /129 characters/],
  ])('refuses %s', (_name, desired, message) => {
    expect(() => checkLimits(desired, [], 0)).toThrow(message);
  });
});

describe('health gate', () => {
  const t = (state: TargetHealth['state'], id = 'i-1'): TargetHealth => ({ id, state });

  it.each([
    ['every desired target healthy', [t('healthy', 'a'), t('healthy', 'b')], 2, true],
    ['one still initial', [t('healthy', 'a'), t('initial', 'b')], 2, false],
    ['every target unhealthy (the ALB would fail open)', [t('unhealthy', 'a'), t('unhealthy', 'b')], 2, false],
    ['fewer targets registered than desired', [t('healthy', 'a')], 2, false],
    ['no target at all', [], 0, false],
  ])('%s → ready %s', (_name, targets, desired, ready) => {
    expect(healthVerdict(targets, desired).ready).toBe(ready);
  });

  it('fails after the progress deadline with the reason per target', () => {
    const verdict = healthVerdict([{ id: 'i-9', state: 'unhealthy', reason: 'Target.ResponseCodeMismatch' }], 1);
    expect(() => assertWithinDeadline(verdict, 0, 601_000, 600, 'release 2')).toThrow(/release 2 was not healthy within 600 s: 0\/1 healthy; i-9: unhealthy \(Target.ResponseCodeMismatch\)/);
    expect(() => assertWithinDeadline(verdict, 0, 599_000, 600, 'release 2')).not.toThrow();
  });
});

describe('deriveState', () => {
  it('reads a weighted default as live + canary with the canary share', () => {
    const view = viewOf({ defaultAction: forward([r1.targetGroupArn, 90], [r2.targetGroupArn, 10]), rules: [] });
    expect(deriveState('web', view, [r1, r2], 'x-client-mode')).toMatchObject({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 });
  });

  it('treats a listener forwarding to an unmanaged group as having no live release', () => {
    const view = viewOf({ defaultAction: forward(['arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/legacy/1', 1]), rules: [] });
    expect(deriveState('web', view, [r1], 'x-client-mode')).toMatchObject({ live: null, candidate: r1, phase: 'provisioned' });
  });
});

describe('alarms', () => {
  it('arms 5xx, unhealthy hosts and p99 latency on the release target group', () => {
    const specs = alarmSpecs(service(), r2, LB_ARN);
    expect(specs.map((s) => [s.name, s.metricName, s.statistic, s.threshold])).toEqual([
      ['bg-web-2-5xx', 'HTTPCode_Target_5XX_Count', 'Sum', 5],
      ['bg-web-2-unhealthy', 'UnHealthyHostCount', 'Maximum', 0],
      ['bg-web-2-latency', 'TargetResponseTime', 'p99', 1],
    ]);
    expect(specs[0]!.dimensions).toEqual({ LoadBalancer: 'app/web/50dc6c495c0c9188', TargetGroup: 'targetgroup/bg-web-2/0000000000000002' });
  });
});

describe('configuration', () => {
  it.each([
    [{ strategy: { type: 'weighted-canary', steps: [10, 50] } }, 'services[0].strategy.steps: the last step must be 100'],
    [{ strategy: { type: 'rolling' } }, 'services[0].strategy.type'],
    [{ name: 'Web' }, 'services[0].name: lower-case'],
    [{ capacity: { min: 3, max: 4, desired: 2 } }, 'services[0].capacity: need min <= desired <= max'],
  ])('names the field: %j', (override, message) => {
    const base = { name: 'web', github: { repository: 'acme/web' }, listener: { loadBalancerArn: 'a', listenerArn: 'b' }, launchTemplate: { id: 'lt' }, subnets: ['s'], targetGroup: { vpcId: 'v' } };
    expect(() => parseConfig({ services: [{ ...base, ...override }] })).toThrow(message);
  });
});
