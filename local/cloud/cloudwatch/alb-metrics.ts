// What the load balancer reports to CloudWatch, in AWS/ApplicationELB terms:
// per request (RequestCount, HTTPCode_Target_nXX_Count, TargetResponseTime,
// HTTPCode_ELB_nXX_Count, TargetConnectionErrorCount) and per health sample
// (HealthyHostCount, UnHealthyHostCount), each under the `LoadBalancer`
// dimension and, when a target group is involved, `TargetGroup, LoadBalancer`.
// Like ALB, nothing is published for a code that did not occur: a period
// without 5xx is missing data, not 0.
import type { RequestOutcome } from '../data-plane/listener-proxy.ts';
import type { HostCountSample } from '../elbv2/elbv2.ts';
import type { MetricStore } from './metric-store.ts';

export const ALB_NAMESPACE = 'AWS/ApplicationELB';

export function recordRequest(metrics: MetricStore, outcome: RequestOutcome): void {
  const now = Date.now();
  const lbOnly = { LoadBalancer: outcome.loadBalancer };
  const both = outcome.targetGroup ? { LoadBalancer: outcome.loadBalancer, TargetGroup: outcome.targetGroup } : undefined;
  const put = (metricName: string, value: number, unit: string, withTargetGroup = true) => {
    metrics.put({ namespace: ALB_NAMESPACE, metricName, dimensions: lbOnly }, value, now, unit);
    if (both && withTargetGroup) metrics.put({ namespace: ALB_NAMESPACE, metricName, dimensions: both }, value, now, unit);
  };
  put('RequestCount', 1, 'Count');
  if (outcome.targetStatus !== undefined) {
    put(`HTTPCode_Target_${Math.floor(outcome.targetStatus / 100)}XX_Count`, 1, 'Count');
    put('TargetResponseTime', outcome.targetResponseSeconds ?? 0, 'Seconds');
  }
  if (outcome.elbStatus !== undefined && outcome.elbStatus >= 400) {
    put(`HTTPCode_ELB_${Math.floor(outcome.elbStatus / 100)}XX_Count`, 1, 'Count', false);
    if ([500, 502, 503, 504].includes(outcome.elbStatus)) put(`HTTPCode_ELB_${outcome.elbStatus}_Count`, 1, 'Count', false);
  }
  if (outcome.targetConnectionError) put('TargetConnectionErrorCount', 1, 'Count');
}

export function recordHostCounts(metrics: MetricStore, samples: HostCountSample[]): void {
  const now = Date.now();
  for (const s of samples) {
    const dimensions = { LoadBalancer: s.loadBalancer, TargetGroup: s.targetGroup };
    metrics.put({ namespace: ALB_NAMESPACE, metricName: 'HealthyHostCount', dimensions }, s.healthy, now, 'Count');
    metrics.put({ namespace: ALB_NAMESPACE, metricName: 'UnHealthyHostCount', dimensions }, s.unhealthy, now, 'Count');
  }
}
