// The local cloud's decisions, without a network: how a listener picks an
// action and a target group, and how an alarm judges its recent data.
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { Clock } from '../../local/cloud/clock.ts';
import { evaluateAlarm } from '../../local/cloud/cloudwatch/alarms.ts';
import { MetricStore } from '../../local/cloud/cloudwatch/metric-store.ts';
import { chooseAction, chooseTargetGroup, matchesCondition } from '../../local/cloud/data-plane/rule-evaluation.ts';
import type { RuleRecord } from '../../local/cloud/elbv2/state.ts';

const header = (name: string, ...values: string[]): RuleCondition => ({ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: name, Values: values } });
const request = (headers: Record<string, string>, path = '/') => ({ method: 'GET', path, headers });

describe('listener rule evaluation', () => {
  it.each<{ name: string; condition: RuleCondition; headers: Record<string, string>; matches: boolean }>([
    { name: 'exact value', condition: header('x-client-mode', 'green'), headers: { 'x-client-mode': 'green' }, matches: true },
    { name: 'value case-insensitive', condition: header('x-client-mode', 'green'), headers: { 'x-client-mode': 'GrEeN' }, matches: true },
    { name: 'header name case-insensitive', condition: header('X-Client-Mode', 'green'), headers: { 'x-client-mode': 'green' }, matches: true },
    { name: '* wildcard', condition: header('x-client-mode', 'gr*'), headers: { 'x-client-mode': 'greenish' }, matches: true },
    { name: '? wildcard is one character', condition: header('x-client-mode', 'gr??n'), headers: { 'x-client-mode': 'green' }, matches: true },
    { name: '? does not match two', condition: header('x-client-mode', 'gr?n'), headers: { 'x-client-mode': 'green' }, matches: false },
    { name: 'any of the values', condition: header('x-client-mode', 'blue', 'green'), headers: { 'x-client-mode': 'green' }, matches: true },
    { name: 'other value', condition: header('x-client-mode', 'green'), headers: { 'x-client-mode': 'blue' }, matches: false },
    { name: 'header absent', condition: header('x-client-mode', '*'), headers: {}, matches: false },
    { name: 'regex characters are literal', condition: header('x-client-mode', 'a.c'), headers: { 'x-client-mode': 'abc' }, matches: false },
  ])('http-header: $name', ({ condition, headers, matches }) => {
    expect(matchesCondition(condition, request(headers))).toBe(matches);
  });

  it('takes the first matching rule by priority order, else the default action', () => {
    // Prepare
    const rule = (priority: number, value: string, body: string): RuleRecord => ({
      arn: `rule-${priority}`,
      listenerArn: 'listener',
      priority,
      conditions: [header('x-client-mode', value)],
      actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', MessageBody: body } }],
    });
    const rules = [rule(10, 'g*', 'ten'), rule(20, 'green', 'twenty')];
    const defaultActions = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '503', MessageBody: 'default' } }];

    // Act
    const green = chooseAction(rules, defaultActions, request({ 'x-client-mode': 'green' }));
    const none = chooseAction(rules, defaultActions, request({}));

    // Assess
    expect(green?.FixedResponseConfig?.MessageBody).toBe('ten');
    expect(none?.FixedResponseConfig?.MessageBody).toBe('default');
  });

  it('splits a weighted forward by weight and never picks a zero weight', () => {
    // Prepare: an evenly spread random source
    const forward = { TargetGroups: [{ TargetGroupArn: 'blue', Weight: 90 }, { TargetGroupArn: 'green', Weight: 10 }, { TargetGroupArn: 'off', Weight: 0 }] };
    const draws = Array.from({ length: 1000 }, (_, i) => (i + 0.5) / 1000);

    // Act
    const picks = draws.map((r) => chooseTargetGroup(forward, () => r));

    // Assess
    expect(picks.filter((p) => p === 'blue')).toHaveLength(900);
    expect(picks.filter((p) => p === 'green')).toHaveLength(100);
    expect(picks).not.toContain('off');
    expect(chooseTargetGroup({ TargetGroups: [{ TargetGroupArn: 'off', Weight: 0 }] }, () => 0.5)).toBeUndefined();
  });
});

