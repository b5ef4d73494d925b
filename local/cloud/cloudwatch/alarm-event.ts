// The EventBridge event CloudWatch sends when an alarm changes state
// ("CloudWatch Alarm State Change", source aws.cloudwatch), in its real shape.
import { randomUUID } from 'node:crypto';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchAlarmData, CloudWatchAlarmState, EventBridgeEvent } from 'aws-lambda';
import { ACCOUNT_ID } from '../ids.ts';

export type AlarmStateChangeEvent = EventBridgeEvent<'CloudWatch Alarm State Change', CloudWatchAlarmData>;

export function alarmStateChangeEvent(alarm: MetricAlarm, previous: CloudWatchAlarmState, region: string, metricId: string): AlarmStateChangeEvent {
  const now = alarm.StateUpdatedTimestamp ?? new Date();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: ACCOUNT_ID,
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [alarm.AlarmArn!],
    detail: {
      alarmName: alarm.AlarmName!,
      state: alarmState(alarm),
      previousState: previous,
      configuration: {
        ...(alarm.AlarmDescription ? { description: alarm.AlarmDescription } : {}),
        metrics: [
          {
            id: metricId,
            metricStat: {
              metric: {
                namespace: alarm.Namespace!,
                name: alarm.MetricName!,
                dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name!, d.Value!])),
              },
              period: alarm.Period!,
              stat: alarm.ExtendedStatistic ?? alarm.Statistic!,
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

/** The state block of the event (timestamps in CloudWatch's `…+0000` form). */
export function alarmState(alarm: MetricAlarm): CloudWatchAlarmState {
  return {
    value: alarm.StateValue!,
    reason: alarm.StateReason ?? '',
    ...(alarm.StateReasonData ? { reasonData: alarm.StateReasonData } : {}),
    timestamp: cloudWatchTimestamp(alarm.StateUpdatedTimestamp ?? new Date()),
  };
}

export function cloudWatchTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
