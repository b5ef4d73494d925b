// The alarms armed on a release: on its own target group, from the service's
// bake configuration, named and tagged after the release; which of them, read
// back, stops the release, and the rollback one in ALARM asks for.
import { describe, expect, it } from 'vitest';
import { alarmRollback, alarmSpecs, firingAlarm, loadBalancerDimension, targetGroupDimension } from '../../functions/core/alarms.ts';
import type { AlarmView } from '../../functions/core/model.ts';
import { LB_ARN, r2, service } from './fixtures.ts';

const dimensions = { LoadBalancer: 'app/web/50dc6c495c0c9188', TargetGroup: 'targetgroup/bg-web-2/0000000000000002' };
const tags = { 'bluegreen:managed-by': 'bluegreen', 'bluegreen:service': 'web', 'bluegreen:release': '2', 'bluegreen:version': 'v2' };
const common = { namespace: 'AWS/ApplicationELB', comparison: 'GreaterThanThreshold', treatMissingData: 'notBreaching', dimensions, tags };

describe('alarmSpecs', () => {
  it('arms the three default alarms of a release', () => {
    expect(alarmSpecs(service(), r2, LB_ARN)).toEqual([
      { ...common, name: 'bg-web-2-5xx', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum', threshold: 5, evaluationPeriods: 1, periodSeconds: 60 },
      { ...common, name: 'bg-web-2-unhealthy', metricName: 'UnHealthyHostCount', statistic: 'Maximum', threshold: 0, evaluationPeriods: 2, periodSeconds: 60 },
      { ...common, name: 'bg-web-2-latency', metricName: 'TargetResponseTime', statistic: 'p99', threshold: 1, evaluationPeriods: 3, periodSeconds: 60 },
    ]);
  });

  it('takes thresholds, periods and period lengths from the configuration; latency in seconds', () => {
    const bake = { alarms: { http5xx: { threshold: 20, periods: 4, periodSeconds: 300 }, latencyP99Ms: { threshold: 250, periods: 2, periodSeconds: 60 } } };
    expect(alarmSpecs(service(undefined, { bake }), r2, LB_ARN).map((a) => [a.name, a.threshold, a.evaluationPeriods, a.periodSeconds])).toEqual([
      ['bg-web-2-5xx', 20, 4, 300],
      ['bg-web-2-latency', 0.25, 2, 60],
    ]);
  });

  it.each([
    ['only the unhealthy-hosts alarm', { unhealthyHosts: { threshold: 1 } }, ['bg-web-2-unhealthy']],
    ['only the latency alarm', { latencyP99Ms: { threshold: 800 } }, ['bg-web-2-latency']],
    ['no alarm at all', {}, []],
  ])('arms %s when only that is configured', (_case, alarms, names) => {
    expect(alarmSpecs(service(undefined, { bake: { alarms } }), r2, LB_ARN).map((a) => a.name)).toEqual(names);
  });
});

describe('CloudWatch dimensions', () => {
  it('takes the load balancer dimension from the ARN', () => {
    expect(loadBalancerDimension('arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop-lb/0123456789abcdef')).toBe('app/shop-lb/0123456789abcdef');
  });

  it('takes the target group dimension from the ARN', () => {
    expect(targetGroupDimension('arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/bg-web-9/0123456789abcdef')).toBe('targetgroup/bg-web-9/0123456789abcdef');
  });
});

describe('firingAlarm', () => {
  const view = (name: string, state: AlarmView['state']): AlarmView => ({ name, state, reason: `${name} is ${state}` });
  const armed = ['bg-web-2-5xx', 'bg-web-2-unhealthy', 'bg-web-2-latency'];

  it('is none while every armed alarm is OK or has no data yet', () => {
    expect(firingAlarm([view('bg-web-2-5xx', 'OK'), view('bg-web-2-unhealthy', 'INSUFFICIENT_DATA'), view('bg-web-2-latency', 'OK')], armed)).toBeNull();
    expect(firingAlarm([], armed)).toBeNull();
  });

  it('is the armed alarm in ALARM', () => {
    expect(firingAlarm([view('bg-web-2-5xx', 'OK'), view('bg-web-2-latency', 'ALARM')], armed)).toEqual(view('bg-web-2-latency', 'ALARM'));
  });

  it('is the first in the order they are armed when several are in ALARM, whatever order they are read in', () => {
    expect(firingAlarm([view('bg-web-2-latency', 'ALARM'), view('bg-web-2-unhealthy', 'ALARM')], armed)?.name).toBe('bg-web-2-unhealthy');
  });

  it('ignores alarms the workflow did not arm: another release, another kind, another name', () => {
    const others = [view('bg-web-1-5xx', 'ALARM'), view('bg-web-2-latency', 'ALARM'), view('bg-web-2-5xx-manual', 'ALARM')];
    expect(firingAlarm(others, ['bg-web-2-5xx'])).toBeNull();
    expect(firingAlarm(others, [])).toBeNull();
  });
});

describe('alarmRollback', () => {
  it('is the rollback attributed to the alarm, with its reason', () => {
    expect(alarmRollback({ name: 'bg-web-2-5xx', reason: 'Threshold Crossed' })).toEqual({ action: 'rollback', by: 'alarm:bg-web-2-5xx', reason: 'bg-web-2-5xx in ALARM: Threshold Crossed' });
  });

  it('says where the workflow read the state', () => {
    expect(alarmRollback({ name: 'bg-web-2-5xx', reason: 'Threshold Crossed' }, 'before advance').reason).toBe('bg-web-2-5xx in ALARM before advance: Threshold Crossed');
  });

  it('keeps the reason within 500 characters', () => {
    expect(alarmRollback({ name: 'bg-web-2-5xx', reason: 'x'.repeat(1000) }).reason).toHaveLength(500);
  });
});
