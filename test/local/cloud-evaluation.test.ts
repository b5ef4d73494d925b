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
    Namespace: 'AWS/ApplicationELB',
    MetricName: 'HTTPCode_Target_5XX_Count',
    Statistic: 'Sum',
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 5,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'missing',
    ...overrides,
  });
  const now = 1_000_000;
  const metric = (metricName: string) => ({ namespace: 'AWS/ApplicationELB', metricName, dimensions });

  it.each([
    { name: 'no data, missing', treat: 'missing', errors: 0, state: 'INSUFFICIENT_DATA' },
    { name: 'no data, notBreaching', treat: 'notBreaching', errors: 0, state: 'OK' },
    { name: 'no data, breaching', treat: 'breaching', errors: 0, state: 'ALARM' },
    { name: 'no data, ignore', treat: 'ignore', errors: 0, state: undefined },
    { name: 'at the threshold', treat: 'notBreaching', errors: 5, state: 'OK' },
    { name: 'over the threshold', treat: 'notBreaching', errors: 6, state: 'ALARM' },
  ])('$name → $state', ({ treat, errors, state }) => {
    // Prepare
    const metrics = new MetricStore(1, 60_000);
    for (let i = 0; i < errors; i++) metrics.put(metric('HTTPCode_Target_5XX_Count'), 1, now - 10);

    // Act
    const outcome = evaluateAlarm(alarm({ TreatMissingData: treat }), metrics, clock, now);

    // Assess
    expect(outcome?.state).toBe(state);
  });

  it('needs DatapointsToAlarm breaching periods out of EvaluationPeriods', () => {
    // Prepare: three periods of 60 ms; the last two breach
    const metrics = new MetricStore(1, 60_000);
    for (const [ago, count] of [[150, 1], [90, 9], [30, 9]] as const) {
      for (let i = 0; i < count; i++) metrics.put(metric('HTTPCode_Target_5XX_Count'), 1, now - ago);
    }

    // Act
    const twoOfThree = evaluateAlarm(alarm({ EvaluationPeriods: 3, DatapointsToAlarm: 2 }), metrics, clock, now);
    const threeOfThree = evaluateAlarm(alarm({ EvaluationPeriods: 3 }), metrics, clock, now);

    // Assess
    expect(twoOfThree?.state).toBe('ALARM');
    expect(twoOfThree?.reason).toMatch(/^Threshold Crossed: 2 out of the last 3 datapoints/);
    expect(threeOfThree?.state).toBe('OK');
  });

  it('judges an extended statistic (p99) over every sample of the period', () => {
    // Prepare: 98 fast answers and 2 slow ones
    const metrics = new MetricStore(1, 60_000);
    for (let i = 0; i < 98; i++) metrics.put(metric('TargetResponseTime'), 0.01, now - 5);
    metrics.put(metric('TargetResponseTime'), 2, now - 5);
    metrics.put(metric('TargetResponseTime'), 3, now - 5);
    const latency = alarm({ MetricName: 'TargetResponseTime', Statistic: undefined, ExtendedStatistic: 'p99', Threshold: 1 });

    // Act
    const outcome = evaluateAlarm(latency, metrics, clock, now);

    // Assess
    expect(outcome?.state).toBe('ALARM');
    expect(JSON.parse(outcome!.reasonData)).toMatchObject({ extendedStatistic: 'p99', recentDatapoints: [2], threshold: 1 });
  });
});
