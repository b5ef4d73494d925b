// CloudWatch metric alarms: stored in DescribeAlarms' shape, evaluated on a
// timer against what CloudWatch has received (statistic or percentile of each
// period of the evaluation range, `DatapointsToAlarm` of the evaluated ones
// breaching, missing data treated as configured), every state change recorded
// in the history and sent as an EventBridge "CloudWatch Alarm State Change"
// event.
import { randomUUID } from 'node:crypto';
import type {
  AlarmHistoryItem,
  DeleteAlarmsCommandInput,
  DeleteAlarmsCommandOutput,
  DescribeAlarmHistoryCommandInput,
  DescribeAlarmHistoryCommandOutput,
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  MetricAlarm,
  PutMetricAlarmCommandInput,
  PutMetricAlarmCommandOutput,
  SetAlarmStateCommandInput,
  SetAlarmStateCommandOutput,
  StateValue,
  Tag,
  TagResourceCommandInput,
  TagResourceCommandOutput,
  UntagResourceCommandInput,
  UntagResourceCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import {
  DeleteAlarms$,
  DescribeAlarmHistory$,
  DescribeAlarms$,
  ListTagsForResource$,
  PutMetricAlarm$,
  SetAlarmState$,
  TagResource$,
  UntagResource$,
} from '@aws-sdk/client-cloudwatch';
import { AwsError } from '../aws-error.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../event-bus.ts';
import { ACCOUNT_ID } from '../ids.ts';
import type { Log } from '../log.ts';
import { paginate } from '../pagination.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { alarmState, alarmStateChangeEvent, cloudWatchTimestamp } from './alarm-event.ts';
import type { MetricStore } from './metric-store.ts';
import { isExtendedStatistic, statistic, STANDARD_STATISTICS } from './statistics.ts';

export interface AlarmDeps {
  region: string;
  clock: Clock;
  metrics: MetricStore;
  events: EventBus;
  log: Log;
}

interface AlarmRecord {
  alarm: MetricAlarm;
  tags: Tag[];
  /** Stable id of the alarm's metric in event configurations. */
  metricId: string;
  stopEvaluating: () => void;
}

const COMPARISONS: Record<string, { test: (v: number, t: number) => boolean; words: string }> = {
  GreaterThanThreshold: { test: (v, t) => v > t, words: 'greater than' },
  GreaterThanOrEqualToThreshold: { test: (v, t) => v >= t, words: 'greater than or equal to' },
  LessThanThreshold: { test: (v, t) => v < t, words: 'less than' },
  LessThanOrEqualToThreshold: { test: (v, t) => v <= t, words: 'less than or equal to' },
};
const MISSING_DATA = ['missing', 'notBreaching', 'breaching', 'ignore'];
const STATES: StateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const HISTORY_LIMIT = 1000;

export class Alarms {
  private readonly alarms = new Map<string, AlarmRecord>();
  private readonly history: AlarmHistoryItem[] = [];
  private readonly deps: AlarmDeps;

  constructor(deps: AlarmDeps) {
    this.deps = deps;
  }

  operations(): Operation[] {
    return [
      operation(PutMetricAlarm$, (input: PutMetricAlarmCommandInput) => this.put(input)),
      operation(DescribeAlarms$, (input: DescribeAlarmsCommandInput) => this.describe(input)),
      operation(DeleteAlarms$, (input: DeleteAlarmsCommandInput) => this.delete(input)),
      operation(SetAlarmState$, (input: SetAlarmStateCommandInput) => this.setState(input)),
      operation(DescribeAlarmHistory$, (input: DescribeAlarmHistoryCommandInput) => this.describeHistory(input)),
      operation(TagResource$, (input: TagResourceCommandInput) => this.tag(input)),
      operation(UntagResource$, (input: UntagResourceCommandInput) => this.untag(input)),
      operation(ListTagsForResource$, (input: ListTagsForResourceCommandInput): Answer<ListTagsForResourceCommandOutput> => ({
        Tags: this.byArn(input.ResourceARN).tags,
      })),
    ];
  }

  /** The alarm now (for the rehearsal and tests); undefined if it does not exist. */
  get(name: string): MetricAlarm | undefined {
    return this.alarms.get(name)?.alarm;
  }

  stop(): void {
    for (const record of this.alarms.values()) record.stopEvaluating();
  }

  private put(input: PutMetricAlarmCommandInput): Answer<PutMetricAlarmCommandOutput> {
    const config = validateAlarm(input);
    const existing = this.alarms.get(config.AlarmName!);
    const now = new Date();
    if (existing) {
      existing.stopEvaluating();
      existing.alarm = { ...config, AlarmArn: existing.alarm.AlarmArn, ...stateOf(existing.alarm), AlarmConfigurationUpdatedTimestamp: now };
      existing.stopEvaluating = this.schedule(existing);
      this.record(existing.alarm, 'ConfigurationUpdate', `Alarm "${config.AlarmName}" updated`);
      return {};
    }
    const tags = checkTags(input.Tags ?? []);
    const record: AlarmRecord = {
      alarm: {
        ...config,
        AlarmArn: `arn:aws:cloudwatch:${this.deps.region}:${ACCOUNT_ID}:alarm:${config.AlarmName}`,
        AlarmConfigurationUpdatedTimestamp: now,
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: now,
        StateTransitionedTimestamp: now,
      },
      tags,
      metricId: randomUUID(),
      stopEvaluating: () => {},
    };
    this.alarms.set(config.AlarmName!, record);
    record.stopEvaluating = this.schedule(record);
    this.record(record.alarm, 'ConfigurationUpdate', `Alarm "${config.AlarmName}" created`);
    this.deps.log('cloudwatch', 'alarm-created', { alarm: config.AlarmName });
    return {};
  }

  private describe(input: DescribeAlarmsCommandInput): Answer<DescribeAlarmsCommandOutput> {
    if (input.AlarmNames?.length && input.AlarmNamePrefix) throw new AwsError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together');
    if ((input.AlarmNames?.length ?? 0) > 100) throw new AwsError('InvalidParameterValue', 'At most 100 alarm names can be described at once');
    const maxRecords = input.MaxRecords ?? 50;
    if (maxRecords < 1 || maxRecords > 100) throw new AwsError('InvalidParameterValue', `The parameter MaxRecords must be between 1 and 100, got ${maxRecords}`);
    const wantsMetricAlarms = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
    const alarms = (wantsMetricAlarms ? [...this.alarms.values()] : [])
      .map((r) => r.alarm)
      .filter((a) => !input.AlarmNames?.length || input.AlarmNames.includes(a.AlarmName!))
      .filter((a) => !input.AlarmNamePrefix || a.AlarmName!.startsWith(input.AlarmNamePrefix))
      .filter((a) => !input.StateValue || a.StateValue === input.StateValue)
      .filter((a) => !input.ActionPrefix || [...(a.AlarmActions ?? []), ...(a.OKActions ?? []), ...(a.InsufficientDataActions ?? [])].some((x) => x.startsWith(input.ActionPrefix!)))
      .sort((a, b) => a.AlarmName!.localeCompare(b.AlarmName!));
    const { page, next } = paginate(alarms, input.NextToken, maxRecords, 'InvalidNextToken');
    return { MetricAlarms: page, CompositeAlarms: [], NextToken: next };
  }

  private delete(input: DeleteAlarmsCommandInput): Answer<DeleteAlarmsCommandOutput> {
    const names = input.AlarmNames ?? [];
    if (names.length > 100) throw new AwsError('InvalidParameterValue', 'At most 100 alarms can be deleted at once');
    const missing = names.filter((n) => !this.alarms.has(n));
    if (missing.length) throw new AwsError('ResourceNotFound', `${missing.join(', ')} not found`, 404);
    for (const name of names) {
      this.alarms.get(name)!.stopEvaluating();
      this.alarms.delete(name);
      this.deps.log('cloudwatch', 'alarm-deleted', { alarm: name });
    }
    return {};
  }

  private setState(input: SetAlarmStateCommandInput): Answer<SetAlarmStateCommandOutput> {
    const name = requireParameter(input.AlarmName, 'AlarmName');
    const value = requireParameter(input.StateValue, 'StateValue');
    const reason = requireParameter(input.StateReason, 'StateReason');
    if (!STATES.includes(value)) throw new AwsError('InvalidParameterValue', `The value ${value} for parameter StateValue is invalid`);
    if (input.StateReasonData !== undefined) {
      try {
        JSON.parse(input.StateReasonData);
      } catch {
        throw new AwsError('InvalidFormat', 'StateReasonData must be JSON');
      }
    }
    const record = this.alarms.get(name);
    if (!record) throw new AwsError('ResourceNotFound', `Alarm ${name} not found`, 404);
    this.transition(record, value, reason, input.StateReasonData);
    return {};
  }

  private describeHistory(input: DescribeAlarmHistoryCommandInput): Answer<DescribeAlarmHistoryCommandOutput> {
    const items = this.history
      .filter((h) => !input.AlarmName || h.AlarmName === input.AlarmName)
      .filter((h) => !input.HistoryItemType || h.HistoryItemType === input.HistoryItemType)
      .filter((h) => !input.StartDate || h.Timestamp! >= input.StartDate)
      .filter((h) => !input.EndDate || h.Timestamp! <= input.EndDate);
    const ordered = input.ScanBy === 'TimestampAscending' ? items : [...items].reverse();
    const { page, next } = paginate(ordered, input.NextToken, input.MaxRecords ?? 100, 'InvalidNextToken');
    return { AlarmHistoryItems: page, NextToken: next };
  }

  private tag(input: TagResourceCommandInput): Answer<TagResourceCommandOutput> {
    const record = this.byArn(input.ResourceARN);
    const tags = checkTags(requireParameter(input.Tags, 'Tags'));
    const byKey = new Map(record.tags.map((t) => [t.Key!, t]));
    for (const t of tags) byKey.set(t.Key!, t);
    record.tags = [...byKey.values()];
    return {};
  }

  private untag(input: UntagResourceCommandInput): Answer<UntagResourceCommandOutput> {
    const record = this.byArn(input.ResourceARN);
    const keys = new Set(requireParameter(input.TagKeys, 'TagKeys'));
    record.tags = record.tags.filter((t) => !keys.has(t.Key!));
    return {};
  }

  private byArn(arn: string | undefined): AlarmRecord {
    const record = [...this.alarms.values()].find((r) => r.alarm.AlarmArn === requireParameter(arn, 'ResourceARN'));
    if (!record) throw new AwsError('ResourceNotFoundException', `${arn} not found`, 404);
    return record;
  }

  /** Evaluates now and then every minute (every period for high-resolution periods below a minute). */
  private schedule(record: AlarmRecord): () => void {
    const every = Math.min(record.alarm.Period!, 60);
    const cancelFirst = this.deps.clock.after(Math.min(every, 10), () => this.evaluate(record));
    const cancelEvery = this.deps.clock.every(every, () => this.evaluate(record));
    return () => {
      cancelFirst();
      cancelEvery();
    };
  }

  private evaluate(record: AlarmRecord): void {
    if (this.alarms.get(record.alarm.AlarmName!) !== record) return;
    const outcome = evaluateAlarm(record.alarm, this.deps.metrics, this.deps.clock, Date.now());
    if (!outcome || outcome.state === record.alarm.StateValue) return;
    this.transition(record, outcome.state, outcome.reason, outcome.reasonData);
  }

  private transition(record: AlarmRecord, value: StateValue, reason: string, reasonData: string | undefined): void {
    const previous = alarmState(record.alarm);
    const changed = value !== record.alarm.StateValue;
    const now = new Date();
    record.alarm = {
      ...record.alarm,
      StateValue: value,
      StateReason: reason,
      StateReasonData: reasonData,
      StateUpdatedTimestamp: now,
      ...(changed ? { StateTransitionedTimestamp: now } : {}),
    };
    if (!changed) return;
    this.record(record.alarm, 'StateUpdate', `Alarm updated from ${previous.value} to ${value}`, { oldState: previous, newState: alarmState(record.alarm) });
    this.deps.log('cloudwatch', 'alarm-state-changed', { alarm: record.alarm.AlarmName, from: previous.value, to: value, reason });
    this.deps.events.emit(alarmStateChangeEvent(record.alarm, previous, this.deps.region, record.metricId));
  }

  private record(alarm: MetricAlarm, type: 'StateUpdate' | 'ConfigurationUpdate', summary: string, data: unknown = {}): void {
    this.history.push({ AlarmName: alarm.AlarmName, AlarmType: 'MetricAlarm', Timestamp: new Date(), HistoryItemType: type, HistorySummary: summary, HistoryData: JSON.stringify({ version: '1.0', ...(data as object) }) });
    if (this.history.length > HISTORY_LIMIT) this.history.shift();
  }
}

interface Outcome {
  state: StateValue;
  reason: string;
  reasonData: string;
}

/**
 * Periods an evaluation retrieves beyond EvaluationPeriods. "Using Amazon CloudWatch alarms" (How alarm state is
 * evaluated when data is missing): CloudWatch "attempts to retrieve a higher number of data points than specified by
 * Evaluation Periods" (the evaluation range); its example retrieves 5 for 3. We retrieve 2 more for every alarm.
 */
export const EVALUATION_RANGE_EXTRA = 2;

/**
 * The state the alarm's data puts it in at `nowMs`; undefined when it keeps its state (`ignore`). "Using Amazon
 * CloudWatch alarms", evaluation and missing data: the evaluation range is the last EvaluationPeriods + 2 complete
 * periods, aligned on the period; a period is missing when CloudWatch has no datapoint for it yet (an ALB metric
 * is published per minute and late, so a 10 or 30 s period of it is always missing). With at least
 * EvaluationPeriods datapoints, the newest EvaluationPeriods of them decide and TreatMissingData is ignored; with
 * fewer, every datapoint counts and missing ones fill the rest as TreatMissingData says (`missing`: none; all
 * missing → INSUFFICIENT_DATA). ALARM when DatapointsToAlarm of the evaluated points breach, else OK — except that
 * breaching points short of DatapointsToAlarm with none within the threshold do not say OK (`missing`:
 * INSUFFICIENT_DATA, `ignore`: unchanged), as the page's rows `- - - - X` show. One row of its first table
 * (`X - - - -` → ALARM under `missing`) follows no rule that also fits the others; we answer INSUFFICIENT_DATA.
 */
export function evaluateAlarm(alarm: MetricAlarm, metrics: MetricStore, clock: Clock, nowMs: number): Outcome | undefined {
  const periodMs = clock.ms(alarm.Period!);
  const periods = alarm.EvaluationPeriods!;
  const needed = alarm.DatapointsToAlarm ?? periods;
  const stat = alarm.ExtendedStatistic ?? alarm.Statistic!;
  const identity = { namespace: alarm.Namespace!, metricName: alarm.MetricName!, dimensions: Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name!, d.Value!])) };
  const rangeEnd = Math.floor(nowMs / periodMs) * periodMs;
  const range = periods + EVALUATION_RANGE_EXTRA;
  const points = Array.from({ length: range }, (_, i) => {
    const start = rangeEnd - (range - i) * periodMs;
    const samples = metrics.visible(identity, start, start + periodMs, nowMs);
    return { start, value: samples ? statistic(samples, stat) : undefined };
  });
  const present = points.filter((p): p is { start: number; value: number } => p.value !== undefined && !Number.isNaN(p.value));
  const evaluated = present.slice(-periods);
  const comparison = COMPARISONS[alarm.ComparisonOperator!]!;
  const treat = alarm.TreatMissingData ?? 'missing';
  const filled = periods - evaluated.length;
  const breachingReal = evaluated.filter((p) => comparison.test(p.value, alarm.Threshold!)).length;
  const breaching = breachingReal + (treat === 'breaching' ? filled : 0);
  const withinThreshold = evaluated.length - breachingReal + (treat === 'notBreaching' ? filled : 0);
  const data = reasonData(alarm, stat, points, evaluated, nowMs);
  if (breaching < needed && withinThreshold === 0) {
    if (treat === 'ignore') return undefined;
    return { state: 'INSUFFICIENT_DATA', reason: `Insufficient Data: ${filled} datapoint${filled === 1 ? ' was' : 's were'} unknown.`, reasonData: data };
  }
  const state: StateValue = breaching >= needed ? 'ALARM' : 'OK';
  const shown = [...evaluated].reverse().map((p) => `${p.value} (${new Date(p.start).toISOString()})`).join(', ');
  const missingNote = filled > 0 && (treat === 'breaching' || treat === 'notBreaching') ? ` and ${filled} missing datapoint${filled > 1 ? 's were' : ' was'} treated as [${treat === 'breaching' ? 'Breaching' : 'NonBreaching'}]` : '';
  const reason =
    `Threshold Crossed: ${breaching} out of the last ${periods} datapoints [${shown}] ${state === 'ALARM' ? 'was' : 'was not'} ${comparison.words} the threshold (${alarm.Threshold})` +
    `${missingNote} (minimum ${needed} datapoint${needed > 1 ? 's' : ''} for ${state === 'ALARM' ? 'OK -> ALARM' : 'ALARM -> OK'} transition).`;
  return { state, reason, reasonData: data };
}

