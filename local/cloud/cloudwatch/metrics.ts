// CloudWatch metric operations: PutMetricData (custom namespaces only, as
// on AWS), GetMetricStatistics, GetMetricData (metric statistics, no math)
// and ListMetrics. Periods are AWS seconds, stretched by the time scale.
// Statistics read what CloudWatch has received by now: a published
// namespace (AWS/ApplicationELB) answers per minute, once the minute is sent.
import type {
  Dimension,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  GetMetricStatisticsCommandInput,
  GetMetricStatisticsCommandOutput,
  ListMetricsCommandInput,
  ListMetricsCommandOutput,
  MetricDataResult,
  PutMetricDataCommandInput,
  PutMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { GetMetricData$, GetMetricStatistics$, ListMetrics$, PutMetricData$ } from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../aws-error.ts';
import type { Clock } from '../clock.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { requireParameter } from './alarms.ts';
import type { MetricIdentity, MetricStore } from './metric-store.ts';
import { isExtendedStatistic, statistic, STANDARD_STATISTICS } from './statistics.ts';

const MAX_DATAPOINTS = 1440;

export function metricOperations(metrics: MetricStore, clock: Clock): Operation[] {
  return [
    operation(PutMetricData$, (input: PutMetricDataCommandInput): Answer<PutMetricDataCommandOutput> => {
      const namespace = requireParameter(input.Namespace, 'Namespace');
      if (namespace.startsWith('AWS/')) throw new AwsError('InvalidParameterValue', `The value ${namespace} for parameter Namespace is invalid.`);
      const data = requireParameter(input.MetricData, 'MetricData');
      if (data.length > 1000) throw new AwsError('InvalidParameterValue', 'At most 1000 MetricData items can be put at once');
      for (const d of data) {
        const identity = { namespace, metricName: requireParameter(d.MetricName, 'MetricData.member.MetricName'), dimensions: dimensionMap(d.Dimensions) };
        const at = d.Timestamp?.getTime() ?? Date.now();
        if (d.StatisticValues) {
          const s = d.StatisticValues;
          metrics.putSamples(identity, { count: s.SampleCount ?? 0, sum: s.Sum ?? 0, min: s.Minimum ?? 0, max: s.Maximum ?? 0, values: [] }, at, d.Unit);
        } else if (d.Values?.length) {
          d.Values.forEach((v, i) => {
            for (let n = 0; n < (d.Counts?.[i] ?? 1); n++) metrics.put(identity, v, at, d.Unit);
          });
        } else {
          metrics.put(identity, requireParameter(d.Value, 'MetricData.member.Value'), at, d.Unit);
        }
      }
      return {};
    }),
    operation(GetMetricStatistics$, (input: GetMetricStatisticsCommandInput): Answer<GetMetricStatisticsCommandOutput> => {
      const identity = { namespace: requireParameter(input.Namespace, 'Namespace'), metricName: requireParameter(input.MetricName, 'MetricName'), dimensions: dimensionMap(input.Dimensions) };
      const stats = [...(input.Statistics ?? []), ...(input.ExtendedStatistics ?? [])];
      if (stats.length === 0) throw new AwsError('MissingParameter', 'At least one of the parameters Statistics and ExtendedStatistics must be specified.');
      for (const s of input.Statistics ?? []) if (!(STANDARD_STATISTICS as readonly string[]).includes(s)) throw new AwsError('InvalidParameterValue', `The value ${s} for parameter Statistics is invalid.`);
      for (const s of input.ExtendedStatistics ?? []) if (!isExtendedStatistic(s)) throw new AwsError('InvalidParameterValue', `The value ${s} for parameter ExtendedStatistics is invalid.`);
      const windows = periodWindows(requireParameter(input.StartTime, 'StartTime'), requireParameter(input.EndTime, 'EndTime'), requireParameter(input.Period, 'Period'), clock);
      const now = Date.now();
      const datapoints = windows.flatMap(([start, end]) => {
        const samples = metrics.visible(identity, start, end, now);
        if (!samples) return [];
        const standard = Object.fromEntries((input.Statistics ?? []).map((s) => [s, statistic(samples, s)]));
        const extended = input.ExtendedStatistics?.length ? { ExtendedStatistics: Object.fromEntries(input.ExtendedStatistics.map((s) => [s, statistic(samples, s)])) } : {};
        return [{ Timestamp: new Date(start), ...standard, ...extended, Unit: input.Unit ?? 'None' }];
      });
      return { Label: identity.metricName, Datapoints: datapoints };
    }),
    operation(GetMetricData$, (input: GetMetricDataCommandInput): Answer<GetMetricDataCommandOutput> => {
      const queries = requireParameter(input.MetricDataQueries, 'MetricDataQueries');
      const start = requireParameter(input.StartTime, 'StartTime');
      const end = requireParameter(input.EndTime, 'EndTime');
      const now = Date.now();
      const results: MetricDataResult[] = queries.map((q) => {
        if (!q.MetricStat) throw new AwsError('InvalidParameterValue', `MetricDataQueries '${q.Id ?? ''}': the local cloud answers MetricStat queries, not expressions`);
        const metric = q.MetricStat.Metric ?? {};
        const identity = { namespace: metric.Namespace ?? '', metricName: metric.MetricName ?? '', dimensions: dimensionMap(metric.Dimensions) };
        const stat = requireParameter(q.MetricStat.Stat, 'MetricStat.Stat');
        const points = periodWindows(start, end, requireParameter(q.MetricStat.Period, 'MetricStat.Period'), clock).flatMap(([from, to]) => {
          const samples = metrics.visible(identity, from, to, now);
          return samples ? [{ at: new Date(from), value: statistic(samples, stat) }] : [];
        });
        const ordered = input.ScanBy === 'TimestampAscending' ? points : [...points].reverse();
        return { Id: q.Id, Label: q.Label ?? identity.metricName, Timestamps: ordered.map((p) => p.at), Values: ordered.map((p) => p.value), StatusCode: 'Complete' };
      });
      return { MetricDataResults: results.filter((_, i) => queries[i]!.ReturnData !== false), Messages: [] };
    }),
    operation(ListMetrics$, (input: ListMetricsCommandInput): Answer<ListMetricsCommandOutput> => {
      const wanted = input.Dimensions ?? [];
      const listed = metrics
        .list(input.Namespace)
        .filter((m) => !input.MetricName || m.metricName === input.MetricName)
        .filter((m) => wanted.every((d) => d.Name! in m.dimensions && (d.Value === undefined || m.dimensions[d.Name!] === d.Value)));
      return { Metrics: listed.map(toMetric) };
    }),
  ];
}

function dimensionMap(dimensions: Dimension[] | undefined): Record<string, string> {
  return Object.fromEntries((dimensions ?? []).map((d) => [d.Name!, d.Value!]));
}

function toMetric(m: MetricIdentity) {
  return { Namespace: m.namespace, MetricName: m.metricName, Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })) };
}

/** [start, end) real-time windows of one (scaled) period each, aligned on the period, covering the range. */
function periodWindows(startTime: Date, endTime: Date, period: number, clock: Clock): [number, number][] {
  if (!(period >= 1)) throw new AwsError('InvalidParameterValue', 'The parameter Period must be at least 1');
  const periodMs = clock.ms(period);
  const first = Math.floor(startTime.getTime() / periodMs) * periodMs;
  const count = Math.ceil((endTime.getTime() - first) / periodMs);
  if (count > MAX_DATAPOINTS) throw new AwsError('InvalidParameterCombination', `You have requested up to ${count} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}.`);
  return Array.from({ length: Math.max(0, count) }, (_, i) => [first + i * periodMs, first + (i + 1) * periodMs]);
}