describe('alarm evaluation', () => {
  const clock = new Clock(0.001); // a 60 s period lasts 60 ms
  const dimensions = { LoadBalancer: 'app/alb/1', TargetGroup: 'targetgroup/tg/1' };
  const alarm = (overrides: Partial<MetricAlarm>): MetricAlarm => ({
    AlarmName: 'a',
    Namespace: 'Shop',
    MetricName: 'Errors',
    Statistic: 'Sum',
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'missing',
    ...overrides,
  });
  /** Not on a period boundary: the current period (started 30 ms ago) is incomplete and never evaluated. */
  const now = 1_000_050;
  const periodMs = 60;
  /** Start of the k-th complete period before now (1 = the newest). */
  const periodStart = (k: number) => Math.floor(now / periodMs) * periodMs - k * periodMs;
  const metric = (metricName: string, namespace = 'Shop') => ({ namespace, metricName, dimensions });
  /** One value per complete period, oldest first, as the AWS page writes them: `0` within the threshold, `X` breaching, `-` missing. */
  const datapoints = (metrics: MetricStore, row: string) => {
    const cells = row.split(' ');
    cells.forEach((cell, i) => {
      if (cell !== '-') metrics.put(metric('Errors'), cell === 'X' ? 9 : 1, periodStart(cells.length - i) + 1);
    });
  };

  it.each([
    { name: 'no data, missing', treat: 'missing', errors: 0, state: 'INSUFFICIENT_DATA' },
    { name: 'no data, notBreaching', treat: 'notBreaching', errors: 0, state: 'OK' },
    { name: 'no data, breaching', treat: 'breaching', errors: 0, state: 'ALARM' },
    { name: 'no data, ignore', treat: 'ignore', errors: 0, state: undefined },
    { name: 'at the threshold', treat: 'notBreaching', errors: 5, state: 'OK' },
    { name: 'over the threshold', treat: 'notBreaching', errors: 6, state: 'ALARM' },
  ])('$name → $state', ({ treat, errors, state }) => {
    // Prepare: the errors fall in the newest complete period
    const metrics = new MetricStore(1, 60_000);
    for (let i = 0; i < errors; i++) metrics.put(metric('Errors'), 1, periodStart(1) + 10);

    // Act
    const outcome = evaluateAlarm(alarm({ TreatMissingData: treat }), metrics, clock, now);

    // Assess
    expect(outcome?.state).toBe(state);
  });

  it('never evaluates the period still running', () => {
    // Prepare: errors only in the current, incomplete period
    const metrics = new MetricStore(1, 60_000);
    for (let i = 0; i < 9; i++) metrics.put(metric('Errors'), 1, now - 5);

    // Act
    const outcome = evaluateAlarm(alarm({ TreatMissingData: 'notBreaching' }), metrics, clock, now);

    // Assess
    expect(outcome?.state).toBe('OK');
  });

  // "Using Amazon CloudWatch alarms", How alarm state is evaluated when data is missing: the rows of its two tables
  // (EvaluationPeriods 3, the 5 most recent datapoints retrieved), oldest first. The one row we answer differently:
  // `X - - - -` with DatapointsToAlarm 3 is ALARM there under MISSING, INSUFFICIENT_DATA here (see evaluateAlarm).
  it.each([
    { needed: 3, row: '0 - X - X', missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' },
    { needed: 3, row: '0 - - - -', missing: 'OK', ignore: 'OK', breaching: 'OK', notBreaching: 'OK' },
    { needed: 3, row: '- - - - -', missing: 'INSUFFICIENT_DATA', ignore: undefined, breaching: 'ALARM', notBreaching: 'OK' },
    { needed: 3, row: '0 X X - X', missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' },
    { needed: 3, row: '- - - - X', missing: 'INSUFFICIENT_DATA', ignore: undefined, breaching: 'ALARM', notBreaching: 'OK' },
    { needed: 3, row: 'X - - - -', missing: 'INSUFFICIENT_DATA', ignore: undefined, breaching: 'ALARM', notBreaching: 'OK' },
    { needed: 2, row: '0 - X - X', missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' },
    { needed: 2, row: '0 0 X 0 X', missing: 'ALARM', ignore: 'ALARM', breaching: 'ALARM', notBreaching: 'ALARM' },
    { needed: 2, row: '0 - X - -', missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK' },
    { needed: 2, row: '- - - - 0', missing: 'OK', ignore: 'OK', breaching: 'ALARM', notBreaching: 'OK' },
    { needed: 2, row: '- - - - X', missing: 'INSUFFICIENT_DATA', ignore: undefined, breaching: 'ALARM', notBreaching: 'OK' },
  ])('$needed out of 3, datapoints $row', ({ needed, row, ...expected }) => {
    // Prepare
    const metrics = new MetricStore(1, 60_000);
    datapoints(metrics, row);

    // Act
    const states = Object.fromEntries(
      (['missing', 'ignore', 'breaching', 'notBreaching'] as const).map((treat) => [treat, evaluateAlarm(alarm({ EvaluationPeriods: 3, DatapointsToAlarm: needed, TreatMissingData: treat }), metrics, clock, now)?.state]),
    );

    // Assess
    expect(states).toEqual(expected);
  });

  it('names the evaluated datapoints, newest first, in the reason', () => {
    // Prepare
    const metrics = new MetricStore(1, 60_000);
    datapoints(metrics, '0 - X - X');

    // Act
    const outcome = evaluateAlarm(alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 }), metrics, clock, now);

    // Assess
    const at = (k: number) => new Date(periodStart(k)).toISOString();
    expect(outcome?.reason).toBe(`Threshold Crossed: 2 out of the last 3 datapoints [9 (${at(1)}), 9 (${at(3)}), 1 (${at(5)})] was greater than the threshold (5) (minimum 2 datapoints for OK -> ALARM transition).`);
    expect(JSON.parse(outcome!.reasonData)).toMatchObject({ period: 60, recentDatapoints: [1, 9, 9], startDate: expect.stringMatching(/\+0000$/) as unknown });
  });

  it('judges an extended statistic (p99) over every sample of the period', () => {
    // Prepare: 98 fast answers and 2 slow ones
    const metrics = new MetricStore(1, 60_000);
    const latency = metric('TargetResponseTime');
    for (let i = 0; i < 98; i++) metrics.put(latency, 0.01, periodStart(1) + 5);
    metrics.put(latency, 2, periodStart(1) + 5);
    metrics.put(latency, 3, periodStart(1) + 5);
    const p99 = alarm({ MetricName: 'TargetResponseTime', Statistic: undefined, ExtendedStatistic: 'p99', Threshold: 1 });

    // Act
    const outcome = evaluateAlarm(p99, metrics, clock, now);

    // Assess
    expect(outcome?.state).toBe('ALARM');
    expect(JSON.parse(outcome!.reasonData)).toMatchObject({ extendedStatistic: 'p99', recentDatapoints: [2], threshold: 1 });
  });
});

// "CloudWatch metrics for your Application Load Balancer": one datapoint a minute, sent once the minute is over;
// here visible a minute after that (the realism default).
describe('ALB metrics at 60-second resolution, published late', () => {
  const clock = new Clock(0.001); // a minute lasts 60 ms
  const minute = 60;
  const dimensions = { LoadBalancer: 'app/alb/1', TargetGroup: 'targetgroup/tg/1' };
  const errors = { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions };
  const published = () => new MetricStore(1, 600_000, (namespace) => (namespace === 'AWS/ApplicationELB' ? { resolutionMs: minute, delayMs: minute } : undefined));
  const alarm = (period: number, treat: string): MetricAlarm => ({
    AlarmName: 'a',
    Namespace: errors.namespace,
    MetricName: errors.metricName,
    Statistic: 'Sum',
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: period,
    EvaluationPeriods: 1,
    Threshold: 2,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: treat,
  });
  /** Ten 5xx every 5 ms from `from` to `to` (real ms), as a failing release under load. */
  const failing = (metrics: MetricStore, from: number, to: number) => {
    for (let at = from; at < to; at += 5) for (let i = 0; i < 10; i++) metrics.put(errors, 1, at);
  };
  const start = 6_000_000; // on a minute boundary

  it('shows a minute as one datapoint stamped with its start, only once published', () => {
    // Prepare: errors during the first minute
    const metrics = published();
    failing(metrics, start, start + minute);

    // Act
    const during = metrics.visible(errors, start, start + 3 * minute, start + minute - 1);
    const sent = metrics.visible(errors, start, start + 3 * minute, start + minute + 1);
    const published1 = metrics.visible(errors, start, start + 3 * minute, start + 2 * minute);
    const subMinute = metrics.visible(errors, start + 10, start + 20, start + 10 * minute);

    // Assess
    expect(during).toBeUndefined();
    expect(sent).toBeUndefined();
    expect(published1?.sum).toBe(120);
    expect(subMinute).toBeUndefined();
  });

  it('lets a 60 s alarm fire once the minute is published, two to three minutes after the errors began', () => {
    // Prepare
    const metrics = published();
    failing(metrics, start, start + 4 * minute);

    // Act: evaluations every minute, 30 ms into each
    const states = [1, 2, 3].map((m) => evaluateAlarm(alarm(60, 'notBreaching'), metrics, clock, start + m * minute + 30)?.state);

    // Assess: at 1.5 minutes minute 0 is not published yet; at 2.5 it is
    expect(states).toEqual(['OK', 'ALARM', 'ALARM']);
  });

  it.each([10, 30])('never gives a %s s alarm a datapoint: INSUFFICIENT_DATA, or OK with notBreaching', (period) => {
    // Prepare: five minutes of errors
    const metrics = published();
    failing(metrics, start, start + 5 * minute);

    // Act: evaluated every period for five minutes
    const states = new Set<string | undefined>();
    for (let t = start; t < start + 5 * minute; t += period) {
      states.add(evaluateAlarm(alarm(period, 'missing'), metrics, clock, t)?.state);
      states.add(`notBreaching ${evaluateAlarm(alarm(period, 'notBreaching'), metrics, clock, t)?.state}`);
    }

    // Assess
    expect(states).toEqual(new Set(['INSUFFICIENT_DATA', 'notBreaching OK']));
  });
});
