// ALB limits checked before any write, so a change the API would refuse
// halfway through is refused whole, naming the limit.
import { PriorityInUse, QuotaExceeded } from './errors.ts';
import { ownedRules } from './listener.ts';
import type { Action, DesiredListener, ListenerView, ListenerWrite } from './model.ts';

export const ALB_LIMITS = {
  rulesPerLoadBalancer: 100,
  targetGroupsPerForward: 5,
  maxWeight: 999,
  maxHeaderValueLength: 128,
  maxPriority: 50_000,
} as const;

/**
 * @param rulesOnLoadBalancer non-default rules on every listener of the load balancer now
 */
export function checkLimits(desired: DesiredListener, writes: ListenerWrite[], rulesOnLoadBalancer: number): void {
  const added = writes.filter((w) => w.kind === 'create-rule').length - writes.filter((w) => w.kind === 'delete-rule').length;
  if (added > 0 && rulesOnLoadBalancer + added > ALB_LIMITS.rulesPerLoadBalancer) {
    throw new QuotaExceeded(
      `the load balancer has ${rulesOnLoadBalancer} rules; adding ${added} would pass the limit of ${ALB_LIMITS.rulesPerLoadBalancer} rules per load balancer`,
    );
  }
  for (const action of [desired.defaultAction, ...desired.rules.map((r) => r.action)]) checkAction(action);
  for (const rule of desired.rules) {
    if (rule.priority < 1 || rule.priority > ALB_LIMITS.maxPriority) throw new QuotaExceeded(`rule priority ${rule.priority} is outside 1–${ALB_LIMITS.maxPriority}`);
    const long = rule.values.find((v) => v.length > ALB_LIMITS.maxHeaderValueLength);
    if (long) throw new QuotaExceeded(`header value of ${long.length} characters passes the limit of ${ALB_LIMITS.maxHeaderValueLength}`);
  }
}

/**
 * Every priority the desired rules take must be free on the listener, or held
 * by one of our own rules: a rule bluegreen did not create is never moved or
 * replaced, so a collision refuses the change, naming that rule.
 */
export function checkPriorities(desired: DesiredListener, live: ListenerView, header: string): void {
  const ours = new Set(ownedRules(live, header).map((r) => r.ruleArn));
  for (const rule of desired.rules) {
    const taken = live.rules.find((r) => r.priority === rule.priority && !ours.has(r.ruleArn));
    if (!taken) continue;
    const what = taken.header ? `${taken.header}: ${taken.values.join(',')}` : 'conditions other than one header';
    throw new PriorityInUse(
      `priority ${rule.priority}, which the ${rule.header}: ${rule.values.join(',')} rule needs, is taken by rule ${taken.ruleArn} (${what}) that bluegreen did not create on listener ${live.listenerArn}; move that rule, or set strategy.priority to a free pair of priorities`,
    );
  }
}

function checkAction(action: Action): void {
  if (action.type !== 'forward') return;
  if (action.targets.length > ALB_LIMITS.targetGroupsPerForward) {
    throw new QuotaExceeded(`a forward to ${action.targets.length} target groups passes the limit of ${ALB_LIMITS.targetGroupsPerForward}`);
  }
  const bad = action.targets.find((t) => !Number.isInteger(t.weight) || t.weight < 0 || t.weight > ALB_LIMITS.maxWeight);
  if (bad) throw new QuotaExceeded(`weight ${bad.weight} is outside 0–${ALB_LIMITS.maxWeight}`);
}
