// CloudWatch alarms on a release's target group, watched while it bakes.
// Their state changes reach EventBridge by themselves: no alarm action here.
//
// AWS operations (cloudwatch:*): PutMetricAlarm, DescribeAlarms, DeleteAlarms.
import {
  DeleteAlarmsCommand,
  PutMetricAlarmCommand,
  paginateDescribeAlarms,
  type CloudWatchClient,
  type PutMetricAlarmCommandInput,
  type Statistic,
} from '@aws-sdk/client-cloudwatch';
import { ResourceNotFound } from '../core/errors.ts';
import type { AlarmSpec, AlarmView } from '../core/model.ts';
import { alarmPrefix, isAlarmOf } from '../core/names.ts';
import { call } from './aws-errors.ts';

/** DeleteAlarms takes at most 100 names per call. */
const DELETE_BATCH = 100;

/** The plain statistics; anything else (`p99`, `tm90`…) is an extended statistic. */
const STATISTICS = new Set<string>(['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum']);

export type { AlarmState, AlarmView } from '../core/model.ts';

export interface Alarms {
  /** Creates or updates each alarm. */
  put(specs: AlarmSpec[]): Promise<void>;
  /** The alarms of one release, by name (`bg-<service>-<n>-<kind>`), and no other service's. */
  list(service: string, release: number): Promise<AlarmView[]>;
  /** Names that do not exist are already deleted. */
  delete(names: string[]): Promise<void>;
}

export function createAlarms(client: CloudWatchClient): Alarms {
  return {
    async put(specs) {
      for (const spec of specs) {
        await call('cloudwatch:PutMetricAlarm', () => client.send(new PutMetricAlarmCommand(toPutMetricAlarm(spec))));
      }
    },

    async list(service, release) {
      return call('cloudwatch:DescribeAlarms', async () => {
        const alarms: AlarmView[] = [];
        // The prefix also matches alarms of services whose name continues it (`shop-2` for `shop`, release 2).
        for await (const page of paginateDescribeAlarms({ client }, { AlarmNamePrefix: alarmPrefix(service, release) })) {
          for (const alarm of page.MetricAlarms ?? []) {
            const name = alarm.AlarmName ?? '';
            if (isAlarmOf(name, service, release)) alarms.push({ name, state: alarm.StateValue ?? 'INSUFFICIENT_DATA', reason: alarm.StateReason ?? '' });
          }
        }
        return alarms;
      });
    },

    async delete(names) {
      for (let i = 0; i < names.length; i += DELETE_BATCH) {
        try {
          await call('cloudwatch:DeleteAlarms', () => client.send(new DeleteAlarmsCommand({ AlarmNames: names.slice(i, i + DELETE_BATCH) })));
        } catch (error) {
          if (!(error instanceof ResourceNotFound)) throw error;
        }
      }
    },
  };
}

function toPutMetricAlarm(spec: AlarmSpec): PutMetricAlarmCommandInput {
  const statistic = STATISTICS.has(spec.statistic)
    ? { Statistic: spec.statistic as Statistic }
    : { ExtendedStatistic: spec.statistic };
  return {
    AlarmName: spec.name,
    Namespace: spec.namespace,
    MetricName: spec.metricName,
    Dimensions: [
      { Name: 'LoadBalancer', Value: spec.dimensions.LoadBalancer },
      { Name: 'TargetGroup', Value: spec.dimensions.TargetGroup },
    ],
    ...statistic,
    Period: spec.periodSeconds,
    EvaluationPeriods: spec.evaluationPeriods,
    Threshold: spec.threshold,
    ComparisonOperator: spec.comparison,
    TreatMissingData: spec.treatMissingData,
    Tags: Object.entries(spec.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}
