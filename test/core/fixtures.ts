// Plain-data fixtures for the pure core: releases, states and listeners.
import { parseConfig, type ServiceConfig } from '../../functions/core/config.ts';
import type { DeploymentState, DesiredListener, ListenerView, Release } from '../../functions/core/model.ts';

export const LISTENER_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2';
export const LB_ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';

export function release(number: number, version = `v${number}`): Release {
  return {
    service: 'web',
    number,
    version,
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bg-web-${number}/${String(number).padStart(16, '0')}`,
    targetGroupName: `bg-web-${number}`,
    autoScalingGroupName: `bg-web-${number}`,
  };
}

export const r1 = release(1);
export const r2 = release(2);
export const r3 = release(3);

export function service(strategy: unknown = { type: 'blue-green' }, extra: Record<string, unknown> = {}): ServiceConfig {
  return parseConfig({
    services: [
      {
        name: 'web',
        github: { repository: 'acme/web' },
        listener: { loadBalancerArn: LB_ARN, listenerArn: LISTENER_ARN },
        launchTemplate: { id: 'lt-0123456789abcdef0' },
        subnets: ['subnet-a', 'subnet-b'],
        targetGroup: { vpcId: 'vpc-1' },
        strategy,
        ...extra,
      },
    ],
  }).services[0]!;
}

export const STRATEGIES = {
  'blue-green': service({ type: 'blue-green' }),
  'header-canary': service({ type: 'header-canary' }),
  'weighted-canary': service({ type: 'weighted-canary', steps: [10, 50, 100] }),
} as const;

export function state(partial: Partial<DeploymentState>): DeploymentState {
  return { service: 'web', phase: 'stable', live: null, candidate: null, previous: null, canaryWeight: 0, older: [], ...partial };
}

/** A live listener view exactly as the desired one would read back, plus optional foreign rules. */
export function viewOf(desired: DesiredListener, foreign: ListenerView['rules'] = []): ListenerView {
  return {
    listenerArn: LISTENER_ARN,
    defaultAction: desired.defaultAction,
    rules: [...desired.rules.map((r) => ({ ...r, ruleArn: `rule-${r.priority}`, managed: true })), ...foreign],
  };
}
