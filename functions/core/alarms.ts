// Per-release alarms on the release's own target group, from the service's
// bake configuration.
import type { ServiceConfig } from './config.ts';
import type { AlarmSpec, Release } from './model.ts';
import { alarmName, releaseTags, type AlarmKind } from './names.ts';

export function alarmSpecs(service: ServiceConfig, release: Release, loadBalancerArn: string): AlarmSpec[] {
  const { alarms } = service.bake;
  const dimensions = { LoadBalancer: loadBalancerDimension(loadBalancerArn), TargetGroup: targetGroupDimension(release.targetGroupArn) };
  const base = {
    namespace: 'AWS/ApplicationELB' as const,
    comparison: 'GreaterThanThreshold' as const,
    treatMissingData: 'notBreaching' as const,
    dimensions,
    tags: releaseTags(release.service, release.number, release.version),
  };
  const name = (kind: AlarmKind) => alarmName(release.service, release.number, kind);
  const specs: AlarmSpec[] = [];
  if (alarms.http5xx) {
    const a = alarms.http5xx;
    specs.push({ ...base, name: name('5xx'), metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', threshold: a.threshold, evaluationPeriods: a.periods, periodSeconds: a.periodSeconds });
  }
  if (alarms.unhealthyHosts) {
    const a = alarms.unhealthyHosts;
    specs.push({ ...base, name: name('unhealthy'), metricName: 'UnHealthyHostCount', statistic: 'Maximum', threshold: a.threshold, evaluationPeriods: a.periods, periodSeconds: a.periodSeconds });
  }
  if (alarms.latencyP99Ms) {
    const a = alarms.latencyP99Ms;
    // TargetResponseTime is reported in seconds.
    specs.push({ ...base, name: name('latency'), metricName: 'TargetResponseTime', statistic: 'p99', threshold: a.threshold / 1000, evaluationPeriods: a.periods, periodSeconds: a.periodSeconds });
  }
  return specs;
}

/** `arn:aws:elasticloadbalancing:r:a:loadbalancer/app/name/id` → `app/name/id` */
export function loadBalancerDimension(arn: string): string {
  return arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}

/** `arn:aws:elasticloadbalancing:r:a:targetgroup/name/id` → `targetgroup/name/id` */
export function targetGroupDimension(arn: string): string {
  return arn.slice(arn.indexOf(':targetgroup/') + 1);
}
