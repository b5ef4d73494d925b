// The ELBv2 quotas the local cloud enforces, with the names DescribeAccountLimits answers.
import type { DescribeAccountLimitsCommandOutput } from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeAccountLimits$ } from '@aws-sdk/client-elastic-load-balancing-v2';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';

export const LIMITS = {
  loadBalancers: 50,
  targetGroups: 3000,
  listenersPerLoadBalancer: 50,
  rulesPerLoadBalancer: 100,
  targetGroupsPerAction: 5,
  targetGroupsPerLoadBalancer: 100,
  targetsPerTargetGroup: 1000,
  conditionValuesPerRule: 5,
  conditionWildcardsPerRule: 5,
  tagsPerResource: 50,
} as const;

const NAMES: [string, number][] = [
  ['application-load-balancers', LIMITS.loadBalancers],
  ['target-groups', LIMITS.targetGroups],
  ['listeners-per-application-load-balancer', LIMITS.listenersPerLoadBalancer],
  ['rules-per-application-load-balancer', LIMITS.rulesPerLoadBalancer],
  ['target-groups-per-action-on-application-load-balancer', LIMITS.targetGroupsPerAction],
  ['target-groups-per-application-load-balancer', LIMITS.targetGroupsPerLoadBalancer],
  ['targets-per-target-group', LIMITS.targetsPerTargetGroup],
  ['condition-values-per-alb-rule', LIMITS.conditionValuesPerRule],
  ['condition-wildcards-per-alb-rule', LIMITS.conditionWildcardsPerRule],
];

export function limitOperations(): Operation[] {
  return [
    operation(DescribeAccountLimits$, (): Answer<DescribeAccountLimitsCommandOutput> => ({ Limits: NAMES.map(([Name, max]) => ({ Name, Max: String(max) })) })),
  ];
}