function reasonData(alarm: MetricAlarm, stat: string, range: { start: number }[], evaluated: { start: number; value: number }[], nowMs: number): string {
  return JSON.stringify({
    version: '1.0',
    queryDate: cloudWatchTimestamp(new Date(nowMs)),
    startDate: cloudWatchTimestamp(new Date(range[0]?.start ?? nowMs)),
    ...(isExtendedStatistic(stat) ? { extendedStatistic: stat } : { statistic: stat }),
    period: alarm.Period,
    recentDatapoints: evaluated.map((p) => p.value),
    threshold: alarm.Threshold,
    evaluatedDatapoints: [...evaluated].reverse().map((p) => ({ timestamp: cloudWatchTimestamp(new Date(p.start)), value: p.value })),
  });
}

function stateOf(alarm: MetricAlarm): Partial<MetricAlarm> {
  const { StateValue, StateReason, StateReasonData, StateUpdatedTimestamp, StateTransitionedTimestamp } = alarm;
  return { StateValue, StateReason, StateReasonData, StateUpdatedTimestamp, StateTransitionedTimestamp };
}

/** Validates PutMetricAlarm as CloudWatch does and returns the stored configuration. */
function validateAlarm(input: PutMetricAlarmCommandInput): MetricAlarm {
  const name = requireParameter(input.AlarmName, 'AlarmName');
  if (name.length > 255) throw new AwsError('InvalidParameterValue', 'The parameter AlarmName must be at most 255 characters');
  if (input.Metrics?.length) throw new AwsError('InvalidParameterValue', 'The local cloud emulates single-metric alarms (MetricName, Namespace), not metric math');
  const metricName = requireParameter(input.MetricName, 'MetricName');
  const namespace = requireParameter(input.Namespace, 'Namespace');
  if (!!input.Statistic === !!input.ExtendedStatistic) throw new AwsError('InvalidParameterCombination', 'Exactly one of the Statistic and ExtendedStatistic parameters must be specified');
  if (input.Statistic && !(STANDARD_STATISTICS as readonly string[]).includes(input.Statistic)) throw new AwsError('InvalidParameterValue', `The value ${input.Statistic} for parameter Statistic is invalid`);
  if (input.ExtendedStatistic && !isExtendedStatistic(input.ExtendedStatistic)) throw new AwsError('InvalidParameterValue', `The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is invalid`);
  const period = requireParameter(input.Period, 'Period');
  if (![10, 20, 30].includes(period) && !(period >= 60 && period % 60 === 0)) throw new AwsError('InvalidParameterValue', 'The parameter Period must be 10, 20, 30 or a multiple of 60');
  const periods = requireParameter(input.EvaluationPeriods, 'EvaluationPeriods');
  if (!Number.isInteger(periods) || periods < 1) throw new AwsError('InvalidParameterValue', 'The parameter EvaluationPeriods must be at least 1');
  if (period * periods > 86_400 && period < 3600) throw new AwsError('InvalidParameterCombination', 'Period x EvaluationPeriods must not exceed one day');
  const needed = input.DatapointsToAlarm;
  if (needed !== undefined && (needed < 1 || needed > periods)) throw new AwsError('InvalidParameterValue', 'DatapointsToAlarm must be between 1 and EvaluationPeriods');
  const threshold = requireParameter(input.Threshold, 'Threshold');
  const comparison = requireParameter(input.ComparisonOperator, 'ComparisonOperator');
  if (!COMPARISONS[comparison]) throw new AwsError('InvalidParameterValue', `The value ${comparison} for parameter ComparisonOperator is invalid`);
  if (input.TreatMissingData !== undefined && !MISSING_DATA.includes(input.TreatMissingData)) throw new AwsError('InvalidParameterValue', `The value ${input.TreatMissingData} for parameter TreatMissingData is invalid`);
  if ((input.Dimensions?.length ?? 0) > 30) throw new AwsError('InvalidParameterValue', 'At most 30 dimensions are allowed');
  return {
    AlarmName: name,
    AlarmDescription: input.AlarmDescription,
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    MetricName: metricName,
    Namespace: namespace,
    Statistic: input.Statistic,
    ExtendedStatistic: input.ExtendedStatistic,
    Dimensions: input.Dimensions ?? [],
    Period: period,
    Unit: input.Unit,
    EvaluationPeriods: periods,
    DatapointsToAlarm: needed,
    Threshold: threshold,
    ComparisonOperator: comparison,
    TreatMissingData: input.TreatMissingData ?? 'missing',
    EvaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile,
  };
}

function checkTags(tags: Tag[]): Tag[] {
  for (const t of tags) {
    if (!t.Key || t.Key.length > 128) throw new AwsError('InvalidParameterValue', `Tag key '${t.Key ?? ''}' must be 1 to 128 characters`);
    if ((t.Value ?? '').length > 256) throw new AwsError('InvalidParameterValue', `The value of tag '${t.Key}' must be at most 256 characters`);
  }
  return tags.map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
}

export function requireParameter<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === null || value === '') throw new AwsError('MissingParameter', `The parameter ${name} is required.`);
  return value;
}
