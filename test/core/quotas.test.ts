// Rule priorities: every one the strategy needs must be free, or held by a
// rule bluegreen created; a rule made by hand there refuses the change, named.
import { describe, expect, it } from 'vitest';
import { PriorityInUse } from '../../functions/core/errors.ts';
import { desiredListener, forward, NOT_FOUND } from '../../functions/core/listener.ts';
import type { LiveRule } from '../../functions/core/model.ts';
import { checkPriorities } from '../../functions/core/quotas.ts';
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
