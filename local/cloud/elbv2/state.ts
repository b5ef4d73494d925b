// Everything ELBv2 holds: load balancers, listeners, rules, target groups,
// tags. Records keep the SDK's own shapes so Describe calls return them as
// they are; the data plane reads the same records on every request.
import type { Action, LoadBalancer, RuleCondition, Tag } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ACCOUNT_ID, hexId } from '../ids.ts';
import type { ListenerProxy } from '../data-plane/listener-proxy.ts';
import type { TargetGroupRuntime } from './target-group.ts';

export interface LoadBalancerRecord {
  description: LoadBalancer;
  attributes: Map<string, string>;
  /** `app/<name>/<id>`: the `LoadBalancer` metric dimension. */
  dimension: string;
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  defaultActions: Action[];
  defaultRuleArn: string;
  /** Non-default rules, sorted by priority (the control plane: what Describe calls answer). */
  rules: RuleRecord[];
  /** What the data plane routes by: the configuration of a moment ago (elbv2/propagation.ts). */
  dataPlane: DataPlaneConfig;
  /** Number of the newest configuration sent to the data plane. */
  configVersion: number;
  proxy?: ListenerProxy;
}

/** A listener's routing as its data plane has it: rules sorted by priority, then the default actions. */
export interface DataPlaneConfig {
  version: number;
  defaultActions: Action[];
  rules: RuleRecord[];
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  priority: number;
  conditions: RuleCondition[];
  actions: Action[];
}

export class Elbv2State {
  readonly region: string;
  readonly loadBalancers = new Map<string, LoadBalancerRecord>();
  readonly listeners = new Map<string, ListenerRecord>();
  readonly rules = new Map<string, RuleRecord>();
  readonly targetGroups = new Map<string, TargetGroupRuntime>();
  readonly tags = new Map<string, Tag[]>();

  constructor(region: string) {
    this.region = region;
  }

  arn(resource: string): string {
    return `arn:aws:elasticloadbalancing:${this.region}:${ACCOUNT_ID}:${resource}`;
  }

  listenersOf(loadBalancerArn: string): ListenerRecord[] {
    return [...this.listeners.values()].filter((l) => l.loadBalancerArn === loadBalancerArn);
  }

  rulesOfLoadBalancer(loadBalancerArn: string): RuleRecord[] {
    return this.listenersOf(loadBalancerArn).flatMap((l) => l.rules);
  }

  /** Re-sorts a listener's rules after a change of priorities. */
  sortRules(listener: ListenerRecord): void {
    listener.rules.sort((a, b) => a.priority - b.priority);
  }

  /** The load balancers whose listeners or rules forward to each target group; updates every group's "in use". */
  refreshTargetGroupUsage(): void {
    const usage = new Map<string, Set<string>>();
    for (const listener of this.listeners.values()) {
      const actions = [...listener.defaultActions, ...listener.rules.flatMap((r) => r.actions)];
      for (const arn of targetGroupArnsOf(actions)) {
        const set = usage.get(arn) ?? new Set<string>();
        set.add(listener.loadBalancerArn);
        usage.set(arn, set);
      }
    }
    for (const [arn, tg] of this.targetGroups) tg.setLoadBalancers([...(usage.get(arn) ?? [])]);
  }

  /** Whether any listener or rule forwards to the target group. */
  isReferenced(targetGroupArn: string): boolean {
    for (const listener of this.listeners.values()) {
      const actions = [...listener.defaultActions, ...listener.rules.flatMap((r) => r.actions)];
      if (targetGroupArnsOf(actions).includes(targetGroupArn)) return true;
    }
    return false;
  }
}

export function targetGroupArnsOf(actions: Action[]): string[] {
  return actions.flatMap((a) => (a.Type === 'forward' ? (a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn!) : []));
}

/** A 16-hex-character id as in ELBv2 ARNs. */
export function elbId(): string {
  return hexId(16);
}
