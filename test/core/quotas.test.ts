// ALB limits and rule priorities are checked before the first write, so a
// change AWS would refuse halfway through is refused whole, naming the limit;
// a priority held by a rule made by hand refuses the change, naming the rule.
import { describe, expect, it } from 'vitest';
import { PriorityInUse } from '../../functions/core/errors.ts';
import { desiredListener, forward, NOT_FOUND } from '../../functions/core/listener.ts';
import type { Action, DesiredListener, HeaderRule, ListenerWrite, LiveRule } from '../../functions/core/model.ts';
import { checkLimits, checkPriorities } from '../../functions/core/quotas.ts';
import { r1, r2, STRATEGIES, service, state, viewOf } from './fixtures.ts';

const header = STRATEGIES['header-canary'];
const stable = desiredListener(header.strategy, state({ live: r1 }));
const canary = desiredListener(header.strategy, state({ phase: 'canary', live: r1, candidate: r2 }));
const byHand = (priority: number, extra: Partial<LiveRule> = {}): LiveRule => ({
  ruleArn: `rule-by-hand-${priority}`,
  priority,
  header: 'x-client-mode',
  values: ['beta'],
  action: forward([r1.targetGroupArn, 1]),
  managed: false,
  ...extra,
});
const live = (...rules: LiveRule[]) => ({ ...viewOf({ defaultAction: stable.defaultAction, rules: [] }), rules });

describe('checkPriorities', () => {
  it.each([
    { case: 'a listener without rules', listener: live() },
    { case: 'our own rules at both priorities', listener: viewOf(stable) },
    { case: 'a hand-made rule at another priority', listener: live(byHand(5), byHand(12)) },
  ])('accepts $case', ({ listener }) => {
    expect(() => checkPriorities(canary, listener, 'x-client-mode')).not.toThrow();
  });

  it.each([
    {
      case: 'a hand-made rule on the canary header at the green priority',
      rule: byHand(10, { values: ['green'] }),
      message: 'priority 10, which the x-client-mode: green rule needs, is taken by rule rule-by-hand-10 (x-client-mode: green) that bluegreen did not create',
    },
    {
      case: 'a hand-made path rule at the blue priority',
      rule: byHand(11, { header: '', values: [] }),
      message: 'priority 11, which the x-client-mode: blue rule needs, is taken by rule rule-by-hand-11 (conditions other than one header) that bluegreen did not create',
    },
    {
      case: 'a rule of ours on another header (not this strategy’s)',
      rule: byHand(11, { header: 'x-debug', values: ['1'], managed: true, action: NOT_FOUND }),
      message: 'priority 11, which the x-client-mode: blue rule needs, is taken by rule rule-by-hand-11 (x-debug: 1)',
    },
  ])('refuses $case, naming the rule', ({ rule, message }) => {
    const check = () => checkPriorities(canary, live(rule), 'x-client-mode');
    expect(check).toThrow(PriorityInUse);
    expect(check).toThrow(message);
  });

  it('takes the priorities of the configured pair', () => {
    const moved = service({ type: 'header-canary', priority: 40 });
    const wanted = desiredListener(moved.strategy, state({ phase: 'canary', live: r1, candidate: r2 }));
    expect(() => checkPriorities(wanted, live(byHand(10), byHand(11)), 'x-client-mode')).not.toThrow();
    expect(() => checkPriorities(wanted, live(byHand(41)), 'x-client-mode')).toThrow('priority 41, which the x-client-mode: blue rule needs');
  });

  it('needs nothing for strategies without rules', () => {
    const blueGreen = desiredListener(STRATEGIES['blue-green'].strategy, state({ live: r1 }));
    expect(() => checkPriorities(blueGreen, live(byHand(10), byHand(11)), 'x-client-mode')).not.toThrow();
  });
});

