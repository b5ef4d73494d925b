// Per-release alarms on the release's own target group, from the service's
// bake configuration, and what one of them in ALARM asks for: the rollback of
// its release, whether its state change arrived as an event or was read.
import type { ServiceConfig } from './config.ts';
import type { WaitKind } from './dispatch-rules.ts';
import type { AlarmSpec, AlarmView, Release } from './model.ts';
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

/**
 * The first of the alarms the workflow armed (`armed`, by name, in the order
 * `alarmSpecs` gives them) that is in ALARM, or null. Any other alarm in
 * `alarms`, whatever its state, does not count.
 */
export function firingAlarm(alarms: AlarmView[], armed: readonly string[]): AlarmView | null {
  for (const name of armed) {
    const alarm = alarms.find((a) => a.name === name && a.state === 'ALARM');
    if (alarm) return alarm;
  }
  return null;
}

/** The waits an alarm of their release ends: every hold (a manual-promotion wait is a bake too: the canary takes traffic while people decide). */
export const WAITS_AN_ALARM_ENDS: readonly WaitKind[] = ['promotion', 'bake', 'retention'];

export interface AlarmRollback {
  action: 'rollback';
  /** `alarm:<alarm name>` */
  by: string;
  reason: string;
}

/**
 * The rollback an alarm in ALARM asks for, attributed to the alarm.
 * @param seen where the workflow read the state (`when the bake began`), absent for a state-change event
 */
export function alarmRollback(alarm: Pick<AlarmView, 'name' | 'reason'>, seen?: string): AlarmRollback {
  const where = seen ? ` ${seen}` : '';
  return { action: 'rollback', by: `alarm:${alarm.name}`, reason: `${alarm.name} in ALARM${where}: ${alarm.reason}`.slice(0, 500) };
}

/** `arn:aws:elasticloadbalancing:r:a:loadbalancer/app/name/id` → `app/name/id` */
export function loadBalancerDimension(arn: string): string {
  return arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
}

/** `arn:aws:elasticloadbalancing:r:a:targetgroup/name/id` → `targetgroup/name/id` */
export function targetGroupDimension(arn: string): string {
  return arn.slice(arn.indexOf(':targetgroup/') + 1);
}
