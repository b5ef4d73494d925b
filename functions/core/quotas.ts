// ALB limits checked before any write, so a change the API would refuse
// halfway through is refused whole, naming the limit.
import { QuotaExceeded } from './errors.ts';
import type { Action, DesiredListener, ListenerWrite } from './model.ts';

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

function checkAction(action: Action): void {
  if (action.type !== 'forward') return;
  if (action.targets.length > ALB_LIMITS.targetGroupsPerForward) {
    throw new QuotaExceeded(`a forward to ${action.targets.length} target groups passes the limit of ${ALB_LIMITS.targetGroupsPerForward}`);
  }
  const bad = action.targets.find((t) => !Number.isInteger(t.weight) || t.weight < 0 || t.weight > ALB_LIMITS.maxWeight);
  if (bad) throw new QuotaExceeded(`weight ${bad.weight} is outside 0–${ALB_LIMITS.maxWeight}`);
}