const headerRule = (priority: number, values = ['green'], action: Action = NOT_FOUND): HeaderRule => ({ priority, header: 'x-client-mode', values, action });
const listenerOf = (defaultAction: Action, rules: HeaderRule[] = []): DesiredListener => ({ defaultAction, rules });
const create = (priority: number): ListenerWrite => ({ kind: 'create-rule', rule: headerRule(priority) });
const remove = (priority: number): ListenerWrite => ({ kind: 'delete-rule', ruleArn: `rule-${priority}`, priority });
const modify = (priority: number): ListenerWrite => ({ kind: 'modify-rule', ruleArn: `rule-${priority}`, rule: headerRule(priority) });
const groups = (n: number, weight = 1) => Array.from({ length: n }, (_, i): [string, number] => [`tg-${i}`, weight]);

function refusal(desired: DesiredListener, writes: ListenerWrite[], rulesOnLoadBalancer: number): string | null {
  try {
    checkLimits(desired, writes, rulesOnLoadBalancer);
    return null;
  } catch (error) {
    expect((error as Error).name).toBe('QuotaExceeded');
    return (error as Error).message;
  }
}

describe('rules per load balancer', () => {
  const desired = listenerOf(forward(['tg-1', 1]), [headerRule(10), headerRule(11)]);
  const over = (rules: number, added: number) => `the load balancer has ${rules} rules; adding ${added} would pass the limit of 100 rules per load balancer`;

  it.each<[string, ListenerWrite[], number, string | null]>([
    ['two new rules reaching 100', [create(10), create(11)], 98, null],
    ['two new rules passing 100', [create(10), create(11)], 99, over(99, 2)],
    ['one new rule at 100', [create(10)], 100, over(100, 1)],
    ['a new rule replacing a deleted one at 100', [create(10), remove(12)], 100, null],
    ['two new rules and one deletion at 99', [create(10), create(11), remove(12)], 99, null],
    ['two new rules and one deletion at 100', [create(10), create(11), remove(12)], 100, over(100, 1)],
    ['rules changed in place at 100', [modify(10), modify(11)], 100, null],
    ['deletions only, over the limit already', [remove(10), remove(11)], 120, null],
    ['nothing to write, over the limit already', [], 120, null],
  ])('%s', (_case, writes, existing, message) => {
    expect(refusal(desired, writes, existing)).toBe(message);
  });
});

describe('forward actions', () => {
  it.each<[string, Action, string | null]>([
    ['five target groups', forward(...groups(5)), null],
    ['six target groups', forward(...groups(6)), 'a forward to 6 target groups passes the limit of 5'],
    ['weight 0 (attached)', forward(['a', 0], ['b', 1]), null],
    ['weight 999', forward(['a', 999], ['b', 1]), null],
    ['weight 1000', forward(['a', 1], ['b', 1000]), 'weight 1000 is outside 0–999'],
    ['a negative weight', forward(['a', -1], ['b', 1]), 'weight -1 is outside 0–999'],
    ['a fractional weight', forward(['a', 0.5], ['b', 1]), 'weight 0.5 is outside 0–999'],
    ['a fixed response', NOT_FOUND, null],
  ])('in the default action: %s', (_case, action, message) => {
    expect(refusal(listenerOf(action), [], 0)).toBe(message);
  });

  it.each<[string, Action, string]>([
    ['six target groups', forward(...groups(6)), 'a forward to 6 target groups passes the limit of 5'],
    ['weight 1000', forward(['a', 1000]), 'weight 1000 is outside 0–999'],
  ])('in a rule: %s', (_case, action, message) => {
    expect(refusal(listenerOf(NOT_FOUND, [headerRule(10, ['green'], action)]), [], 0)).toBe(message);
  });
});

describe('rules', () => {
  it.each<[string, HeaderRule, string | null]>([
    ['priority 1', headerRule(1), null],
    ['priority 50000', headerRule(50_000), null],
    ['priority 0', headerRule(0), 'rule priority 0 is outside 1–50000'],
    ['priority 50001', headerRule(50_001), 'rule priority 50001 is outside 1–50000'],
    ['a header value of 128 characters', headerRule(10, ['v'.repeat(128)]), null],
    ['a header value of 129 characters', headerRule(10, ['green', 'v'.repeat(129)]), 'header value of 129 characters passes the limit of 128'],
  ])('%s', (_case, r, message) => {
    expect(refusal(listenerOf(NOT_FOUND, [headerRule(20), r]), [], 0)).toBe(message);
  });
});
