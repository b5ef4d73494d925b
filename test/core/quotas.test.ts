// ALB limits are checked before the first write, so a change AWS would refuse
// halfway through is refused whole, naming the limit.
import { describe, expect, it } from 'vitest';
import { forward, NOT_FOUND } from '../../functions/core/listener.ts';
import type { Action, DesiredListener, HeaderRule, ListenerWrite } from '../../functions/core/model.ts';
import { checkLimits } from '../../functions/core/quotas.ts';

const rule = (priority: number, values = ['green'], action: Action = NOT_FOUND): HeaderRule => ({ priority, header: 'x-client-mode', values, action });
const listener = (defaultAction: Action, rules: HeaderRule[] = []): DesiredListener => ({ defaultAction, rules });
const create = (priority: number): ListenerWrite => ({ kind: 'create-rule', rule: rule(priority) });
const remove = (priority: number): ListenerWrite => ({ kind: 'delete-rule', ruleArn: `rule-${priority}`, priority });
const modify = (priority: number): ListenerWrite => ({ kind: 'modify-rule', ruleArn: `rule-${priority}`, rule: rule(priority) });
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
  const desired = listener(forward(['tg-1', 1]), [rule(10), rule(11)]);
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
    expect(refusal(listener(action), [], 0)).toBe(message);
  });

  it.each<[string, Action, string]>([
    ['six target groups', forward(...groups(6)), 'a forward to 6 target groups passes the limit of 5'],
    ['weight 1000', forward(['a', 1000]), 'weight 1000 is outside 0–999'],
  ])('in a rule: %s', (_case, action, message) => {
    expect(refusal(listener(NOT_FOUND, [rule(10, ['green'], action)]), [], 0)).toBe(message);
  });
});

describe('rules', () => {
  it.each<[string, HeaderRule, string | null]>([
    ['priority 1', rule(1), null],
    ['priority 50000', rule(50_000), null],
    ['priority 0', rule(0), 'rule priority 0 is outside 1–50000'],
    ['priority 50001', rule(50_001), 'rule priority 50001 is outside 1–50000'],
    ['a header value of 128 characters', rule(10, ['v'.repeat(128)]), null],
    ['a header value of 129 characters', rule(10, ['green', 'v'.repeat(129)]), 'header value of 129 characters passes the limit of 128'],
  ])('%s', (_case, r, message) => {
    expect(refusal(listener(NOT_FOUND, [rule(20), r]), [], 0)).toBe(message);
  });
});
